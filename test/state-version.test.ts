import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { createQueues } from '@datamon/jobs';
import { startServer } from '@datamon/server';
import { createRedisConnection, DatamonStore, STATE_VERSION, StateVersionError } from '@datamon/store';
import { type RoleHandle, startAlertWorker, startCheckWorker, startScheduler } from '@datamon/workers';
import { captureLogger, testSetup, waitFor } from '../packages/workers/test/helpers.ts';

/**
 * README "Versions and upgrades": every role stamps the state layout on an empty Redis, carries
 * on at its own, and refuses to start on a newer one, naming both versions and what to do;
 * `datamon start` then exits 3. Real Redis, a prefix per test.
 */

const ROOT = join(import.meta.dirname, '..');
const DATAMON = join(ROOT, 'packages/cli/bin/datamon.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const NEWER = STATE_VERSION + 4;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A config under a prefix of its own, its store, and clean-up of both. */
function setup(options: { redisUrl?: string } = {}) {
  const env = testSetup({ pipelines: 1, ...options });
  const redis = createRedisConnection(env.config.redis.url);
  redis.on('error', () => undefined);
  const store = new DatamonStore(redis, { prefix: env.config.redis.prefix, historyDays: 1 });
  cleanups.push(async () => {
    if (options.redisUrl) rmSync(env.folder, { recursive: true, force: true });
    else await env.cleanup(redis);
    redis.disconnect();
  });
  return { env, store, key: store.keys.stateVersion };
}

function started<Handle extends RoleHandle>(handle: Handle): Handle {
  cleanups.push(() => handle.close());
  return handle;
}

describe('a role starting on an empty Redis', () => {
  it('stamps the state version, then works and says it is alive', async () => {
    const { env, store, key } = setup();
    const { logger, lines } = captureLogger('checks');
    const worker = started(await startCheckWorker({ config: env.config, logger }));
    assert.equal((await worker.stateVersion).outcome, 'stamped');
    assert.equal(await store.redis.get(key), String(STATE_VERSION));
    assert.ok(lines.some((line) => /stamped with layout version 1/.test(String(line.msg))));
    await waitFor(async () => (await store.monitor.heartbeats(new Date())).some((beat) => beat.role === 'checks'), 5_000, 'the heartbeat');

    const scheduler = started(await startScheduler({ config: env.config, logger }));
    assert.equal((await scheduler.stateVersion).outcome, 'current', 'the next role finds it stamped');
  });
});

describe('a role starting on a Redis stamped by a newer datamon', () => {
  it('refuses: no job is run, nothing is stored, no heartbeat, and the log names both versions', async () => {
    const { env, store, key } = setup();
    await store.redis.set(key, String(NEWER));
    const { logger, lines } = captureLogger('all');
    const worker = started(await startCheckWorker({ config: env.config, logger }));
    const alerts = started(await startAlertWorker({ config: env.config, logger }));
    const scheduler = started(await startScheduler({ config: env.config, logger }));
    for (const handle of [worker, alerts, scheduler]) {
      await assert.rejects(handle.stateVersion, (err: unknown) => err instanceof StateVersionError && err.stored === NEWER && err.known === STATE_VERSION, handle.name);
    }
    await assert.rejects(scheduler.ready, StateVersionError, 'the scheduler sets up no schedule');

    const queues = createQueues(env.config);
    cleanups.push(() => queues.close());
    await queues.checks.add('run-pipeline', { pipelineId: 'p0001', requestedAt: '', requestedBy: 'test' });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(await store.results.latest('p0001'), null, 'no check ran on a layout this build does not know');
    assert.deepEqual(await store.monitor.heartbeats(new Date()), []);
    assert.equal(await store.redis.get(key), String(NEWER), 'the newer version is left alone');
    const refusals = lines.filter((line) => line.level === 50 && /refusing to start: Redis holds datamon state version 5 .*newer than 1.*Upgrade datamon/.test(String(line.msg)));
    assert.equal(refusals.length, 3, 'one line per role');
  });

  it('the api refuses before it listens', async () => {
    const { env, store, key } = setup();
    await store.redis.set(key, String(NEWER));
    const config = { ...env.config, dashboard: { ...env.config.dashboard, host: '127.0.0.1', port: 0 } };
    const { logger } = captureLogger('api');
    await assert.rejects(startServer({ config, logger }), /the api refuses to start: Redis holds datamon state version 5/);
  });

  it('the api stamps an empty Redis like the other roles', async () => {
    const { env, store, key } = setup();
    const config = { ...env.config, dashboard: { ...env.config.dashboard, host: '127.0.0.1', port: 0 } };
    const { logger } = captureLogger('api');
    const api = started(await startServer({ config, logger }));
    assert.equal((await api.stateVersion).outcome, 'stamped');
    assert.equal(await store.redis.get(key), String(STATE_VERSION));
  });
});

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `datamon start --role checks` on a config file; resolves when it exits (killed after `timeoutMs`). */
function datamonStart(raw: unknown, folder: string, timeoutMs: number): { child: ChildProcess; exited: Promise<Exit> } {
  const configPath = join(folder, 'monitoring_config.json');
  writeFileSync(configPath, JSON.stringify(raw));
  const child = spawn(process.execPath, [DATAMON, 'start', '--role', 'checks', '--config', configPath], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code) => {
    clearTimeout(timer);
    resolve({ code, stdout, stderr });
  }));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, exited };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('datamon start on a Redis stamped by a newer datamon', () => {
  it('exits 3 before any role starts, naming both versions and saying to upgrade', async () => {
    const { env, store, key } = setup();
    await store.redis.set(key, String(NEWER));
    const run = await datamonStart(env.raw, env.folder, 30_000).exited;
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, new RegExp(`datamon: version ${VERSION.replaceAll('.', '\\.')} \\(state version 1\\) will not run on this Redis: Redis holds datamon state version 5`));
    assert.match(run.stderr, /Upgrade datamon to that release or later/);
    assert.doesNotMatch(run.stdout + run.stderr, /check worker started/);
  });

  it('exits 3 when Redis was down at start and comes up holding a newer version', async () => {
    // A Redis that loads a newer stamp from its dump file as it starts: no race with the roles.
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'datamon-state-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const { env, key } = setup({ redisUrl: `redis://127.0.0.1:${port}` });
    const redisArgs = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', 'dump.rdb', '--save', '', '--appendonly', 'no'];
    const seed = spawn('redis-server', redisArgs, { stdio: 'ignore' });
    try {
      await waitFor(() => ping(port), 10_000, 'the seeding redis-server');
      execFileSync('redis-cli', ['-p', String(port), 'SET', key, String(NEWER)]);
      execFileSync('redis-cli', ['-p', String(port), 'SAVE']);
    } finally {
      seed.kill('SIGKILL');
      await new Promise((resolve) => seed.once('exit', resolve));
    }

    const { exited } = datamonStart(env.raw, env.folder, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const redis = spawn('redis-server', redisArgs, { stdio: 'ignore' });
    cleanups.push(async () => {
      redis.kill('SIGKILL');
      await new Promise((resolve) => (redis.exitCode === null ? redis.once('exit', resolve) : resolve(null)));
    });
    const run = await exited;
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /datamon: version .* \(state version 1\) will not run on this Redis: Redis holds datamon state version 5/);
  });
});

function ping(port: number): boolean {
  try {
    return execFileSync('redis-cli', ['-p', String(port), 'PING'], { encoding: 'utf8' }).trim() === 'PONG';
  } catch {
    return false;
  }
}
