import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { DatamonConfig } from '@datamon/core';
import { createLogger } from '@datamon/io';
import { createQueues, DEFAULT_SETTINGS, type DatamonQueues } from '@datamon/jobs';
import { DatamonStore } from '@datamon/store';
import { type AlertWorkerHandle, type CheckWorkerHandle, startAlertWorker, startCheckWorker } from '@datamon/workers';
import { createTestDatabase, type TestDatabase } from '../packages/checks/test/helpers/test-database.ts';
import { testDatabaseSettings } from '../packages/checks/test/helpers/test-config.ts';
import { testConfig } from '../packages/notifiers/test/helpers/config.ts';
import { FakeGoogleChat } from '../packages/notifiers/test/helpers/fake-chat.ts';
import { FakeSmtp } from '../packages/notifiers/test/helpers/fake-smtp.ts';
import { queuesIdle, waitFor } from './helpers/wait.ts';

/**
 * README "Dependencies", end to end on real Redis and MariaDB with a local Chat and SMTP server:
 * the overnight ETL did not run, so the warehouse is stale AND yesterday's volume is empty. That
 * is one failure: one card and one email, from the ETL, naming Call Volume. Once the ETL is
 * fixed, Call Volume (checked at check-ins only, so only the recheck the fix triggers looks at
 * it) is still empty and alerts once on its own, saying it is no longer blocked.
 */

process.env.DATAMON_DELIVERY_BACKOFF_MS = '100';

const chat = new FakeGoogleChat();
const smtp = new FakeSmtp();
const quiet = createLogger({ role: 'test', destination: new Writable({ write: (_c, _e, done) => done() }) });
const clock = { now: new Date('2026-03-31T08:00:00Z') }; // 09:00 in London, a Tuesday
let db: TestDatabase;
let config: DatamonConfig;
let queues: DatamonQueues;
let store: DatamonStore;
let checks: CheckWorkerHandle;
let alerts: AlertWorkerHandle;

/** Nothing is left to do: no check or alert job waits or runs, no delivery is pending. */
const idle = () => queuesIdle(queues.all.values());

/** What was sent, one line per message (pipeline, kind, channel), sorted. */
async function sentMessages(): Promise<string[]> {
  const record = await store.notifications.list(100);
  return record.filter((n) => n.outcome === 'sent').map((n) => `${n.pipelineId} ${n.kind} ${n.channel}`).sort();
}

const cardText = (index: number) => JSON.stringify(chat.requests[index]?.body ?? {});
const cardTitles = () => chat.requests.map((request) => String((request.body as { cardsV2?: { card?: { header?: { title?: string } } }[] }).cardsV2?.[0]?.card?.header?.title ?? ''));

before(async () => {
  await chat.start();
  await smtp.start();
  db = await createTestDatabase('deps');
  await db.admin.query('CREATE TABLE FactCalls (id INT AUTO_INCREMENT PRIMARY KEY, call_start DATETIME NOT NULL)');
  // The last load was two days ago: nothing yesterday, nothing today.
  await db.admin.query('INSERT INTO FactCalls (call_start) VALUES (?), (?)', ['2026-03-29 10:00:00', '2026-03-29 11:00:00']);
  const database = testDatabaseSettings();
  config = testConfig({
    database: { host: database.host, port: database.port, user: database.user, password: database.password, database: db.name, timezone: 'UTC' },
    google_chat: { webhook_url: chat.webhookUrl() },
    email: { smtp_server: '127.0.0.1', smtp_port: smtp.port },
    redis: { prefix: `test-${randomUUID()}` },
    pipelines: [
      { id: 'etl_calls', name: 'ETL Calls', kind: 'mysql_freshness', table: 'FactCalls', column: 'call_start', warning_hours: 12, critical_hours: 24 },
      {
        id: 'call_volume',
        name: 'Call Volume',
        kind: 'mysql_count',
        table: 'FactCalls',
        column: 'call_start',
        window: 'yesterday',
        critical_below: 1,
        quick_check: false,
        depends_on: ['etl_calls'],
      },
    ],
    schedule: { checkins: { morning: { pipelines: ['etl_calls', 'call_volume'] }, first_shift: { enabled: false }, second_shift: { enabled: false } } },
  });
  queues = createQueues(config);
  store = new DatamonStore(queues.connection, { prefix: config.redis.prefix, historyDays: 90 });
  checks = await startCheckWorker({ config, logger: quiet, now: () => clock.now, settings: DEFAULT_SETTINGS });
  // The monitor's watch of itself has its own test: here no scheduler runs, by design.
  alerts = await startAlertWorker({ config, logger: quiet, now: () => clock.now, watchEveryMs: 3_600_000 });
  await Promise.all([checks.ready, alerts.ready]);
});

after(async () => {
  await checks?.close();
  await alerts?.close();
  await queues?.obliterate();
  await store?.clear();
  await queues?.close();
  await db?.drop();
  await chat.stop();
  await smtp.stop();
});

describe('when the overnight ETL did not run and yesterday is empty', () => {
  it('sends exactly one card and one email, from the ETL, naming Call Volume', async () => {
    await queues.checks.add('quick-check', { scheduledFor: clock.now.toISOString(), all: true });
    await waitFor('the ETL card', () => chat.requests.length >= 1 && smtp.mails.length >= 1);
    await idle();
    assert.deepEqual(cardTitles(), ['🔴 CRITICAL: ETL Calls']);
    assert.match(cardText(0), /Also affected/);
    assert.match(cardText(0), /Call Volume \(depends on ETL Calls; no separate alert\)/);
    assert.equal(smtp.mails.length, 1);
    assert.match(smtp.mails[0]?.raw ?? '', /Call Volume/);
    const volume = await store.incidents.open('call_volume');
    assert.equal(volume?.blockedBy, 'etl_calls', 'its incident is open, blocked by the root');
  });

  it('shows Call Volume as blocked by the ETL on the status the dashboard reads', async () => {
    const snapshot = await store.snapshot();
    const volume = snapshot?.pipelines.find((pipeline) => pipeline.id === 'call_volume');
    assert.deepEqual([volume?.status, volume?.blockedBy, volume?.dependsOn], ['CRITICAL', 'etl_calls', ['etl_calls']]);
  });
});

describe('when the ETL is fixed but yesterday is still empty', () => {
  it('resolves the ETL, checks Call Volume again at once, and Call Volume alerts once on its own', async () => {
    clock.now = new Date('2026-03-31T08:20:00Z');
    await db.admin.query('INSERT INTO FactCalls (call_start) VALUES (?)', ['2026-03-31 08:10:00']);
    // The quick check looks at the ETL only: Call Volume is checked at check-ins, so only the
    // recheck the fix triggers can find it still failing.
    await queues.checks.add('quick-check', { scheduledFor: clock.now.toISOString() });
    await waitFor('the resolved messages and Call Volume\'s own', async () => (await sentMessages()).length >= 6);
    await idle();
    assert.deepEqual(await sentMessages(), [
      'call_volume critical chat',
      'call_volume critical email',
      'etl_calls critical chat',
      'etl_calls critical email',
      'etl_calls resolved chat',
      'etl_calls resolved email',
    ]);
    // Chat may merge the two cards of one burst into one message: read them together.
    const later = chat.requests.slice(1).map((request) => JSON.stringify(request.body)).join('\n');
    assert.match(later, /RESOLVED: ETL Calls/);
    assert.match(later, /Call Volume \(checked again now/);
    assert.match(later, /CRITICAL: Call Volume/);
    assert.match(later, /No longer blocked by ETL Calls/);
    assert.equal(smtp.mails.length, 3, 'ETL critical, ETL resolved, Call Volume critical');
    assert.match(smtp.mails[2]?.raw.replace(/=\r?\n/g, '') ?? '', /no longer blocked by ETL Calls/i);
    const volume = await store.incidents.open('call_volume');
    assert.deepEqual([volume?.blockedBy, volume?.unblockedFrom], [null, 'etl_calls']);
  });

  it('sends nothing more while Call Volume stays the same', async () => {
    clock.now = new Date('2026-03-31T08:25:00Z');
    await queues.checks.add('quick-check', { scheduledFor: clock.now.toISOString(), all: true });
    await idle();
    assert.equal((await sentMessages()).length, 6);
    assert.equal(smtp.mails.length, 3);
  });
});
