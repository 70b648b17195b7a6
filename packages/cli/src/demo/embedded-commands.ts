import { createHash } from 'node:crypto';
import { delimiter as PATH_DELIMITER, dirname, join } from 'node:path';

/**
 * The command lines and file layout of the demo's private Redis and MariaDB (`embedded.ts` runs
 * them). Pure: what is on disk is passed in.
 */

/** Where servers live besides PATH: Debian's sbin (not on a normal user's PATH), /usr/local, Homebrew. */
export const SERVER_DIRECTORIES = [
  '/usr/sbin',
  '/usr/local/sbin',
  '/usr/local/bin',
  '/opt/homebrew/bin',
  '/opt/homebrew/sbin',
  '/opt/homebrew/opt/mariadb/bin',
  '/usr/local/opt/mariadb/bin',
  '/home/linuxbrew/.linuxbrew/bin',
  '/home/linuxbrew/.linuxbrew/sbin',
] as const;

export const REDIS_PROGRAMS = ['redis-server'] as const;
export const MYSQL_SERVER_PROGRAMS = ['mariadbd', 'mysqld'] as const;
export const MYSQL_INSTALLERS = ['mariadb-install-db', 'mysql_install_db'] as const;

/** PATH's folders, then SERVER_DIRECTORIES, each once. */
export function searchDirectories(path: string | undefined, delimiter: string = PATH_DELIMITER): string[] {
  const fromPath = (path ?? '').split(delimiter).filter((entry) => entry.length > 0);
  return [...new Set([...fromPath, ...SERVER_DIRECTORIES])];
}

/** The first `names` program found in `directories` (names in order of preference, then folders). */
export function findProgram(names: readonly string[], directories: readonly string[], isExecutable: (file: string) => boolean): string | null {
  for (const name of names) {
    for (const directory of directories) {
      const file = join(directory, name);
      if (isExecutable(file)) return file;
    }
  }
  return null;
}

/**
 * Where to look for the installer that matches a server: beside it, in its installation's `bin`
 * and `scripts` (Homebrew, tarballs), then everywhere else.
 *
 * @param serverRealPath - the server binary with symlinks resolved (Homebrew links into its Cellar)
 */
export function installerDirectories(serverRealPath: string, others: readonly string[]): string[] {
  const base = installationBase(serverRealPath);
  return [...new Set([dirname(serverRealPath), join(base, 'bin'), join(base, 'scripts'), ...others])];
}

/** The installation a server binary belongs to: `/usr` for `/usr/sbin/mariadbd`. */
export function installationBase(serverRealPath: string): string {
  return dirname(dirname(serverRealPath));
}

export type MysqlFlavour = 'mariadb' | 'mysql';

/** From `mysqld --version`: MariaDB says so; anything else is Oracle MySQL. */
export function mysqlFlavour(versionText: string): MysqlFlavour {
  return /mariadb/i.test(versionText) ? 'mariadb' : 'mysql';
}

/** The private services' files, all under the demo folder so they are kept between runs. */
export interface EmbeddedLayout {
  root: string;
  redis: { directory: string; log: string; state: string };
  mysql: { directory: string; data: string; partial: string; log: string; installLog: string; pidFile: string; socket: string; state: string };
}

/** Longest Unix socket path that works everywhere (macOS allows 104 bytes, Linux 108). */
const SOCKET_PATH_LIMIT = 100;

/**
 * @param demoDirectory - the demo folder (`.datamon-demo`)
 * @param temporaryDirectory - where the MariaDB socket goes when the demo folder is too deep for one
 */
export function embeddedLayout(demoDirectory: string, temporaryDirectory: string): EmbeddedLayout {
  const root = join(demoDirectory, 'services');
  const redis = join(root, 'redis');
  const mysql = join(root, 'mariadb');
  const socket = join(mysql, 'mariadbd.sock');
  const shortSocket = join(temporaryDirectory, `datamon-mariadb-${createHash('sha256').update(mysql).digest('hex').slice(0, 12)}.sock`);
  return {
    root,
    redis: { directory: redis, log: join(redis, 'redis.log'), state: join(redis, 'server.json') },
    mysql: {
      directory: mysql,
      data: join(mysql, 'data'),
      partial: join(mysql, 'data.partial'),
      log: join(mysql, 'mariadb.log'),
      installLog: join(mysql, 'install.log'),
      pidFile: join(mysql, 'mariadbd.pid'),
      socket: Buffer.byteLength(socket) <= SOCKET_PATH_LIMIT ? socket : shortSocket,
      state: join(mysql, 'server.json'),
    },
  };
}

export interface Command {
  program: string;
  args: string[];
}

/** A Redis for one demo run: loopback only, nothing written to disk, logging to stdout. */
export function redisCommand(program: string, port: number, directory: string): Command {
  return {
    program,
    args: ['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--save', '', '--appendonly', 'no', '--dir', directory, '--daemonize', 'no', '--logfile', ''],
  };
}

/**
 * Creates the system tables in `data` (run once: the folder is kept). `root` logs in with a
 * password (empty), not the Unix socket plugin, so the demo reaches it over TCP without running
 * the server as the system's root.
 */
export function mysqlInitCommand(options: {
  flavour: MysqlFlavour;
  server: string;
  installer: string | null;
  base: string;
  data: string;
  runAsRoot: boolean;
}): Command | null {
  const user = options.runAsRoot ? ['--user=root'] : [];
  if (options.flavour === 'mysql') {
    // MySQL 5.7+ initialises itself; --initialize-insecure leaves root@localhost without a password.
    return { program: options.server, args: ['--no-defaults', '--initialize-insecure', `--datadir=${options.data}`, `--basedir=${options.base}`, ...user] };
  }
  if (options.installer === null) return null;
  return {
    program: options.installer,
    args: [
      '--no-defaults',
      `--datadir=${options.data}`,
      `--basedir=${options.base}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
      ...user,
    ],
  };
}

/**
 * A MariaDB (or MySQL) for the demo: loopback only, its own socket and pid file, no option files
 * (the system's my.cnf names the system's datadir and socket), and the durability a throwaway
 * warehouse needs: none, so the million-row seed is not waiting on fsync.
 */
export function mysqlServerCommand(options: {
  flavour: MysqlFlavour;
  server: string;
  port: number;
  layout: EmbeddedLayout['mysql'];
  runAsRoot: boolean;
}): Command {
  const { layout } = options;
  return {
    program: options.server,
    args: [
      '--no-defaults',
      `--datadir=${layout.data}`,
      `--port=${options.port}`,
      '--bind-address=127.0.0.1',
      `--socket=${layout.socket}`,
      `--pid-file=${layout.pidFile}`,
      '--innodb-flush-log-at-trx-commit=0',
      '--innodb-doublewrite=0',
      // MariaDB's installer made root@127.0.0.1 as well, so no DNS is needed; MySQL made only
      // root@localhost, and it opens an X Protocol port (33060) that the system's MySQL may hold.
      ...(options.flavour === 'mariadb' ? ['--skip-name-resolve'] : ['--mysqlx=OFF']),
      ...(options.runAsRoot ? ['--user=root'] : []),
    ],
  };
}

/** What `server.json` records of a running private server, so a later run can stop an orphan. */
export interface ServerRecord {
  /** The server's pid, which is also its process group's id. */
  pid: number;
  /** The datamon demo that started it. */
  ownerPid: number;
  port: number;
  program: string;
}

/**
 * What to do with a server a previous run recorded:
 * - `forget`: it is not running (any more); the record is stale.
 * - `in-use`: the demo that started it is still running: another demo uses this folder.
 * - `stop`: its demo is gone (killed without a chance to stop it): an orphan to stop.
 */
export function recordedServerVerdict(record: ServerRecord, running: { server: boolean; owner: boolean }, ownPid: number): 'forget' | 'in-use' | 'stop' {
  if (!running.server) return 'forget';
  if (running.owner && record.ownerPid !== ownPid) return 'in-use';
  return 'stop';
}

/** The line that says a private server was started. */
export function startedLine(options: {
  label: string;
  port: number;
  pid: number;
  reason: string;
  storage: string;
}): string {
  return `${options.reason}: started a private ${options.label} on 127.0.0.1:${options.port} (pid ${options.pid}, ${options.storage}); it stops with the demo`;
}
