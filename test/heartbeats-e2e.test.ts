import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { DatamonConfig } from '@datamon/core';
import { createLogger } from '@datamon/io';
import { createQueues, DEFAULT_SETTINGS } from '@datamon/jobs';
import { buildApp } from '@datamon/server';
import { type AlertWorkerHandle, type CheckWorkerHandle, startAlertWorker, startCheckWorker } from '@datamon/workers';
import type { FastifyInstance } from 'fastify';
import { testConfig } from '../packages/notifiers/test/helpers/config.ts';
import { FakeGoogleChat } from '../packages/notifiers/test/helpers/fake-chat.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * README "Heartbeats", end to end on real Redis: a job's pings reach the real API over HTTP, the
 * check worker judges them, the alert worker sends the card to a local Chat receiver. A failure
 * is known in seconds, not when the data turns stale hours later; `datamon run` reports a
 * command's exit code and output the same way.
 */

process.env.DATAMON_DELIVERY_BACKOFF_MS = '100';

const KEY = 'ping-key-e2e-0123456789';
const CLI = join(import.meta.dirname, '../packages/cli/bin/datamon.js');
const chat = new FakeGoogleChat();
const quiet = createLogger({ role: 'test', destination: new Writable({ write: (_c, _e, done) => done() }) });
let config: DatamonConfig;
let app: FastifyInstance;
let base: string;
let checks: CheckWorkerHandle;
let alerts: AlertWorkerHandle;
let dir: string;

const cards = () => chat.requests.map((request) => JSON.stringify(request.body));

before(async () => {
  await chat.start();
  dir = mkdtempSync(join(tmpdir(), 'datamon-heartbeats-'));
  config = testConfig({
    google_chat: { webhook_url: chat.webhookUrl() },
    email: { enabled: false },
    redis: { prefix: `test-${randomUUID()}` },
    heartbeats: { ping_key: KEY },
    pipelines: [
      { id: 'nightly_etl', name: 'Nightly ETL', kind: 'heartbeat', schedule: '0 2 * * *', grace_minutes: 60 },
      { id: 'hourly_export', name: 'Hourly export', kind: 'heartbeat', slug: 'export', period_minutes: 60 },
    ],
    schedule: { checkins: { morning: { pipelines: ['nightly_etl'] }, first_shift: { enabled: false }, second_shift: { enabled: false } } },
  });
  app = await buildApp({ config, logger: quiet });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  checks = await startCheckWorker({ config, logger: quiet, settings: DEFAULT_SETTINGS });
  alerts = await startAlertWorker({ config, logger: quiet, watchEveryMs: 3_600_000 });
  await Promise.all([checks.ready, alerts.ready]);
});

after(async () => {
  await checks?.close();
  await alerts?.close();
  const queues = createQueues(config);
  await queues.obliterate();
  await queues.close();
  await app?.store.clear();
  await app?.close();
  await chat.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('when a job pings in', () => {
  it('is OK after a start and a success, with the run\'s duration', async () => {
    assert.equal((await fetch(`${base}/ping/${KEY}/nightly_etl/start?rid=run-1`)).status, 200);
    assert.equal((await fetch(`${base}/ping/${KEY}/nightly_etl?rid=run-1`, { method: 'POST', body: 'loaded 14,902 rows' })).status, 200);
    // The start's own check may finish after the success was stored: wait for the success's.
    await waitFor('the success judged', async () => /^last success/.test((await app.store.results.latest('nightly_etl'))?.message ?? ''));
    const latest = await app.store.results.latest('nightly_etl');
    assert.match(latest?.message ?? '', /^last success \d\d:\d\d \(took (\d+ s|less than a minute|\d+ min)\); next due 02:00$/);
    assert.equal(chat.requests.length, 0, 'an OK job sends nothing');
  });

  it('turns a /fail ping into a CRITICAL card within seconds, naming the exit code and the first line', async () => {
    const sentAt = Date.now();
    const response = await fetch(`${base}/ping/${KEY}/nightly_etl/3`, { method: 'POST', body: 'ERROR: table FactCalls is locked\nstack...' });
    assert.equal(response.status, 200);
    await waitFor('the CRITICAL card', () => chat.requests.length === 1);
    const card = cards()[0] ?? '';
    assert.match(card, /CRITICAL: Nightly ETL/);
    assert.match(card, /exit code 3 at \d\d:\d\d: ERROR: table FactCalls is locked/);
    assert.ok(Date.now() - sentAt < 15_000);
    const incident = await app.store.incidents.open('nightly_etl');
    assert.equal(incident?.status, 'CRITICAL');
  });

  it('resolves with the next success', async () => {
    await fetch(`${base}/ping/${KEY}/nightly_etl`);
    await waitFor('the resolved card', () => chat.requests.length === 2);
    assert.match(cards()[1] ?? '', /RESOLVED: Nightly ETL/);
    assert.equal(await app.store.incidents.open('nightly_etl'), null);
  });

  it('lists the runs with their durations and exit codes on the API', async () => {
    const response = await fetch(`${base}/api/pipelines/nightly_etl/pings?limit=10`);
    const { pings } = (await response.json()) as { pings: { type: string; exitCode: number | null; durationMs: number | null; body: string }[] };
    assert.deepEqual(
      pings.map((ping) => [ping.type, ping.exitCode]),
      [
        ['success', 0],
        ['fail', 3],
        ['success', 0],
        ['start', null],
      ],
    );
    assert.ok(typeof pings[2]?.durationMs === 'number', 'the paired run has its duration');
    assert.equal(pings[1]?.body, 'ERROR: table FactCalls is locked\nstack...');
  });
});

describe('datamon run', () => {
  function runCli(args: string[]) {
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      [
        'redis:',
        `  prefix: ${config.redis.prefix}`,
        'heartbeats:',
        `  ping_key: ${KEY}`,
        `  ping_url: ${base}`,
        'google_chat:',
        '  enabled: false',
        'pipelines:',
        '  - {id: hourly_export, name: Hourly export, kind: heartbeat, slug: export, period_minutes: 60}',
        'schedule:',
        '  checkins: {morning: {enabled: false}, first_shift: {enabled: false}, second_shift: {enabled: false}}',
        '',
      ].join('\n'),
    );
    // Not spawnSync: the API answering its pings runs in this very process.
    return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'run', '--config', file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  }

  it('reports a command that fails with exit 3, its output on both streams, and exits 3 itself', async () => {
    const run = await runCli(['export', '--', process.execPath, '-e', 'console.log("exported 12 files"); console.error("upload refused: 403"); process.exit(3)']);
    assert.equal(run.status, 3, run.stderr);
    assert.doesNotMatch(run.stderr, /could not report/, 'the monitor took both pings');
    assert.match(run.stdout, /exported 12 files/, 'the output passes through');
    assert.match(run.stderr, /upload refused: 403/);
    await waitFor('the failed run stored and judged', async () => (await app.store.results.latest('hourly_export'))?.status === 'CRITICAL');
    const [finish, start] = await app.store.pings.recent('hourly_export', 2);
    assert.deepEqual([finish?.type, finish?.exitCode, start?.type], ['fail', 3, 'start'], JSON.stringify([finish, start]));
    assert.equal(finish?.rid, start?.rid, 'the start and its finish share a rid');
    assert.match(finish?.body ?? '', /exported 12 files[\s\S]*upload refused: 403/);
    await waitFor('the card', () => cards().some((card) => /CRITICAL: Hourly export/.test(card)));
  });

  it('reports a success, and the pipeline is OK again', async () => {
    const run = await runCli(['export', '--', process.execPath, '-e', 'console.log("done")']);
    assert.equal(run.status, 0, run.stderr);
    await waitFor('OK', async () => (await app.store.results.latest('hourly_export'))?.status === 'OK');
  });
});
