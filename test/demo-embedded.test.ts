import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import type { StatusSnapshot } from '@datamon/core';
import { createRedisConnection } from '@datamon/store';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { findServerPrograms } from '../packages/cli/src/demo/embedded.ts';
import { testDatabaseSettings } from '../packages/checks/test/helpers/test-config.ts';
import { closedPort } from '../packages/checks/test/helpers/ports.ts';

const CLI = join(import.meta.dirname, '../packages/cli/bin/datamon.js');
const workdir = mkdtempSync(join(tmpdir(), 'datamon-demo-embedded-'));
const mysql = testDatabaseSettings();
const programs = await findServerPrograms(process.env.PATH);
const missing = programs.redis === null || programs.mysql === null ? 'redis-server or a MariaDB server is not installed' : false;

/** A demo name of its own per test: its database, Redis prefix and folder. */
function demoName(): { name: string; prefix: string; folder: string } {
  const name = `datamon_demo_e${randomUUID().replaceAll('-', '').slice(0, 8)}`;
  const prefix = name.replaceAll('_', '-');
  return { name, prefix, folder: join(workdir, `.${prefix}`) };
}

const embedded = demoName();
/** Redis and MySQL addresses where nothing listens: the demo must start its own. */
const silentEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DATAMON_DEMO_DATABASE: embedded.name,
  DATAMON_DEMO_REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
  DATAMON_DEMO_MYSQL_PORT: String(await closedPort()),
};

const running = new Set<ChildProcess>();
after(() => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  // Stops whatever a failed test left running, and removes the folder.
  spawnSync(process.execPath, [CLI, 'demo', '--reset'], { cwd: workdir, env: silentEnv, encoding: 'utf8' });
  rmSync(workdir, { recursive: true, force: true });
});

interface Started {
  demo: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  redis: { port: number; pid: number };
  mysql: { port: number; pid: number };
  /** Milliseconds from spawning the demo to every pipeline checked on the dashboard. */
  readyMs: number;
  snapshot: StatusSnapshot;
}

async function freePort(): Promise<number> {
  // A closed port is a free one: bound, read and released.
  return closedPort();
}

/** Starts the demo, waits for "is running" and for every pipeline's first check on /api/status. */
async function startDemo(env: Record<string, string | undefined>): Promise<Started> {
  const started = Date.now();
  const dashboard = await freePort();
  const demo = spawn(process.execPath, [CLI, 'demo'], { cwd: workdir, env: { ...env, DATAMON_DEMO_PORT: String(dashboard) }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(demo);
  let stdout = '';
  let stderr = '';
  demo.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  demo.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Generous: mariadb-install-db and a million-row seed on a shared two-core machine.
  const deadline = Date.now() + 400_000;
  while (!stdout.includes('datamon demo is running')) {
    assert.ok(Date.now() < deadline, `the demo did not start: ${stderr}`);
    assert.equal(demo.exitCode, null, `the demo exited: ${stderr}`);
    await sleep(100);
  }
  const redis = stderr.match(/started a private Redis on 127\.0\.0\.1:(\d+) \(pid (\d+)/);
  const server = stderr.match(/started a private (?:MariaDB|MySQL) on 127\.0\.0\.1:(\d+) \(pid (\d+)/);
  assert.ok(redis && server, stderr);
  let snapshot: StatusSnapshot | null = null;
  while (Date.now() < deadline) {
    const response = await fetch(`http://127.0.0.1:${dashboard}/api/status`);
    if (response.ok) {
      snapshot = (await response.json()) as StatusSnapshot;
      if (snapshot.pipelines.length > 0 && snapshot.pipelines.every((pipeline) => pipeline.checkedAt !== null)) break;
    }
    await sleep(200);
  }
  assert.ok(snapshot, 'no status from the dashboard');
  return {
    demo,
    stdout: () => stdout,
    stderr: () => stderr,
    redis: { port: Number(redis[1]), pid: Number(redis[2]) },
    mysql: { port: Number(server[1]), pid: Number(server[2]) },
    readyMs: Date.now() - started,
    snapshot,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // An exited orphan may wait a moment for its reaper: a zombie holds no port and runs nothing.
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/\)\s+Z/.test(stat);
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  return !isAlive(pid);
}

function processGroupOf(pid: number): number {
  return Number(spawnSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim());
}

/** Whether something accepts TCP connections on the loopback port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Processes whose command line names the folder (Linux: /proc; elsewhere nothing to look at). */
function processesUsing(folder: string): number[] {
  if (!existsSync('/proc')) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(folder) && isAlive(Number(entry))) pids.push(Number(entry));
    } catch {
      // It ended while we looked.
    }
  }
  return pids;
}

async function assertNothingLeft(started: Started, folder: string): Promise<void> {
  for (const [label, server] of [
    ['Redis', started.redis],
    ['MariaDB', started.mysql],
  ] as const) {
    assert.ok(await waitGone(server.pid, 30_000), `the private ${label} (pid ${server.pid}) is still running`);
    assert.equal(await listening(server.port), false, `something still listens on the private ${label}'s port ${server.port}`);
  }
  assert.deepEqual(processesUsing(folder), [], 'no process may keep running on the demo folder');
}

function report(t: TestContext, what: string, ms: number): void {
  t.diagnostic(`${what}: ${(ms / 1000).toFixed(1)} s`);
}

describe('datamon demo where nothing answers for Redis or MySQL', { skip: missing }, () => {
  it('starts a private Redis and MariaDB, the dashboard shows the pipelines, and Ctrl-C leaves nothing running', { timeout: 600_000 }, async (t) => {
    const started = await startDemo(silentEnv);
    report(t, 'first start to every pipeline checked (mariadb-install-db included)', started.readyMs);
    const lines = started.stderr().split('\n');
    assert.equal(lines.filter((line) => line.includes('started a private')).length, 2, started.stderr());
    assert.match(started.stderr(), /nothing answers at redis:\/\/127\.0\.0\.1:\d+: started a private Redis/);
    assert.match(started.stderr(), /nothing answers at 127\.0\.0\.1:\d+: started a private MariaDB on 127\.0\.0\.1:\d+ \(pid \d+, data created in/);
    assert.ok(existsSync(join(embedded.folder, 'services/mariadb/data/mysql')), 'the data folder is under the demo folder');

    const { snapshot } = started;
    assert.ok(snapshot.pipelines.length >= 7, JSON.stringify(snapshot.pipelines.map((pipeline) => pipeline.id)));
    assert.equal(snapshot.pipelines.find((pipeline) => pipeline.id === 'etl_calls')?.status, 'CRITICAL', 'the private warehouse is seeded, stale on purpose');
    assert.equal(snapshot.pipelines.find((pipeline) => pipeline.id === 'afternoon_csv')?.status, 'PENDING');
    for (const server of [started.redis, started.mysql]) assert.equal(processGroupOf(server.pid), server.pid, 'each server leads a process group of its own');

    const exit = new Promise<number | null>((resolve) => started.demo.once('exit', (code) => resolve(code)));
    started.demo.kill('SIGINT');
    assert.equal(await exit, 0, started.stderr());
    await assertNothingLeft(started, embedded.folder);
    assert.equal(readdirSync(join(embedded.folder, 'services/mariadb')).includes('server.json'), false, 'a clean stop leaves no record of a running server');
  });

  it('starts again on the kept data without initialising it, and --reset stops what a killed demo left behind', { timeout: 600_000 }, async (t) => {
    const started = await startDemo(silentEnv);
    report(t, 'second start to every pipeline checked', started.readyMs);
    assert.match(started.stderr(), /started a private MariaDB on .*data kept in/);

    // SIGKILL: the demo has no chance to stop its servers.
    const exit = new Promise((resolve) => started.demo.once('exit', resolve));
    started.demo.kill('SIGKILL');
    await exit;
    assert.ok(isAlive(started.mysql.pid) && isAlive(started.redis.pid), 'killed without a stop, the servers outlive the demo');

    const reset = spawnSync(process.execPath, [CLI, 'demo', '--reset'], { cwd: workdir, env: silentEnv, encoding: 'utf8', timeout: 120_000 });
    assert.equal(reset.status, 0, reset.stderr);
    assert.match(reset.stdout, /stopped the private Redis an earlier demo left running/);
    assert.match(reset.stdout, /stopped the private MariaDB an earlier demo left running/);
    assert.match(reset.stdout, /removed .* \(config, CSV files, logs, and the private MariaDB and Redis data\)/);
    assert.equal(existsSync(embedded.folder), false);
    await assertNothingLeft(started, embedded.folder);
  });
});

describe('datamon demo --reset where Redis and MySQL answer', () => {
  const external = demoName();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATAMON_DEMO_DATABASE: external.name,
    DATAMON_DEMO_MYSQL_USER: mysql.user,
    DATAMON_DEMO_MYSQL_PASSWORD: mysql.password,
  };
  const neighbour = `${external.prefix}-other:kept`;
  after(async () => {
    const admin = await createConnection(mysql);
    await admin.query('DROP DATABASE IF EXISTS ??', [external.name]);
    await admin.end();
    const redis = createRedisConnection('redis://127.0.0.1:6379');
    await redis.del(neighbour, `${external.prefix}:status`, `${external.prefix}:checks:wait`);
    redis.disconnect();
  });

  it('drops the demo database, deletes the keys under its prefix and its folder, and says so', { timeout: 120_000 }, async () => {
    const admin = await createConnection(mysql);
    await admin.query('CREATE DATABASE ??', [external.name]);
    const redis = createRedisConnection('redis://127.0.0.1:6379');
    await redis.set(`${external.prefix}:status`, '{}');
    await redis.rpush(`${external.prefix}:checks:wait`, 'job');
    await redis.set(neighbour, 'not the demo\'s');
    mkdirSync(join(external.folder, 'daily_reports'), { recursive: true });
    writeFileSync(join(external.folder, 'monitoring_config.yaml'), '# demo\n');

    const run = spawnSync(process.execPath, [CLI, 'demo', '--reset'], { cwd: workdir, env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`dropped the database ${external.name} on 127\\.0\\.0\\.1:3306`));
    assert.match(run.stdout, new RegExp(`deleted 2 Redis keys under ${external.prefix}: at redis://127\\.0\\.0\\.1:6379`));
    assert.match(run.stdout, /removed .* \(config, CSV files, logs\)/);

    const [schemas] = await admin.query<RowDataPacket[]>('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [external.name]);
    assert.equal(schemas.length, 0);
    assert.equal(await redis.exists(`${external.prefix}:status`, `${external.prefix}:checks:wait`), 0);
    assert.equal(await redis.get(neighbour), 'not the demo\'s', 'a key outside the prefix stays');
    assert.equal(existsSync(external.folder), false);
    await admin.end();
    redis.disconnect();

    const again = spawnSync(process.execPath, [CLI, 'demo', '--reset'], { cwd: workdir, env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`no database ${external.name} on`));
    assert.match(again.stdout, new RegExp(`no Redis keys under ${external.prefix}:`));
  });

  it('names the database and gives the SQL for an account when MySQL refuses the demo\'s user', { timeout: 60_000 }, () => {
    const run = spawnSync(process.execPath, [CLI, 'demo'], {
      cwd: workdir,
      env: { ...env, DATAMON_DEMO_MYSQL_USER: 'datamon_no_such_user', DATAMON_DEMO_MYSQL_PASSWORD: 'wrong' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 3, run.stderr);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0] ?? '', /MySQL at 127\.0\.0\.1:3306 refused user "datamon_no_such_user"/);
    assert.match(lines[0] ?? '', new RegExp(`CREATE USER 'datamon_demo'@'127\\.0\\.0\\.1' IDENTIFIED BY '[\\w-]+'; GRANT ALL PRIVILEGES ON \`${external.name}\`\\.\\* TO 'datamon_demo'@'127\\.0\\.0\\.1';`));
    assert.equal(processesUsing(external.folder).length, 0);
  });
});
