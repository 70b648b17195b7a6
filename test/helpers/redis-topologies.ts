import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Real Redis servers for the topology tests, each on free 127.0.0.1 ports in a temp folder of its
 * own: a TLS server, a master watched by one sentinel, and a three-master cluster. `stop()` kills
 * what was started (by pid) and removes the folder; a process that exits without stopping them
 * kills them too.
 */

const run = promisify(execFile);

/** The first executable `name` on PATH, or null. */
function onPath(name: string): string | null {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (!folder) continue;
    const candidate = join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

const BINARIES = {
  server: onPath('redis-server'),
  cli: onPath('redis-cli'),
  // Debian ships redis-sentinel separately; redis-server runs as a sentinel with --sentinel too.
  sentinel: onPath('redis-sentinel'),
  openssl: onPath('openssl'),
};

/** Why the topology tests cannot run here (a binary is missing), or false when they can. */
export function topologySkipReason(): string | false {
  const missing = (['server', 'cli', 'openssl'] as const).filter((name) => !BINARIES[name]).map((name) => (name === 'openssl' ? 'openssl' : `redis-${name}`));
  return missing.length > 0 ? `needs ${missing.join(', ')} on PATH (Debian: apt-get install redis-server redis-tools openssl)` : false;
}

/** The `redis` section of a config file that reaches a topology (without `prefix`). */
export interface TopologyRedis {
  url?: string;
  sentinel?: { name: string; nodes: string[]; password?: string; sentinel_password?: string };
  cluster?: { nodes: string[]; password?: string };
  tls?: { ca_file?: string; cert_file?: string; key_file?: string; enabled?: boolean };
}

export interface Topology {
  redis: TopologyRedis;
  /** The temp folder (certificates, logs, data). */
  dir: string;
  /** Runs redis-cli against one node of it, with its credentials. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** Ports of the Redis servers (not the sentinels). */
  ports: number[];
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) if (child.pid) process.kill(child.pid, 'SIGKILL');
});

/** `count` distinct free ports on 127.0.0.1 (held open together, so none is handed out twice). */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

class Running {
  private readonly children: ChildProcess[] = [];

  constructor(readonly dir: string) {}

  /** Starts a Redis process logging to `<dir>/<name>.log`; fails at once when it exits. */
  spawn(name: string, binary: string, args: string[]): { child: ChildProcess; exited: Promise<never> } {
    const child = spawn(binary, args, { cwd: this.dir, stdio: 'ignore' });
    this.children.push(child);
    live.add(child);
    const exited = new Promise<never>((_, reject) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        reject(new Error(`${name} exited (${code ?? signal}) while starting: ${this.logTail(name)}`));
      });
      child.once('error', reject);
    });
    exited.catch(() => undefined);
    return { child, exited };
  }

  logTail(name: string): string {
    try {
      return readFileSync(join(this.dir, `${name}.log`), 'utf8').trim().split('\n').slice(-5).join(' | ');
    } catch {
      return '(no log)';
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.children.map((child) => stopChild(child)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) {
    live.delete(child);
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  live.delete(child);
}

/** Polls until `check` resolves, failing with its last error after `ms`, or at once when `exited` rejects. */
async function until(what: string, check: () => Promise<boolean>, exited: Promise<never>[], ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown = null;
  for (;;) {
    try {
      if (await Promise.race([check(), ...exited])) return;
    } catch (err) {
      if (err instanceof Error && / exited \(/.test(err.message)) throw err;
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} not ready within ${ms} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function cli(args: string[]): Promise<string> {
  try {
    const { stdout } = await run(BINARIES.cli as string, args, { timeout: 20_000 });
    return stdout.trim();
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    throw new Error(`redis-cli ${args.filter((arg) => !arg.includes('secret')).slice(-4).join(' ')}: ${`${stdout} ${stderr}`.trim().slice(-300)}`, { cause: err });
  }
}

/** The common flags of a Redis server that keeps nothing on disk and talks to 127.0.0.1 only. */
const ephemeral = (dir: string, logFile: string) => ['--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--logfile', logFile];

/** A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, in `dir`. */
async function certificates(dir: string): Promise<{ ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string }> {
  const openssl = (...args: string[]) => run(BINARIES.openssl as string, args, { cwd: dir, timeout: 30_000 });
  const file = (name: string) => join(dir, name);
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '1', '-subj', '/CN=datamon test CA');
  const sign = async (name: string, subject: string, extensions: string, serial: string) => {
    writeFileSync(file(`${name}.ext`), extensions);
    await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', subject);
    await openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-set_serial', serial, '-days', '1', '-sha256', '-extfile', file(`${name}.ext`), '-out', file(`${name}.crt`));
  };
  // Cluster nodes and sentinels present the server certificate as clients of each other, too.
  await sign('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n', '1001');
  await sign('client', '/CN=datamon', 'extendedKeyUsage=clientAuth\n', '1002');
  return { ca: file('ca.crt'), serverCert: file('server.crt'), serverKey: file('server.key'), clientCert: file('client.crt'), clientKey: file('client.key') };
}

type Certificates = Awaited<ReturnType<typeof certificates>>;

/** Server flags: TLS only (`--port 0`), on `port`, asking clients for a certificate. */
const tlsOnly = (certs: Certificates, port: number) => [
  '--port', '0',
  '--tls-port', String(port),
  '--tls-cert-file', certs.serverCert,
  '--tls-key-file', certs.serverKey,
  '--tls-ca-cert-file', certs.ca,
  '--tls-auth-clients', 'yes',
];
const tlsClient = (certs: Certificates) => ['--tls', '--cacert', certs.ca, '--cert', certs.clientCert, '--key', certs.clientKey];
const tlsFiles = (certs: Certificates) => ({ ca_file: certs.ca, cert_file: certs.clientCert, key_file: certs.clientKey });

/** One redis-server that speaks TLS only and asks clients for a certificate. */
export async function startTlsRedis(): Promise<Topology> {
  const running = new Running(mkdtempSync(join(tmpdir(), 'datamon-redis-tls-')));
  try {
    const certs = await certificates(running.dir);
    const [port] = (await freePorts(1)) as [number];
    const { exited } = running.spawn('redis', BINARIES.server as string, [...ephemeral(running.dir, join(running.dir, 'redis.log')), ...tlsOnly(certs, port)]);
    const ask = (at: number, ...args: string[]) => cli(['-h', '127.0.0.1', '-p', String(at), ...tlsClient(certs), ...args]);
    await until('the TLS Redis', async () => (await ask(port, 'ping')) === 'PONG', [exited]);
    return {
      redis: { url: `rediss://127.0.0.1:${port}`, tls: tlsFiles(certs) },
      dir: running.dir,
      cli: ask,
      ports: [port],
      stop: () => running.stop(),
    };
  } catch (err) {
    await running.stop();
    throw err;
  }
}

/**
 * A master with a password, watched by one sentinel (with a password of its own) under the name
 * `datamon-master`; with `tls`, both speak TLS only.
 */
export async function startSentinel(options: { tls?: boolean } = {}): Promise<Topology> {
  const running = new Running(mkdtempSync(join(tmpdir(), 'datamon-redis-sentinel-')));
  const name = 'datamon-master';
  const password = 'master-secret-4711';
  const sentinelPassword = 'sentinel-secret-0815';
  try {
    const certs = options.tls ? await certificates(running.dir) : null;
    const [masterPort, sentinelPort] = (await freePorts(2)) as [number, number];
    const master = running.spawn('master', BINARIES.server as string, [
      ...ephemeral(running.dir, join(running.dir, 'master.log')),
      ...(certs ? tlsOnly(certs, masterPort) : ['--port', String(masterPort)]),
      '--requirepass', password,
    ]);
    const ask = (at: number, ...args: string[]) =>
      cli(['-h', '127.0.0.1', '-p', String(at), ...(certs ? tlsClient(certs) : []), '--no-auth-warning', '-a', at === sentinelPort ? sentinelPassword : password, ...args]);
    await until('the master', async () => (await ask(masterPort, 'ping')) === 'PONG', [master.exited]);
    // A sentinel rewrites its config file, so it gets one of its own.
    const config = join(running.dir, 'sentinel.conf');
    writeFileSync(
      config,
      [
        ...(certs
          ? ['port 0', `tls-port ${sentinelPort}`, `tls-cert-file ${certs.serverCert}`, `tls-key-file ${certs.serverKey}`, `tls-ca-cert-file ${certs.ca}`, 'tls-auth-clients yes', 'tls-replication yes']
          : [`port ${sentinelPort}`]),
        'bind 127.0.0.1',
        `dir ${running.dir}`,
        `logfile ${join(running.dir, 'sentinel.log')}`,
        `requirepass ${sentinelPassword}`,
        `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`,
        `sentinel auth-pass ${name} ${password}`,
        `sentinel down-after-milliseconds ${name} 5000`,
        '',
      ].join('\n'),
    );
    const sentinel = BINARIES.sentinel
      ? running.spawn('sentinel', BINARIES.sentinel, [config])
      : running.spawn('sentinel', BINARIES.server as string, [config, '--sentinel']);
    await until('the sentinel', async () => (await ask(sentinelPort, 'sentinel', 'get-master-addr-by-name', name)).includes(String(masterPort)), [master.exited, sentinel.exited]);
    return {
      redis: {
        sentinel: { name, nodes: [`127.0.0.1:${sentinelPort}`], password, sentinel_password: sentinelPassword },
        ...(certs ? { tls: { enabled: true, ...tlsFiles(certs) } } : {}),
      },
      dir: running.dir,
      cli: ask,
      ports: [masterPort],
      stop: () => running.stop(),
    };
  } catch (err) {
    await running.stop();
    throw err;
  }
}

/** Three masters with a password, no replicas, every slot assigned; with `tls`, clients and the cluster bus speak TLS only. */
export async function startCluster(options: { tls?: boolean } = {}): Promise<Topology> {
  const running = new Running(mkdtempSync(join(tmpdir(), 'datamon-redis-cluster-')));
  const password = 'cluster-secret-4711';
  try {
    const certs = options.tls ? await certificates(running.dir) : null;
    const all = await freePorts(6);
    const ports = all.slice(0, 3);
    const nodes = ports.map((port, index) => {
      const dir = join(running.dir, `node-${port}`);
      mkdirSync(dir);
      return running.spawn(`node-${port}`, BINARIES.server as string, [
        ...ephemeral(dir, join(running.dir, `node-${port}.log`)),
        ...(certs ? [...tlsOnly(certs, port), '--tls-cluster', 'yes'] : ['--port', String(port)]),
        '--cluster-enabled', 'yes',
        '--cluster-config-file', join(dir, 'nodes.conf'),
        // The bus port is chosen too: port + 10000 may be taken, or not exist.
        '--cluster-port', String(all[3 + index]),
        '--cluster-node-timeout', '5000',
        '--requirepass', password,
        '--masterauth', password,
      ]);
    });
    const exited = nodes.map((node) => node.exited);
    const client = [...(certs ? tlsClient(certs) : []), '--no-auth-warning', '-a', password];
    const ask = (at: number, ...args: string[]) => cli(['-h', '127.0.0.1', '-p', String(at), ...client, ...args]);
    for (const port of ports) await until(`cluster node ${port}`, async () => (await ask(port, 'ping')) === 'PONG', exited);
    await cli([...client, '--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes']);
    for (const port of ports) await until(`cluster node ${port}`, async () => (await ask(port, 'cluster', 'info')).includes('cluster_state:ok'), exited, 30_000);
    return {
      redis: { cluster: { nodes: ports.map((port) => `127.0.0.1:${port}`), password }, ...(certs ? { tls: { enabled: true, ...tlsFiles(certs) } } : {}) },
      dir: running.dir,
      cli: ask,
      ports,
      stop: () => running.stop(),
    };
  } catch (err) {
    await running.stop();
    throw err;
  }
}
