import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { CommandError } from '../context.ts';
import {
  type Command,
  type EmbeddedLayout,
  findProgram,
  installationBase,
  installerDirectories,
  MYSQL_INSTALLERS,
  MYSQL_SERVER_PROGRAMS,
  type MysqlFlavour,
  mysqlFlavour,
  mysqlInitCommand,
  mysqlServerCommand,
  recordedServerVerdict,
  REDIS_PROGRAMS,
  redisCommand,
  searchDirectories,
  type ServerRecord,
} from './embedded-commands.ts';
import { probeMysql, probeRedis, type MysqlAddress } from './preflight.ts';

/**
 * The demo's private Redis and MariaDB: found on this machine, started on free loopback ports
 * in process groups of their own (a terminal's Ctrl-C reaches the demo, which stops them after
 * its roles, never before), recorded in `server.json` so a demo that was killed leaves nothing
 * a later run cannot stop, and stopped group and all.
 */

export interface MysqlPrograms {
  server: string;
  flavour: MysqlFlavour;
  /** mariadb-install-db; null for MySQL, which initialises itself. */
  installer: string | null;
  base: string;
}

export interface ServerPrograms {
  redis: string | null;
  /** Null when there is no server, or no way to initialise a MariaDB one. */
  mysql: MysqlPrograms | null;
}

/** The server programs installed on this machine (PATH, then the usual server folders). */
export async function findServerPrograms(path: string | undefined): Promise<ServerPrograms> {
  const directories = searchDirectories(path);
  const redis = findProgram(REDIS_PROGRAMS, directories, isExecutable);
  const server = findProgram(MYSQL_SERVER_PROGRAMS, directories, isExecutable);
  if (server === null) return { redis, mysql: null };
  const real = realpathSync(server);
  const version = await promisify(execFile)(server, ['--version'], { timeout: 15_000 }).then(
    (result) => result.stdout,
    () => '',
  );
  const flavour = mysqlFlavour(version);
  const installer = flavour === 'mariadb' ? findProgram(MYSQL_INSTALLERS, installerDirectories(real, directories), isExecutable) : null;
  if (flavour === 'mariadb' && installer === null) return { redis, mysql: null };
  return { redis, mysql: { server, flavour, installer, base: installationBase(real) } };
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

export interface StartedServer {
  pid: number;
  port: number;
  /** How long it took, including a first initialisation. */
  ms: number;
  /** Whether its data folder was created by this run (false: kept from an earlier one). */
  initialised: boolean;
}

/** How long a stop waits for a server to exit after SIGTERM before it sends SIGKILL. */
const STOP_GRACE_MS = 6_000;
/** Generous: mariadb-install-db and a first InnoDB start on a busy two-core machine. */
const INIT_TIMEOUT_MS = 300_000;
const READY_TIMEOUT_MS = { redis: 30_000, mysql: 180_000 } as const;
const PORT_ATTEMPTS = 3;

/**
 * The private servers of one demo run. `stop()` ends every process it started (servers and a
 * running installer), and may be called any number of times, from any path: a signal, an error,
 * the end of the run.
 */
export class EmbeddedServices {
  private readonly children = new Map<ChildProcess, { exited: Promise<void>; state: string | null }>();
  private stopping: Promise<void> | null = null;
  private closed = false;

  constructor(readonly layout: EmbeddedLayout) {}

  /** Whether any process was started (and so whether there is anything to stop). */
  get started(): boolean {
    return this.children.size > 0;
  }

  async startRedis(program: string): Promise<StartedServer & { url: string }> {
    const started = performance.now();
    await mkdir(this.layout.redis.directory, { recursive: true });
    const { child, port } = await this.startServer('Redis', program, (port) => redisCommand(program, port, this.layout.redis.directory), {
      log: this.layout.redis.log,
      state: this.layout.redis.state,
      ready: async (port) => (await probeRedis(redisUrl(port))).state === 'ok',
      timeoutMs: READY_TIMEOUT_MS.redis,
    });
    return { pid: child.pid ?? 0, port, url: redisUrl(port), ms: Math.round(performance.now() - started), initialised: false };
  }

  async startMysql(programs: MysqlPrograms): Promise<StartedServer & { account: MysqlAddress }> {
    const started = performance.now();
    const { layout } = this;
    await mkdir(layout.mysql.directory, { recursive: true });
    const initialised = !existsSync(`${layout.mysql.data}/mysql`);
    if (initialised) await this.initialiseMysql(programs);
    const runAsRoot = process.getuid?.() === 0;
    const { child, port } = await this.startServer(
      programs.flavour === 'mariadb' ? 'MariaDB' : 'MySQL',
      programs.server,
      (port) => mysqlServerCommand({ flavour: programs.flavour, server: programs.server, port, layout: layout.mysql, runAsRoot }),
      {
        log: layout.mysql.log,
        state: layout.mysql.state,
        ready: async (port) => (await probeMysql(rootAccount(port))).state === 'ok',
        timeoutMs: READY_TIMEOUT_MS.mysql,
      },
    );
    return { pid: child.pid ?? 0, port, account: rootAccount(port), ms: Math.round(performance.now() - started), initialised };
  }

  /** Stops every process started, in parallel, each group with SIGTERM then SIGKILL. */
  stop(): Promise<void> {
    this.closed = true;
    this.stopping ??= Promise.all(
      [...this.children].map(async ([child, entry]) => {
        await stopGroup(child, entry.exited);
        if (entry.state !== null) await rm(entry.state, { force: true });
      }),
    ).then(() => undefined);
    return this.stopping;
  }

  /**
   * SIGTERM to every group still running, without waiting: for `process.on('exit')`, where
   * nothing asynchronous runs. The servers then shut down on their own.
   */
  signalNow(): void {
    for (const child of this.children.keys()) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) signalGroup(child.pid, 'SIGTERM');
    }
  }

  /** mariadb-install-db into a scratch folder, renamed when complete: a half-made folder is never taken for a made one. */
  private async initialiseMysql(programs: MysqlPrograms): Promise<void> {
    const { layout } = this;
    await rm(layout.mysql.partial, { recursive: true, force: true });
    if (programs.flavour === 'mariadb') await mkdir(layout.mysql.partial, { recursive: true });
    const command = mysqlInitCommand({ ...programs, data: layout.mysql.partial, runAsRoot: process.getuid?.() === 0 });
    if (command === null) throw new CommandError(`cannot initialise a private MariaDB: mariadb-install-db is not installed beside ${programs.server}`);
    const offset = fileSize(layout.mysql.installLog);
    const { child, exited } = this.spawnGroup(command, layout.mysql.installLog, null);
    if (!(await settlesWithin(exited, INIT_TIMEOUT_MS))) {
      await stopGroup(child, exited);
      throw new CommandError(`${basename(command.program)} did not finish in ${INIT_TIMEOUT_MS / 1000} s; its log: ${layout.mysql.installLog}`);
    }
    this.children.delete(child);
    if (child.exitCode !== 0) {
      throw new CommandError(`${basename(command.program)} failed (${describeExit(child)}): ${logTail(layout.mysql.installLog, offset)} (log: ${layout.mysql.installLog})`);
    }
    await rename(layout.mysql.partial, layout.mysql.data);
  }

  /**
   * Starts a server on a free loopback port and waits until it answers. Another program may take
   * the port between our choosing it and the server binding it: then it tries another.
   */
  private async startServer(
    label: string,
    program: string,
    command: (port: number) => Command,
    options: { log: string; state: string; ready: (port: number) => Promise<boolean>; timeoutMs: number },
  ): Promise<{ child: ChildProcess; port: number }> {
    for (let attempt = 1; ; attempt += 1) {
      const port = await freeLoopbackPort();
      const offset = fileSize(options.log);
      const { child, exited } = this.spawnGroup(command(port), options.log, options.state);
      const record: ServerRecord = { pid: child.pid ?? 0, ownerPid: process.pid, port, program };
      await writeFile(options.state, `${JSON.stringify(record)}\n`);
      const deadline = Date.now() + options.timeoutMs;
      let exitedEarly = false;
      void exited.then(() => (exitedEarly = true));
      while (!exitedEarly && Date.now() < deadline) {
        if (await options.ready(port)) return { child, port };
        await delay(150);
      }
      const tail = logTail(options.log, offset);
      await stopGroup(child, exited);
      this.children.delete(child);
      await rm(options.state, { force: true });
      if (exitedEarly && /in use|bind on tcp/i.test(tail) && attempt < PORT_ATTEMPTS) continue;
      const why = exitedEarly ? `exited (${describeExit(child)})` : `did not answer in ${options.timeoutMs / 1000} s`;
      throw new CommandError(`the private ${label} (${program}) ${why}: ${tail || 'no output'} (log: ${options.log})`);
    }
  }

  private spawnGroup(command: Command, log: string, state: string | null): { child: ChildProcess; exited: Promise<void> } {
    if (this.closed) throw new CommandError('the demo is stopping');
    const fd = openSync(log, 'a');
    let child: ChildProcess;
    try {
      // detached: a process group of its own, so the terminal's Ctrl-C does not reach it and a
      // stop can signal the group (a server's helpers included).
      child = spawn(command.program, command.args, { detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    this.children.set(child, { exited, state });
    return { child, exited };
  }
}

function redisUrl(port: number): string {
  return `redis://127.0.0.1:${port}`;
}

/** The private MariaDB's account: root without a password, on a loopback-only server of the demo's own. */
function rootAccount(port: number): MysqlAddress {
  return { host: '127.0.0.1', port, user: 'root', password: '' };
}

/** SIGTERM to the group, SIGKILL after STOP_GRACE_MS, then SIGKILL to whatever is left in it. */
async function stopGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  if (child.exitCode === null && child.signalCode === null) {
    signalGroup(pid, 'SIGTERM');
    if (!(await settlesWithin(exited, STOP_GRACE_MS))) {
      signalGroup(pid, 'SIGKILL');
      await exited;
    }
  }
  signalGroup(pid, 'SIGKILL');
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is empty already.
  }
}

/**
 * Stops the private servers an earlier demo recorded and could not stop (it was killed), so
 * their ports, data folder and memory are free again. Refuses when that demo is still running.
 *
 * @returns one line per server stopped
 */
export async function stopOrphanedServers(layout: EmbeddedLayout): Promise<string[]> {
  const lines: string[] = [];
  for (const [label, state] of [
    ['Redis', layout.redis.state],
    ['MariaDB', layout.mysql.state],
  ] as const) {
    const record = readRecord(state);
    if (record === null) continue;
    const running = { server: isRunning(record.pid, basename(record.program)), owner: isRunning(record.ownerPid, 'node') };
    const verdict = recordedServerVerdict(record, running, process.pid);
    if (verdict === 'in-use') {
      throw new CommandError(`another datamon demo (pid ${record.ownerPid}) is running with the private ${label} in ${layout.root}: stop it (Ctrl-C) first`);
    }
    if (verdict === 'stop') {
      signalGroup(record.pid, 'SIGTERM');
      if (!(await exitsWithin(record.pid, STOP_GRACE_MS))) {
        signalGroup(record.pid, 'SIGKILL');
        await exitsWithin(record.pid, STOP_GRACE_MS);
      }
      signalGroup(record.pid, 'SIGKILL');
      lines.push(`stopped the private ${label} an earlier demo left running (pid ${record.pid}, port ${record.port})`);
    }
    await rm(state, { force: true });
  }
  return lines;
}

function readRecord(file: string): ServerRecord | null {
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as Partial<ServerRecord>;
    if (typeof record.pid !== 'number' || typeof record.ownerPid !== 'number' || typeof record.program !== 'string' || record.pid <= 1) return null;
    return { pid: record.pid, ownerPid: record.ownerPid, port: Number(record.port), program: record.program };
  } catch {
    return null;
  }
}

async function exitsWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isRunning(pid, null)) return true;
    await delay(100);
  }
  return !isRunning(pid, null);
}

/**
 * Whether `pid` is a live process (a zombie is not: no init may reap it in a container) running
 * `program` (when the system says which program it runs; assumed when it cannot).
 */
function isRunning(pid: number, program: string | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readText(`/proc/${pid}/stat`);
  if (stat !== null && /\)\s+Z/.test(stat)) return false;
  if (program === null) return true;
  const name = readText(`/proc/${pid}/comm`)?.trim() ?? psCommand(pid);
  // Linux keeps 15 characters of a program's name.
  return name === null || basename(name).startsWith(program.slice(0, 15));
}

function psCommand(pid: number): string | null {
  const ps = spawnSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8', timeout: 5000 });
  if (ps.error || ps.status !== 0) return ps.status === 1 ? '' : null;
  return ps.stdout.trim();
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** A port nothing listens on at the moment, on 127.0.0.1. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The last lines a program wrote to its log since `offset`, on one line, for an error message. */
function logTail(file: string, offset: number): string {
  try {
    const size = fileSize(file);
    const start = Math.max(offset, size - 1500);
    const buffer = Buffer.alloc(size - start);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, start);
    } finally {
      closeSync(fd);
    }
    const lines = buffer.toString('utf8').split('\n').map((line) => line.trim()).filter(Boolean);
    const errors = lines.filter((line) => /error|fatal|abort|can't|cannot|denied|in use/i.test(line));
    return (errors.length > 0 ? errors : lines).slice(-3).join(' | ');
  } catch {
    return '';
  }
}

function describeExit(child: ChildProcess): string {
  return child.signalCode ? `signal ${child.signalCode}` : `exit code ${child.exitCode}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `promise` settles within `ms`; the timer goes with the answer, so it keeps nothing alive. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
