import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { StatusSnapshot } from '@datamon/core';
import { createLogger } from '@datamon/io';
import { buildApp } from '@datamon/server';
import { createRedisConnection, DatamonStore } from '@datamon/store';
import { startAlertWorker } from '@datamon/workers';
import { createQueues } from '@datamon/jobs';
import { FakeGoogleChat } from '../packages/notifiers/test/helpers/fake-chat.ts';
import { testSetup, waitFor } from '../packages/workers/test/helpers.ts';

/**
 * The monitor watching itself (README "Watching the monitor"): real role processes, a real
 * Redis, the API in this process with a clock the test moves, and a local Google Chat.
 */

const ROOT = join(import.meta.dirname, '..');
const DATAMON = join(ROOT, 'packages/cli/bin/datamon.js');
const quiet = createLogger({ role: 'test', level: 'silent' });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(extra: Record<string, unknown> = {}) {
  const env = testSetup({ pipelines: 2 });
  const raw = { ...env.raw, dashboard: { host: '127.0.0.1', port: 0, auth: { username: 'ops', password: 'a-long-enough-password' } }, ...extra };
  const configPath = join(env.folder, 'monitoring_config.json');
  writeFileSync(configPath, JSON.stringify(raw));
  const redis = createRedisConnection(env.config.redis.url);
  const store = new DatamonStore(redis, { prefix: env.config.redis.prefix, historyDays: 90 });
  const queues = createQueues(env.config, { connection: redis });
  cleanups.push(async () => {
    await queues.obliterate();
    await queues.close();
    await env.cleanup(redis);
    redis.disconnect();
  });
  return { ...env, configPath, store, queues };
}

function startRoles(configPath: string, roles: string): ChildProcess {
  const child = spawn(process.execPath, [DATAMON, 'start', '--role', roles, '--config', configPath], {
    cwd: ROOT,
    env: { ...process.env, DATAMON_LOG_LEVEL: 'warn', DATAMON_SHUTDOWN_GRACE_MS: '1000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return child;
}

async function beat(store: DatamonStore, role: string, at: Date): Promise<void> {
  await store.monitor.beat({ role, instance: `test:${role}`, startedAt: at.toISOString(), at: at.toISOString() });
}

describe('a monitor that was just started', () => {
  it('is not OK before its first check, and runs that check at once (not at the next five-minute mark)', async () => {
    const env = setup();
    // Every five minutes would leave the first round up to five minutes away: the start runs one now.
    const app = await buildApp({ config: env.config, metricsCacheMs: 0 });
    cleanups.push(() => app.close());
    const before = (await app.inject({ method: 'GET', url: '/api/status' })).json<StatusSnapshot>();
    assert.equal(before.overall, 'CHECKING');
    assert.equal(before.counts.UNCHECKED, 2);
    assert.ok(before.pipelines.every((pipeline) => pipeline.status === null && pipeline.message === 'not checked yet'));
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /datamon_overall_status\{status="CHECKING"\} 1/);
    assert.match(metrics, /datamon_overall_status\{status="OK"\} 0/);
    assert.match(metrics, /datamon_pipeline_checked\{pipeline="p0001"\} 0/);

    startRoles(env.configPath, 'scheduler,checks');
    const checked = await waitFor(
      async () => {
        const snapshot = await env.store.snapshot();
        return snapshot && snapshot.counts.UNCHECKED === 0 ? snapshot : null;
      },
      30_000,
      'the first round',
    );
    assert.notEqual(checked.overall, 'CHECKING');
    assert.ok(await env.store.monitor.lastRound(), 'the round is recorded as completed');
  });
});

describe('the watchman, with the check workers as a real process', () => {
  it('says the monitor is not checking when they stop (readyz, metrics, /api/monitor), and ready again when they return', async () => {
    const env = setup();
    const clock = { now: new Date() };
    const app = await buildApp({ config: env.config, now: () => clock.now, metricsCacheMs: 0 });
    cleanups.push(() => app.close());

    const workers = startRoles(env.configPath, 'checks');
    const firstBeat = await waitFor(async () => (await env.store.monitor.heartbeats(new Date())).find((heartbeat) => heartbeat.role === 'checks'), 30_000, 'the check worker\'s heartbeat');
    clock.now = new Date();
    await beat(env.store, 'scheduler', clock.now);
    await beat(env.store, 'alerts', clock.now);
    await env.store.monitor.roundDone(clock.now);
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    assert.match((await app.inject({ method: 'GET', url: '/metrics' })).body, /datamon_role_up\{role="checks"\} 1/);

    // Killed, as a crash or an OOM would: its heartbeat stays as it was, and ages.
    workers.kill('SIGKILL');
    await new Promise((resolve) => workers.once('exit', resolve));
    const lastBeat = (await env.store.monitor.heartbeats(new Date())).find((heartbeat) => heartbeat.role === 'checks');
    assert.ok(lastBeat && Date.parse(lastBeat.at) >= Date.parse(firstBeat.at));
    clock.now = new Date(Date.parse(lastBeat.at) + 61_000);
    await beat(env.store, 'scheduler', clock.now);
    await beat(env.store, 'alerts', clock.now);
    await env.store.monitor.roundDone(clock.now);

    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 503);
    assert.equal(ready.json().message, `the monitor is not checking: no check worker has reported for over a minute (since ${lastBeat.at})`);
    const monitor = (await app.inject({ method: 'GET', url: '/api/monitor' })).json();
    assert.equal(monitor.healthy, false);
    assert.equal(monitor.since, lastBeat.at);
    assert.deepEqual(monitor.roles.map((role: { role: string; up: boolean }) => [role.role, role.up]), [['scheduler', true], ['checks', false], ['alerts', true]]);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /datamon_role_up\{role="checks"\} 0/);
    assert.match(metrics, /datamon_monitor_checking 0/);

    startRoles(env.configPath, 'checks');
    const back = await waitFor(async () => (await env.store.monitor.heartbeats(new Date())).find((heartbeat) => heartbeat.role === 'checks' && heartbeat.instance !== lastBeat.instance), 30_000, 'the new check worker\'s heartbeat');
    clock.now = new Date(Date.parse(back.at) + 1_000);
    await beat(env.store, 'scheduler', clock.now);
    await beat(env.store, 'alerts', clock.now);
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    assert.match((await app.inject({ method: 'GET', url: '/metrics' })).body, /datamon_role_up\{role="checks"\} 1/);
  });

  it('says so when quick-check rounds stop completing for two intervals, naming since when', async () => {
    const env = setup();
    const lastRound = new Date('2026-11-28T05:00:00Z');
    const clock = { now: new Date(lastRound.getTime() + 10 * 60_000 + 1_000) };
    const app = await buildApp({ config: env.config, now: () => clock.now, metricsCacheMs: 0 });
    cleanups.push(() => app.close());
    for (const role of ['scheduler', 'checks', 'alerts']) await beat(env.store, role, clock.now);
    await env.store.monitor.roundDone(lastRound);
    const monitor = (await app.inject({ method: 'GET', url: '/api/monitor' })).json();
    assert.equal(monitor.healthy, false);
    assert.equal(monitor.lastRoundAgeSeconds, 601);
    assert.deepEqual(monitor.problems, [{ kind: 'rounds', subject: null, since: '2026-11-28T05:00:00.000Z', message: 'no quick-check round has completed for over two intervals (one is due every 5 min)' }]);
    assert.match((await app.inject({ method: 'GET', url: '/metrics' })).body, /datamon_last_round_age_seconds 601/);
    clock.now = new Date(lastRound.getTime() + 9 * 60_000);
    for (const role of ['scheduler', 'checks', 'alerts']) await beat(env.store, role, clock.now);
    assert.equal((await app.inject({ method: 'GET', url: '/api/monitor' })).json().healthy, true, 'within two intervals all is well');
  });

  it('says so when the checks queue is paused (nothing would run)', async () => {
    const env = setup();
    const clock = { now: new Date() };
    const app = await buildApp({ config: env.config, now: () => clock.now, metricsCacheMs: 0 });
    cleanups.push(() => app.close());
    for (const role of ['scheduler', 'checks', 'alerts']) await beat(env.store, role, clock.now);
    await env.store.monitor.roundDone(clock.now);
    await env.queues.checks.queue.pause();
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 503);
    assert.match(ready.json().message, /the checks queue is paused/);
  });
});

describe('the alert worker, when the monitor stops checking', () => {
  it('posts one "monitor degraded" card, and one when it is back', async () => {
    const chat = await new FakeGoogleChat().start();
    cleanups.push(() => chat.stop());
    const env = setup();
    const config = { ...env.config, google_chat: { webhook_url: chat.webhookUrl(), enabled: true } };
    const clock = { now: new Date() };
    for (const role of ['scheduler', 'checks']) await beat(env.store, role, clock.now);
    await env.store.monitor.roundDone(clock.now);
    const worker = await startAlertWorker({ config, logger: quiet, now: () => clock.now, watchEveryMs: 50 });
    cleanups.push(() => worker.close());
    await worker.ready;

    // The scheduler goes quiet: its last heartbeat ages past a minute (the others keep beating).
    clock.now = new Date(clock.now.getTime() + 61_000);
    await beat(env.store, 'checks', clock.now);
    await beat(env.store, 'alerts', clock.now);
    await env.store.monitor.roundDone(clock.now);
    const cards = () => chat.requests.filter((request) => /datamon (monitor degraded|is checking again)/.test(JSON.stringify(request.body)));
    await waitFor(() => cards().length >= 1, 10_000, 'the degraded card');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(cards().length, 1, 'one card, however many times it looks');
    const degraded = JSON.stringify(cards()[0]?.body);
    assert.match(degraded, /🔴 datamon monitor degraded: not checking/);
    assert.match(degraded, /scheduler down\?/);
    assert.match(degraded, /no scheduler has reported for over a minute/);

    await beat(env.store, 'scheduler', clock.now);
    await waitFor(() => cards().length >= 2, 10_000, 'the card saying it is back');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(cards().length, 2);
    assert.match(JSON.stringify(cards()[1]?.body), /✅ datamon is checking again/);
    const record = await env.store.notifications.list(10);
    assert.deepEqual(record.map((entry) => `${entry.kind}:${entry.outcome}`).sort(), ['monitor:sent', 'monitor:sent']);
  });
});
