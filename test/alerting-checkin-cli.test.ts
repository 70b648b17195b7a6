import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '@datamon/config';
import { createRedisConnection, DatamonStore } from '@datamon/store';
import { createQueues } from '@datamon/jobs';
import { createConnection } from 'mysql2/promise';
import { seedDemo } from '../packages/cli/src/commands/demo-seed.ts';
import { FakeGoogleChat } from '../packages/notifiers/test/helpers/fake-chat.ts';
import { closedPort, FakeSmtp } from '../packages/notifiers/test/helpers/fake-smtp.ts';

/**
 * `datamon checkin run ID` as a user runs it: a subprocess against a seeded MariaDB warehouse,
 * a local Google Chat and a local SMTP server, and real Redis under a prefix of its own.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'packages/cli/bin/datamon.js');
const REDIS_URL = process.env.DATAMON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DB = {
  host: '127.0.0.1',
  port: 3306,
  user: process.env.DATAMON_TEST_MYSQL_USER ?? 'root',
  password: process.env.DATAMON_TEST_MYSQL_PASSWORD ?? '',
};
const DATABASE = `datamon_test_checkin_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
const ZONE = 'Europe/London';

const chat = new FakeGoogleChat();
const smtp = new FakeSmtp();
const redis = createRedisConnection(REDIS_URL);
let dir: string;
let csv: string;
let prefix: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Writes a config for this test (JSON is YAML too) and runs `datamon checkin run ...` with it. */
async function datamon(args: string[], overrides: { redisUrl?: string } = {}): Promise<Run> {
  const file = join(dir, `config-${randomUUID()}.yaml`);
  const document = {
    database: { ...DB, database: DATABASE, timezone: ZONE },
    google_chat: { webhook_url: chat.webhookUrl(), enabled: true },
    email: { smtp_server: '127.0.0.1', smtp_port: smtp.port, sender: 'monitor@example.com', password: '', recipients: ['ops@example.com'] },
    monitoring: { csv_directory: csv, timezone: ZONE, log_directory: '' },
    redis: { url: overrides.redisUrl ?? REDIS_URL, prefix },
    dashboard: { public_url: 'http://localhost:5000' },
  };
  await writeFile(file, JSON.stringify(document, null, 2));
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args, '--config', file], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', DATAMON_LOG_LEVEL: 'warn', DATAMON_DELIVERY_BACKOFF_MS: '50' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'datamon-checkin-'));
  csv = join(dir, 'csv');
  const config = resolveConfig({ database: { ...DB, database: DATABASE, timezone: ZONE }, monitoring: { csv_directory: csv, timezone: ZONE } }, { source: 'test', env: {} });
  await seedDemo({ config, databaseName: DATABASE, rows: 20_000, days: 3 });
  await chat.start();
  await smtp.start();
});

afterEach(async () => {
  chat.requests.splice(0);
  smtp.mails.splice(0);
  chat.behaviour = { kind: 'ok' };
  const store = new DatamonStore(redis, { prefix, historyDays: 90 });
  const queues = createQueues({ redis: { url: REDIS_URL, prefix } }, { connection: redis });
  await queues.obliterate();
  await queues.close();
  await store.clear();
});

after(async () => {
  const admin = await createConnection(DB);
  await admin.query('DROP DATABASE IF EXISTS ??', [DATABASE]);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
  redis.disconnect();
  await chat.stop();
  await smtp.stop();
});

const fresh = () => (prefix = `test-${randomUUID()}`);

/** The check-in's own card and email (an alert worker run by the command may send incident messages too). */
const checkinCards = () => chat.requests.filter((request) => JSON.stringify(request.body).includes('First Shift Check'));
const checkinMails = () => smtp.mails.filter((mail) => /Subject: \[datamon\] First Shift Check/.test(mail.raw));

describe('datamon checkin run first_shift', () => {
  it('runs the check-in through the queues, standing in for the missing workers, and sends the card and the email once (exit 0)', async () => {
    fresh();
    const run = await datamon(['checkin', 'run', 'first_shift']);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /^First Shift Check \(first_shift\), run by hand at \d\d:\d\d \(Europe\/London\): (OK|WAITING|WARNING|CRITICAL)\n/);
    assert.match(run.stdout, /morning_csv/);
    assert.match(run.stdout, /first_calls/);
    assert.match(run.stdout, /Google Chat: sent \(1 attempt\)/);
    assert.match(run.stdout, /Email: sent \(1 attempt\)/);
    assert.match(run.stdout, /2 sent, 0 skipped, 0 failed\./);
    assert.match(run.stdout, /by this process, standing in for the check worker and alert worker \(none was running\)/);

    assert.equal(checkinCards().length, 1);
    assert.match(JSON.stringify(checkinCards()[0]?.body), /First Shift Check 11:45/);
    assert.match(JSON.stringify(checkinCards()[0]?.body), /run by hand/);
    assert.equal(checkinMails().length, 1);
    assert.deepEqual(checkinMails()[0]?.to, ['ops@example.com']);

    const store = new DatamonStore(redis, { prefix, historyDays: 90 });
    const latest = await store.checkinRuns.latest('first_shift');
    assert.equal(latest?.manual, true);
    assert.match(latest?.requestedBy ?? '', /^cli /);
    assert.deepEqual(latest?.results.map((result) => result.pipelineId), ['morning_csv', 'first_calls']);
    const record = (await store.notifications.list(50)).filter((n) => n.kind === 'checkin');
    assert.deepEqual(record.map((n) => `${n.channel}:${n.outcome}`).sort(), ['chat:sent', 'email:sent']);
    assert.ok(await store.results.latest('morning_csv'), 'results are stored for the dashboard');
    // The same path as a scheduled run: a failing pipeline opened its incident through the alert worker.
    const failing = latest?.results.filter((result) => result.status === 'WARNING' || result.status === 'CRITICAL') ?? [];
    const incidents = await store.incidents.allOpen();
    for (const result of failing) assert.ok(incidents[result.pipelineId], `an incident is open for ${result.pipelineId}`);
  });

  it('retries a 503 from Google Chat like the delivery worker does, and the card goes once', async () => {
    fresh();
    chat.behaviour = { kind: 'status', status: 503, body: '{"error":{"message":"backend unavailable"}}', times: 1 };
    const run = await datamon(['checkin', 'run', 'first_shift']);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /Google Chat: sent \(2 attempts\)/);
    assert.equal(checkinCards().length, 2, 'the refused request and the retry');
    const record = (await new DatamonStore(redis, { prefix, historyDays: 90 }).notifications.list(50)).find((n) => n.kind === 'checkin' && n.channel === 'chat');
    assert.deepEqual([record?.outcome, record?.attempts], ['sent', 2]);
  });

  it('exits 3 and says why when Google Chat refuses the card (400), with no secret in the output; the email still goes', async () => {
    fresh();
    chat.behaviour = { kind: 'status', status: 400, body: '{"error":{"message":"Invalid JSON payload"}}' };
    const run = await datamon(['checkin', 'run', 'first_shift']);
    assert.equal(run.code, 3, run.stderr + run.stdout);
    assert.match(run.stdout, /Google Chat: FAILED \(permanent, retrying will not help\): .*400/);
    assert.match(run.stdout, /Email: sent/);
    assert.match(run.stdout, /1 sent, 0 skipped, 1 failed\./);
    assert.match(run.stderr, /message failed on Google Chat/);
    for (const secret of ['TOKEN456', 'KEY123']) assert.ok(!(run.stdout + run.stderr).includes(secret), `${secret} must not be printed`);
    assert.equal(checkinMails().length, 1);
    const failed = (await new DatamonStore(redis, { prefix, historyDays: 90 }).notifications.list(50)).find((n) => n.kind === 'checkin' && n.channel === 'chat');
    assert.equal(failed?.outcome, 'failed');
  });

  it('exits 3 for an unknown check-in and lists the known ids', async () => {
    fresh();
    const run = await datamon(['checkin', 'run', 'lunch']);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /unknown check-in "lunch" \(known: morning, first_shift, second_shift\)/);
    assert.equal(chat.requests.length, 0);
  });

  it('exits 3 when Redis is down, saying a check-in needs it and `datamon check` does not; nothing is sent', async () => {
    fresh();
    const run = await datamon(['checkin', 'run', 'first_shift'], { redisUrl: `redis://127.0.0.1:${await closedPort()}` });
    assert.equal(run.code, 3, run.stderr + run.stdout);
    assert.match(run.stderr, /Redis at redis:\/\/127\.0\.0\.1:\d+ is not reachable .*`datamon check` runs the checks without it/);
    assert.equal(chat.requests.length, 0);
    assert.equal(smtp.mails.length, 0);
  });
});
