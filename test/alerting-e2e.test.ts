import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { CheckResult, DatamonConfig } from '@datamon/core';
import { createLogger } from '@datamon/io';
import { createRedisConnection, DatamonStore } from '@datamon/store';
import { createQueues } from '@datamon/jobs';
import { type AlertWorkerHandle, startAlertWorker } from '@datamon/workers';
import { Writable } from 'node:stream';
import { testConfig } from '../packages/notifiers/test/helpers/config.ts';
import { FakeGoogleChat } from '../packages/notifiers/test/helpers/fake-chat.ts';
import { FakeSmtp } from '../packages/notifiers/test/helpers/fake-smtp.ts';
import { waitFor } from './helpers/wait.ts';

process.env.DATAMON_DELIVERY_BACKOFF_MS = '100';

const chat = new FakeGoogleChat();
const smtp = new FakeSmtp();
let config: DatamonConfig;
let store: DatamonStore;
const redis = createRedisConnection('redis://127.0.0.1:6379');
const clock = { now: new Date('2026-03-30T08:00:00Z') };
const quiet = createLogger({ role: 'test', destination: new Writable({ write: (_c, _e, done) => done() }) });
let worker: AlertWorkerHandle;

/** Waits long enough for anything wrongly queued to have been delivered (Chat takes turns, 1/s). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 2_500));

function result(pipelineId: string, status: CheckResult['status'], at: Date, message = `${pipelineId} is ${status}`): CheckResult {
  return { pipelineId, status, value: 26, message, checkedAt: at.toISOString(), details: { threshold: '24 h' }, durationMs: 2 };
}

async function evaluate(pipelineId: string, status: CheckResult['status'], previousStatus: CheckResult['status'] | null) {
  const queues = createQueues(config, { connection: redis });
  await queues.alerts.add('evaluate', { pipelineId, result: result(pipelineId, status, clock.now, `<b>x</b><script>${status}`), previousStatus });
}

async function tick() {
  const queues = createQueues(config, { connection: redis });
  await queues.alerts.add('tick', { scheduledFor: clock.now.toISOString() });
}

const start = () => startAlertWorker({ config, logger: quiet, now: () => clock.now });

before(async () => {
  await chat.start();
  await smtp.start();
  config = testConfig({
    google_chat: { webhook_url: chat.webhookUrl() },
    email: { smtp_server: '127.0.0.1', smtp_port: smtp.port },
    redis: { prefix: `test-${randomUUID()}` },
  });
  store = new DatamonStore(redis, { prefix: config.redis.prefix, historyDays: 90 });
  worker = await start();
  await worker.ready;
});

after(async () => {
  await worker.close();
  const queues = createQueues(config, { connection: redis });
  await queues.obliterate();
  await store.clear();
  redis.disconnect();
  await chat.stop();
  await smtp.stop();
});

describe('when the ETL goes CRITICAL and stays broken until it is fixed', () => {
  it('sends one card and one email when it turns CRITICAL, threaded by incident, with the check text escaped', async () => {
    await evaluate('etl_calls', 'CRITICAL', 'OK');
    await waitFor('the critical card and email', () => chat.requests.length === 1 && smtp.mails.length === 1);
    const incident = await store.incidents.open('etl_calls');
    assert.ok(incident);
    const body = chat.requests[0]?.body as { thread?: { threadKey?: string } };
    assert.equal(body.thread?.threadKey, incident.id);
    assert.equal(chat.requests[0]?.query.get('messageReplyOption'), 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
    const card = JSON.stringify(chat.requests[0]?.body);
    assert.ok(!card.includes('<script>') && card.includes('&lt;script&gt;'), 'the check message must be escaped in the card');
    // The HTML part carries it escaped (the text/plain part carries it as the text it is).
    assert.ok(smtp.mails[0]?.raw.replace(/=\r?\n/g, '').includes('&lt;script&gt;'), 'the check message must be escaped in the email HTML');
  });

  it('sends nothing when it is still CRITICAL five minutes later', async () => {
    clock.now = new Date('2026-03-30T08:05:00Z');
    await evaluate('etl_calls', 'CRITICAL', 'CRITICAL');
    await settle();
    assert.equal(chat.requests.length, 1);
    assert.equal(smtp.mails.length, 1);
  });

  it('escalates once, card and email, after 60 minutes, even across an alert-worker restart', async () => {
    await worker.close();
    worker = await start();
    await worker.ready;
    clock.now = new Date('2026-03-30T09:01:00Z');
    await tick();
    await tick();
    await waitFor('the escalation', () => chat.requests.length === 2 && smtp.mails.length === 2);
    assert.match(JSON.stringify(chat.requests[1]?.body), /scalat/i);
    clock.now = new Date('2026-03-30T09:30:00Z');
    await tick();
    await settle();
    assert.equal(chat.requests.length, 2, 'repeat_minutes is 0: one escalation only');
  });

  it('sends one resolved card and email when it is OK again, and records every notification', async () => {
    clock.now = new Date('2026-03-30T09:40:00Z');
    await evaluate('etl_calls', 'OK', 'CRITICAL');
    await waitFor('the resolved messages', () => chat.requests.length === 3 && smtp.mails.length === 3);
    assert.equal(await store.incidents.open('etl_calls'), null);
    const record = await store.notifications.list(100);
    assert.equal(record.length, 6);
    assert.ok(record.every((notification) => notification.outcome === 'sent'));
    assert.deepEqual([...new Set(record.map((notification) => notification.kind))].sort(), ['critical', 'escalation', 'resolved']);
  });
});

describe('when Google Chat answers 429 twice', () => {
  it('delivers the card once after the retries, and the email once', async () => {
    const chatBefore = chat.requests.length;
    const mailBefore = smtp.mails.length;
    chat.behaviour = { kind: 'status', status: 429, headers: { 'retry-after': '0' } };
    clock.now = new Date('2026-03-30T10:00:00Z');
    await evaluate('operators', 'CRITICAL', 'OK');
    await waitFor('two refused attempts', () => chat.requests.length >= chatBefore + 2);
    chat.behaviour = { kind: 'ok' };
    await waitFor('the card delivered', async () => (await store.notifications.list(100)).some((n) => n.pipelineId === 'operators' && n.channel === 'chat' && n.outcome === 'sent'));
    await settle();
    assert.equal(chat.requests.length, chatBefore + 3);
    assert.equal(smtp.mails.length, mailBefore + 1);
  });
});

describe('when Google Chat rejects the card with 400', () => {
  it('records it failed and does not retry', async () => {
    const chatBefore = chat.requests.length;
    chat.behaviour = { kind: 'status', status: 400, body: '{"error":"bad card"}' };
    clock.now = new Date('2026-03-30T10:10:00Z');
    await evaluate('call_volume', 'WARNING', 'OK');
    await waitFor('the failure recorded', async () => (await store.notifications.list(100)).some((n) => n.pipelineId === 'call_volume' && n.outcome === 'failed'));
    await settle();
    assert.equal(chat.requests.length, chatBefore + 1);
    const failed = (await store.notifications.list(100)).find((n) => n.pipelineId === 'call_volume');
    assert.match(failed?.error ?? '', /400/);
    assert.ok(!(failed?.error ?? '').includes('TOKEN456'), 'the webhook token must not be recorded');
    chat.behaviour = { kind: 'ok' };
  });
});
