import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveConfig } from '@datamon/config';
import { createQueues } from '@datamon/jobs';
import { createRedisConnection, DatamonStore } from '@datamon/store';

/**
 * README "Reloading the config", on a real `datamon start` process: SIGHUP and
 * `POST /api/admin/reload` apply a changed file without a restart (pipelines added and removed,
 * a check-in's schedule changed, even while a check-in runs); an invalid file is refused with the
 * start-up messages, the running config stays, and the refusal is there for the dashboard.
 */

const ROOT = join(import.meta.dirname, '..');
const DATAMON = join(ROOT, 'packages/cli/bin/datamon.js');
const TOKEN = 'reload-token-0123456789';
const redisUrl = process.env.DATAMON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-${randomUUID()}`;
const folder = mkdtempSync(join(tmpdir(), 'datamon-reload-'));
const file = join(folder, 'monitoring_config.json');
let port = 0;
let warehouse: Server;
let warehousePort = 0;
const sockets = new Set<Socket>();
let child: ChildProcess;
const output: string[] = [];
let exited: Promise<number | null>;

const heartbeat = (id: string) => ({ id, name: id, kind: 'heartbeat', period_minutes: 60 });

/** The config file: heartbeats (no warehouse needed) and a slow warehouse check for the check-in. */
function writeConfig(pipelines: Record<string, unknown>[], cron = '30 7 * * *', extra: Record<string, unknown> = {}): void {
  const raw = {
    redis: { url: redisUrl, prefix },
    dashboard: { host: '127.0.0.1', port, auth: { tokens: [{ name: 'ops-script', token: TOKEN }] } },
    heartbeats: { ping_key: 'reload-ping-key-0123456789' },
    // A warehouse that accepts connections and never answers: its check takes the query timeout.
    database: { host: '127.0.0.1', port: warehousePort, user: 'nobody', password: 'unused', database: 'none', query_timeout_ms: 3_000 },
    pipelines: [...pipelines, { id: 'slow', name: 'Slow', kind: 'mysql_freshness', table: 'FactCalls', column: 'call_start', quick_check: false }],
    schedule: { checkins: { morning: { cron, pipelines: ['slow'] }, first_shift: { enabled: false }, second_shift: { enabled: false } } },
    ...extra,
  };
  writeFileSync(file, JSON.stringify(raw, null, 2));
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}\n${output.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function pipelineIds(): Promise<string[]> {
  const response = await fetch(`http://127.0.0.1:${port}/api/status`);
  const body = (await response.json()) as { pipelines: { id: string }[] };
  return body.pipelines.map((pipeline) => pipeline.id).sort();
}

const reloadStatus = async () => (await (await fetch(`http://127.0.0.1:${port}/api/admin/reload`)).json()) as { ok: boolean; message: string; by: string; added: string[]; removed: string[] } | null;

function postReload(token: string | null = TOKEN) {
  return fetch(`http://127.0.0.1:${port}/api/admin/reload`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: '{}',
  });
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return free;
}

before(async () => {
  port = await freePort();
  warehouse = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => warehouse.listen(0, '127.0.0.1', resolve));
  warehousePort = (warehouse.address() as { port: number }).port;
  writeConfig([heartbeat('job_a')]);
  child = spawn(process.execPath, [DATAMON, 'start', '--config', file], { cwd: folder, env: { ...process.env, DATAMON_SHUTDOWN_GRACE_MS: '6000' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  await waitFor('the first snapshot', async () => (await pipelineIds()).includes('job_a'), 30_000);
});

after(async () => {
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    await exited;
  }
  for (const socket of sockets) socket.destroy();
  warehouse.close();
  const config = resolveConfig({ redis: { url: redisUrl, prefix } }, { source: 'test', env: {} });
  const queues = createQueues(config);
  await queues.obliterate();
  await queues.close();
  const redis = createRedisConnection(redisUrl);
  await new DatamonStore(redis, { prefix, historyDays: 1 }).clear();
  redis.disconnect();
  rmSync(folder, { recursive: true, force: true });
});

describe('reloading the config of a running datamon', () => {
  it('SIGHUP adds a pipeline and moves a check-in, without a restart', async (t) => {
    writeConfig([heartbeat('job_a'), heartbeat('job_b')], '45 7 * * *');
    const sent = Date.now();
    child.kill('SIGHUP');
    await waitFor('job_b on the status', async () => (await pipelineIds()).includes('job_b'));
    t.diagnostic(`SIGHUP to the new pipeline on /api/status: ${Date.now() - sent} ms (SPEC 15 asks within 10 s)`);
    const status = await waitFor('the reload to be recorded', async () => {
      const current = await reloadStatus();
      return current?.ok && current.added.includes('job_b') ? current : null;
    });
    assert.match(status.by, /^SIGHUP to all on /);
    const config = resolveConfig({ redis: { url: redisUrl, prefix } }, { source: 'test', env: {} });
    const queues = createQueues(config);
    try {
      const scheduler = await waitFor('the moved check-in', async () => {
        const found = await queues.checks.queue.getJobScheduler('checkin:morning');
        return found?.pattern === '45 7 * * *' ? found : null;
      });
      assert.equal(scheduler.pattern, '45 7 * * *');
    } finally {
      await queues.close();
    }
    assert.equal(child.exitCode, null, 'the process kept running');
  });

  it('POST /api/admin/reload removes one, answers what changes, and needs credentials', async () => {
    writeConfig([heartbeat('job_a')], '45 7 * * *');
    assert.equal((await postReload(null)).status, 401);
    const response = await postReload();
    assert.equal(response.status, 200);
    const answer = (await response.json()) as { added: string[]; removed: string[]; changed: string[] };
    assert.deepEqual([answer.added, answer.removed, answer.changed], [[], ['job_b'], []]);
    await waitFor('job_b to leave the status', async () => !(await pipelineIds()).includes('job_b'));
  });

  it('applies a change that arrives while a check-in runs, and the check-in still finishes', async () => {
    const run = await fetch(`http://127.0.0.1:${port}/api/checkins/morning/run`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: '{}' });
    assert.equal(run.status, 202);
    writeConfig([heartbeat('job_a'), heartbeat('job_c')], '45 7 * * *');
    child.kill('SIGHUP');
    await waitFor('job_c on the status', async () => (await pipelineIds()).includes('job_c'));
    await waitFor('the check-in run', async () => {
      const body = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as { checkins: { id: string; lastRunAt: string | null }[] };
      return body.checkins.find((checkin) => checkin.id === 'morning')?.lastRunAt ?? null;
    }, 30_000);
  });

  it('refuses an invalid file with the start-up messages, keeps the running config, and says so', async () => {
    writeConfig([heartbeat('job_a'), { id: 'job_d', kind: 'no_such_kind' }], '45 7 * * *');
    const response = await postReload();
    assert.equal(response.status, 422);
    const body = (await response.json()) as { message: string };
    assert.match(body.message, /pipelines\[1\]\.kind: unknown pipeline kind "no_such_kind"/);
    const status = await reloadStatus();
    assert.deepEqual([status?.ok, status?.by], [false, 'ops-script']);
    child.kill('SIGHUP');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(await pipelineIds(), ['job_a', 'job_c', 'slow'], 'the running config stays');
    assert.equal(child.exitCode, null);
  });

  it('refuses a change only a restart can apply', async () => {
    writeConfig([heartbeat('job_a'), heartbeat('job_c')], '45 7 * * *', { redis: { url: redisUrl, prefix: `${prefix}-other` } });
    const response = await postReload();
    assert.equal(response.status, 422);
    assert.match(((await response.json()) as { message: string }).message, /redis\.prefix: changed, and only a restart applies it/);
  });

  it('still stops cleanly on SIGTERM', async () => {
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
