/**
 * Which Redis and MySQL the demo uses: the ones at its addresses, or private ones it starts
 * itself (`embedded.ts`), and the one line to print for a service it can have neither way.
 * Pure: the probes and the programs found are passed in.
 */

export type ServiceName = 'redis' | 'mysql';
export const SERVICE_NAMES: readonly ServiceName[] = ['redis', 'mysql'];

/**
 * `DATAMON_DEMO_EMBEDDED`: `auto` starts a private service only where nothing answers, `always`
 * starts private ones whatever answers (the system's servers are left alone), `never` only
 * reports what is missing.
 */
export type EmbeddedMode = 'auto' | 'always' | 'never';
const EMBEDDED_MODES: readonly EmbeddedMode[] = ['auto', 'always', 'never'];

/** The mode named by `DATAMON_DEMO_EMBEDDED`, or a sentence saying what it accepts. */
export function parseEmbeddedMode(value: string | undefined): EmbeddedMode | { error: string } {
  const mode = (value ?? 'auto').trim().toLowerCase() || 'auto';
  if ((EMBEDDED_MODES as readonly string[]).includes(mode)) return mode as EmbeddedMode;
  return { error: `DATAMON_DEMO_EMBEDDED must be ${EMBEDDED_MODES.join(', ')}; got "${value}"` };
}

/**
 * What answered at a service's address: `ok` (it accepted the demo), `refused` (a server
 * answered and said no: a password, a grant) or `silent` (nothing answered: refused
 * connection, timeout, unknown host).
 */
export type Probe = { state: 'ok' } | { state: 'refused' | 'silent'; detail: string };

/** For the messages: where each address is, and the database and account the demo uses. */
export interface ServiceMessageContext {
  redisAddress: string;
  mysqlAddress: string;
  database: string;
  mysqlUser: string;
  /** A made-up password for the account the refusal message suggests. */
  suggestedPassword: string;
  /** Whether the install commands need `sudo` in front (Debian/Ubuntu, not running as root). */
  needsSudo: boolean;
}

export interface ServicePlanInput extends ServiceMessageContext {
  mode: EmbeddedMode;
  /** Null when not probed (`always`). */
  probes: Record<ServiceName, Probe | null>;
  /** Whether the programs to run a private one are installed (for MySQL: a server and a way to initialise it). */
  installed: Record<ServiceName, boolean>;
}

export type ServiceSource = 'external' | 'embedded';

export interface ServicePlan {
  use: Record<ServiceName, ServiceSource>;
  /** One line per service the demo can have neither way; start nothing when there is one. */
  problems: string[];
}

/**
 * The decision, service by service:
 *
 * | mode          | at the address | installed | the demo                                      |
 * |---------------|----------------|-----------|-----------------------------------------------|
 * | always        | not probed     | yes       | starts a private one                          |
 * | always        | not probed     | no        | says how to install it                        |
 * | auto or never | ok             | any       | uses it                                       |
 * | auto or never | refused        | any       | says which account to use (never hides it)    |
 * | never         | silent         | any       | says how to start it                          |
 * | auto          | silent         | yes       | starts a private one                          |
 * | auto          | silent         | no        | says how to start or install it               |
 *
 * A refusal is never papered over with a private server: the user pointed the demo at a server
 * that is there, and should learn that its account does not work.
 */
export function planServices(input: ServicePlanInput): ServicePlan {
  const use: Record<ServiceName, ServiceSource> = { redis: 'external', mysql: 'external' };
  const problems: string[] = [];
  for (const service of SERVICE_NAMES) {
    const probe = input.probes[service];
    const installed = input.installed[service];
    if (input.mode === 'always' || probe === null) {
      if (installed) use[service] = 'embedded';
      else problems.push(notInstalledLine(service, input, null));
      continue;
    }
    if (probe.state === 'ok') continue;
    if (probe.state === 'refused') problems.push(refusedLine(service, input, probe.detail));
    else if (input.mode === 'auto' && installed) use[service] = 'embedded';
    else if (input.mode === 'auto') problems.push(notInstalledLine(service, input, probe.detail));
    else problems.push(notRunningLine(service, input, probe.detail));
  }
  return { use, problems };
}

/** The install command of a service, for Debian/Ubuntu and macOS. */
export function installCommands(service: ServiceName, needsSudo: boolean): { debian: string; macos: string } {
  const sudo = needsSudo ? 'sudo ' : '';
  return service === 'redis'
    ? { debian: `${sudo}apt-get install -y redis-server`, macos: 'brew install redis' }
    : { debian: `${sudo}apt-get install -y mariadb-server`, macos: 'brew install mariadb' };
}

function notInstalledLine(service: ServiceName, input: ServiceMessageContext, detail: string | null): string {
  const { debian, macos } = installCommands(service, input.needsSudo);
  const install = `install it with "${debian}" (Debian/Ubuntu) or "${macos}" (macOS) and datamon demo starts a private one`;
  const missing = service === 'redis' ? 'redis-server is not installed' : 'no MariaDB server is installed (mariadbd or mysqld, and mariadb-install-db)';
  if (detail === null) return `${missing}: ${install}`;
  const where = service === 'redis' ? `Redis is not reachable at ${input.redisAddress}` : `MySQL is not reachable at ${input.mysqlAddress}`;
  return `${where} (${detail}) and ${missing}: ${install}`;
}

function notRunningLine(service: ServiceName, input: ServiceMessageContext, detail: string): string {
  return service === 'redis'
    ? `Redis is not reachable at ${input.redisAddress} (${detail}): start it with "redis-server --daemonize yes" or "sudo systemctl start redis-server"`
    : `MySQL is not reachable at ${input.mysqlAddress} (${detail}): start it with "sudo systemctl start mariadb" (or mysql)`;
}

/** The line for a server that answered and refused the demo's account. */
export function refusedLine(service: ServiceName, input: ServiceMessageContext, detail: string): string {
  if (service === 'redis') {
    return `Redis at ${input.redisAddress} refused the demo (${detail}): set DATAMON_DEMO_REDIS_URL to a URL with its password (redis://:PASSWORD@host:port)`;
  }
  return `MySQL at ${input.mysqlAddress} refused user "${input.mysqlUser}" (${detail}): ${accountAdvice(input.database, input.suggestedPassword)}`;
}

/**
 * What to do when the demo's account may not log in or create its database: an account for TCP
 * logins from this machine (what the demo makes) that may create and fill only the demo database.
 */
export function accountAdvice(database: string, password: string): string {
  const account = `'datamon_demo'@'127.0.0.1'`;
  return (
    `as a MySQL administrator run "CREATE USER ${account} IDENTIFIED BY '${password}'; GRANT ALL PRIVILEGES ON \`${database}\`.* TO ${account};", ` +
    `then set DATAMON_DEMO_MYSQL_USER=datamon_demo and DATAMON_DEMO_MYSQL_PASSWORD=${password}`
  );
}
