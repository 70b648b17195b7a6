import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { DatamonConfig, IncidentRecord } from '@datamon/core';
import { createLogger, isProcessRunning } from '@datamon/io';
import { createQueues, DEFAULT_SETTINGS, type DatamonQueues, enqueueRecovery } from '@datamon/jobs';
import { startServer, type RunningRole } from '@datamon/server';
import { DatamonStore } from '@datamon/store';
import { type AlertWorkerHandle, type CheckWorkerHandle, startAlertWorker, startCheckWorker } from '@datamon/workers';
import { createTestDatabase, type TestDatabase } from '../packages/checks/test/helpers/test-database.ts';
import { testDatabaseSettings } from '../packages/checks/test/helpers/test-config.ts';
import { testConfig } from '../packages/notifiers/test/helpers/config.ts';
import { FakeGoogleChat } from '../packages/notifiers/test/helpers/fake-chat.ts';
import { waitFor } from '../packages/workers/test/helpers.ts';

/**
 * README "Tickets and recovery", recovery actions end to end on real Redis and MariaDB, with two
 * check-worker roles on one Redis (as two processes on two machines would be) and a local Chat:
 * a script that reloads a stale table resolves its incident "after recovery"; one that fails is
 * recorded and not run past max_attempts; one that hangs is killed at its timeout with its
 * children; two workers never run one action twice; the API runs it by hand once.
 */

process.env.DATAMON_DELIVERY_BACKOFF_MS = '100';

const ANA_TOKEN = 'ana-token-0123456789abcdef';
const SECRET = 'dashboard-password-do-not-show';
const quiet = createLogger({ role: 'test', destination: new Writable({ write: (_c, _e, done) => done() }) });
const chat = new FakeGoogleChat();
const work = mkdtempSync(join(tmpdir(), 'datamon-recovery-'));
let db: TestDatabase;
let config: DatamonConfig;
let queues: DatamonQueues;
let store: DatamonStore;
let checks: CheckWorkerHandle;
let checks2: CheckWorkerHandle;
let alerts: AlertWorkerHandle;
let api: RunningRole;


/** A node script as a recovery command (argv, no shell); `require` resolves from the repository. */
function nodeScript(code: string): string[] {
  return [process.execPath, '-e', code];
}

const database = testDatabaseSettings();

/** Reloads its table: what a re-run of the ETL does. It prints a secret, which must not show. */
function reloadScript(table: string): string[] {
  const connection = JSON.stringify({ ...database, database: '__DB__' });
  return nodeScript(
    `const m = require('mysql2/promise'); (async () => { const c = await m.createConnection(${connection}); ` +
      `await c.query('INSERT INTO ${table} (call_start) VALUES (UTC_TIMESTAMP())'); await c.end(); ` +
      `console.log('reloaded ${table}; password was ${SECRET}'); })().catch((e) => { console.error(e.message); process.exit(1); });`,
  );
}

async function openIncident(pipelineId: string): Promise<IncidentRecord> {
  await queues.checks.add('run-pipeline', { pipelineId, requestedAt: new Date().toISOString(), requestedBy: 'test' });
  return waitFor(() => store.incidents.open(pipelineId), 30_000, `an incident of ${pipelineId}`);
}

before(async () => {
  await chat.start();
  db = await createTestDatabase('recovery');
  for (const table of ['FactFixed', 'FactBroken', 'FactHang', 'FactTwice', 'FactManual']) {
    await db.admin.query(`CREATE TABLE ${table} (id INT AUTO_INCREMENT PRIMARY KEY, call_start DATETIME NOT NULL)`);
    await db.admin.query(`INSERT INTO ${table} (call_start) VALUES (UTC_TIMESTAMP() - INTERVAL 2 DAY)`);
  }
  const freshness = (id: string, table: string, recovery: Record<string, unknown>) => ({
    id,
    name: id,
    kind: 'mysql_freshness',
    table,
    column: 'call_start',
    warning_hours: 12,
    critical_hours: 24,
    days: 'every_day',
    recovery,
  });
  const fix = reloadScript('FactFixed').map((arg) => arg.replace('__DB__', db.name));
  config = testConfig({
    database: { ...database, database: db.name, timezone: 'UTC' },
    google_chat: { webhook_url: chat.webhookUrl() },
    redis: { prefix: `test-${randomUUID()}` },
    dashboard: { host: '127.0.0.1', port: 0, auth: { tokens: [{ name: 'ana', token: ANA_TOKEN }], password: SECRET, username: 'ops' } },
    escalation: { after_minutes: 0 },
    pipelines: [
      freshness('etl_fixed', 'FactFixed', { command: fix, recheck_after_minutes: 0 }),
      freshness('etl_broken', 'FactBroken', { command: nodeScript(`console.error('upstream API refused: 503'); process.exit(3);`), recheck_after_minutes: 0 }),
      freshness('etl_hang', 'FactHang', {
        command: nodeScript(
          `const { spawn } = require('node:child_process'); const child = spawn('sleep', ['60'], { stdio: 'ignore' }); ` +
            `require('node:fs').writeFileSync(${JSON.stringify(join(work, 'hang.pid'))}, String(child.pid)); console.log('waiting for the ETL'); setInterval(() => {}, 1000);`,
        ),
        timeout_seconds: 1,
        recheck_after_minutes: 60,
      }),
      freshness('etl_twice', 'FactTwice', {
        command: nodeScript(`require('node:fs').appendFileSync(${JSON.stringify(join(work, 'twice.log'))}, 'ran\\n'); setTimeout(() => process.exit(1), 1500);`),
        recheck_after_minutes: 60,
      }),
      freshness('etl_manual', 'FactManual', {
        command: nodeScript(`require('node:fs').appendFileSync(${JSON.stringify(join(work, 'manual.log'))}, 'ran\\n'); setTimeout(() => process.exit(1), 1500);`),
        recheck_after_minutes: 60,
        max_attempts: 0,
      }),
    ],
    schedule: { checkins: { morning: { enabled: false }, first_shift: { enabled: false }, second_shift: { enabled: false } } },
  });
  queues = createQueues(config);
  store = new DatamonStore(queues.connection, { prefix: config.redis.prefix, historyDays: 90 });
  checks = await startCheckWorker({ config, logger: quiet, settings: DEFAULT_SETTINGS, workerName: 'one' });
  checks2 = await startCheckWorker({ config, logger: quiet, settings: DEFAULT_SETTINGS, workerName: 'two' });
  alerts = await startAlertWorker({ config, logger: quiet, watchEveryMs: 3_600_000 });
  api = await startServer({ config, logger: quiet });
  await Promise.all([checks.ready, checks2.ready, alerts.ready]);
});

after(async () => {
  await api?.close();
  await checks?.close();
  await checks2?.close();
  await alerts?.close();
  await queues?.obliterate();
  await store?.clear();
  await queues?.close();
  await db?.drop();
  await chat.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('a recovery action that reloads the stale table', () => {
  it('runs once when the incident opens CRITICAL, and the incident resolves "after recovery"', async () => {
    const incident = await openIncident('etl_fixed');
    assert.equal(incident.status, 'CRITICAL');
    const closed = await waitFor(async () => {
      const latest = await store.incidents.get(incident.id);
      return latest?.closedAt ? latest : null;
    }, 30_000, 'the incident to resolve');
    assert.match(closed.resolution ?? '', /\(after recovery\)$/);
    const recovery = await store.recovery.get(incident.id);
    assert.deepEqual([recovery.attempts, recovery.succeeded, recovery.runs.length], [1, true, 1]);
    assert.match(recovery.runs[0]?.outcome ?? '', /^exit 0 in /);
  });

  it('tells the whole story in the timeline, output included and the secret masked', async () => {
    const [incident] = (await store.incidents.list({ state: 'all' })).filter((candidate) => candidate.pipelineId === 'etl_fixed');
    const timeline = await store.incidents.timeline(incident?.id ?? '');
    const events = timeline.map((entry) => entry.event);
    assert.equal(events[0], 'opened');
    assert.ok(events.lastIndexOf('resolved') > events.lastIndexOf('recovery'), `resolved after the recovery: ${events.join(', ')}`);
    const recovery = timeline.filter((entry) => entry.event === 'recovery').map((entry) => entry.detail);
    assert.match(recovery[0] ?? '', /^started \(attempt 1 of 1\): /);
    assert.match(recovery[1] ?? '', /^succeeded: exit 0 in .*\nreloaded FactFixed; password was \*{8}/);
    assert.ok(!JSON.stringify(timeline).includes(SECRET), 'the secret is masked');
    assert.ok(events.includes('notified'), 'what each channel was told is recorded');
  });

  it('posts the result in the incident\'s Chat thread', async () => {
    const [incident] = (await store.incidents.list({ state: 'all' })).filter((candidate) => candidate.pipelineId === 'etl_fixed');
    const card = await waitFor(async () =>
      chat.requests.find((request) => JSON.stringify(request.body).includes('Recovery ran: etl_fixed')), 30_000, 'the recovery card');
    assert.equal((card.body as { thread?: { threadKey?: string } }).thread?.threadKey, incident?.id);
    const text = JSON.stringify(card.body);
    assert.match(text, /reloaded FactFixed/);
    assert.ok(!text.includes(SECRET));
  });
});

describe('a recovery action that fails', () => {
  it('is recorded with its exit code and output, and not run past max_attempts', async () => {
    const incident = await openIncident('etl_broken');
    // Its re-check (at once here) finds it still CRITICAL and asks for another run: max_attempts 1 refuses it.
    const refused = await waitFor(async () => {
      const job = await queues.recovery.queue.getJob(`recover|${incident.id}|recheck-1`);
      return job && (await job.isCompleted()) ? job : null;
    }, 30_000, 'the re-run to be refused');
    assert.deepEqual(refused.returnvalue, { outcome: 'skipped', ok: null, detail: 'all 1 automatic attempts are used' });
    const recovery = await store.recovery.get(incident.id);
    assert.deepEqual([recovery.attempts, recovery.succeeded, recovery.runs.length], [1, false, 1]);
    assert.match(recovery.runs[0]?.outcome ?? '', /^exit 3 in /);
    const detail = (await store.incidents.timeline(incident.id)).filter((entry) => entry.event === 'recovery').at(-1)?.detail ?? '';
    assert.match(detail, /^failed: exit 3 in .*\nupstream API refused: 503/);
    assert.equal((await store.incidents.get(incident.id))?.closedAt, null, 'still open');
  });
});

describe('a recovery action that hangs', () => {
  it('is killed at its timeout, its children too', async () => {
    const incident = await openIncident('etl_hang');
    const recovery = await waitFor(async () => {
      const state = await store.recovery.get(incident.id);
      return state.runs.length > 0 ? state : null;
    }, 30_000, 'the timed-out run');
    assert.match(recovery.runs[0]?.outcome ?? '', /^timed out after 1 s/);
    const pid = Number(readFileSync(join(work, 'hang.pid'), 'utf8'));
    assert.ok(pid > 0);
    assert.ok(!isProcessRunning(pid), `its child ${pid} was killed`);
  });
});

describe('two check workers and one incident', () => {
  it('never run one action twice', async () => {
    const incident = await openIncident('etl_twice');
    // Duplicates of the run, as a replayed decision or a second producer would add them, taken by both workers at once.
    await Promise.all(
      ['dup-1', 'dup-2', 'dup-3'].map((trigger) => enqueueRecovery(queues, { incidentId: incident.id, pipelineId: 'etl_twice', manual: false, requestedBy: 'datamon' }, trigger)),
    );
    await waitFor(async () => {
      const counts = await queues.recovery.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).every((n) => n === 0) && (await store.recovery.get(incident.id)).runs.length > 0;
    }, 30_000, 'every recovery job to finish');
    assert.equal(readFileSync(join(work, 'twice.log'), 'utf8'), 'ran\n');
    const recovery = await store.recovery.get(incident.id);
    assert.deepEqual([recovery.attempts, recovery.runs.length], [1, 1]);
  });
});

describe('POST /api/incidents/:id/recover', () => {
  const post = (id: string, token: string | null = ANA_TOKEN) =>
    fetch(`${api.url}/api/incidents/${encodeURIComponent(id)}/recover`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: '{}',
    });

  it('needs credentials, runs the action by hand once (202), and answers 409 while it is queued or running', async () => {
    const incident = await openIncident('etl_manual');
    assert.equal((await post(incident.id, null)).status, 401);
    const first = await post(incident.id);
    assert.equal(first.status, 202);
    const accepted = (await first.json()) as { accepted: boolean; incident: string; pipeline: string; jobId: string };
    assert.deepEqual([accepted.accepted, accepted.incident, accepted.pipeline], [true, incident.id, 'etl_manual']);
    assert.match(accepted.jobId, new RegExp(`^recover\\|${incident.id}\\|manual-\\d+$`));
    const second = await post(incident.id);
    assert.equal(second.status, 409);
    assert.match(((await second.json()) as { message: string }).message, /already queued|in progress/);
    const recovery = await waitFor(async () => {
      const state = await store.recovery.get(incident.id);
      return state.runs.length > 0 ? state : null;
    }, 30_000, 'the manual run');
    assert.deepEqual([recovery.attempts, recovery.runs[0]?.manual], [0, true], 'a manual run does not count toward max_attempts');
    assert.equal(readFileSync(join(work, 'manual.log'), 'utf8'), 'ran\n');
    const started = (await store.incidents.timeline(incident.id)).find((entry) => entry.event === 'recovery' && entry.detail.startsWith('started'));
    assert.deepEqual([started?.by, started?.detail.startsWith('started (run by hand by ana)')], ['ana', true]);
  });

  it('answers 404 for an unknown incident and 409 for a closed one or a pipeline without an action', async () => {
    assert.equal((await post('nope-1')).status, 404);
    const [fixed] = (await store.incidents.list({ state: 'all' })).filter((candidate) => candidate.pipelineId === 'etl_fixed');
    const closed = await post(fixed?.id ?? '');
    assert.equal(closed.status, 409);
    assert.match(((await closed.json()) as { message: string }).message, /closed at/);
  });

  it('serves the incident with its recovery runs and timeline on GET /api/incidents/:id', async () => {
    const [fixed] = (await store.incidents.list({ state: 'all' })).filter((candidate) => candidate.pipelineId === 'etl_fixed');
    const response = await fetch(`${api.url}/api/incidents/${fixed?.id}`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { pipeline: string; recovery: { configured: boolean; runs: unknown[] }; timeline: { event: string }[]; ticket: unknown };
    assert.equal(body.pipeline, 'etl_fixed');
    for (const key of ['id', 'pipeline', 'status', 'openedAt', 'closedAt', 'acknowledged', 'acknowledgedBy', 'blockedBy', 'ticket', 'timeline']) assert.ok(key in body, `SPEC 14 field ${key}`);
    assert.deepEqual([body.recovery.configured, body.recovery.runs.length, body.ticket], [true, 1, null]);
    assert.equal(body.timeline[0]?.event, 'opened');
    assert.ok(body.timeline.some((entry) => entry.event === 'resolved'));
    assert.ok(!JSON.stringify(body).includes(SECRET));
    assert.equal((await fetch(`${api.url}/api/incidents/etl_fixed-1`)).status, 404);
  });
});
