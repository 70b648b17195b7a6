import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import type { CheckResult, DatamonConfig, NotificationRecord } from '@datamon/core';
import { createLogger } from '@datamon/io';
import { chatWidgetCounts, CHAT_LIMITS } from '@datamon/notifiers';
import { createRedisConnection, DatamonStore } from '@datamon/store';
import { createQueues, type DatamonQueues, jobIds } from '@datamon/jobs';
import { type AlertWorkerHandle, startAlertWorker } from '@datamon/workers';
import { testConfig } from '../packages/notifiers/test/helpers/config.ts';
import { type ChatRequest, FakeGoogleChat } from '../packages/notifiers/test/helpers/fake-chat.ts';
import { FakeSmtp, smtpError } from '../packages/notifiers/test/helpers/fake-smtp.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * Delivery end to end on real Redis: the alert worker (incident rule, delivery worker, Chat
 * turns and burst merging) against a local Google Chat and a local SMTP server, time injected.
 * Each scenario has a Redis prefix of its own and obliterates its queues after.
 */

process.env.DATAMON_DELIVERY_BACKOFF_MS = '20';

const REDIS_URL = process.env.DATAMON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = createLogger({ role: 'test', level: 'silent' });
const redis = createRedisConnection(REDIS_URL);
const chat = new FakeGoogleChat();
/** Answers `451` to the sender while `smtpRefusals` is above 0. */
let smtpRefusals = 0;
const smtp = new FakeSmtp({
  onMailFrom(_address, _session, callback) {
    if (smtpRefusals > 0) {
      smtpRefusals -= 1;
      callback(smtpError(451, 'Try again later'));
      return;
    }
    callback();
  },
});

interface Scenario {
  config: DatamonConfig;
  store: DatamonStore;
  queues: DatamonQueues;
  clock: { now: Date };
  worker: AlertWorkerHandle;
  start(): Promise<AlertWorkerHandle>;
}

let current: Scenario | null = null;

/** Pipelines p01..pNN (file_arrival: cheap, and their names are easy to find in a card). */
function pipelines(count: number) {
  return Array.from({ length: count }, (_, index) => {
    const id = `p${String(index + 1).padStart(2, '0')}`;
    return { id, name: `Pipeline ${id}`, kind: 'file_arrival', pattern: `${id}_{YYYYMMDD}.csv`, expected: '00:00', deadline: '00:01' };
  });
}

async function scenario(count = 3): Promise<Scenario> {
  chat.requests.splice(0);
  smtp.mails.splice(0);
  chat.behaviour = { kind: 'ok' };
  smtpRefusals = 0;
  const config = testConfig({
    google_chat: { webhook_url: chat.webhookUrl() },
    email: { smtp_server: '127.0.0.1', smtp_port: smtp.port },
    redis: { url: REDIS_URL, prefix: `test-${randomUUID()}` },
    pipelines: pipelines(count),
    schedule: { checkins: { morning: { enabled: false }, first_shift: { enabled: false }, second_shift: { enabled: false } } },
  });
  const clock = { now: new Date('2026-03-30T08:00:00Z') };
  const start = async () => {
    const handle = await startAlertWorker({ config, logger: quiet, now: () => clock.now });
    await handle.ready;
    return handle;
  };
  const store = new DatamonStore(redis, { prefix: config.redis.prefix, historyDays: 90 });
  const queues = createQueues(config, { connection: redis });
  current = { config, store, queues, clock, worker: await start(), start };
  return current;
}

afterEach(async () => {
  if (!current) return;
  const { worker, queues, store } = current;
  current = null;
  await worker.close();
  await queues.obliterate();
  await queues.close();
  await store.clear();
});

before(async () => {
  await chat.start();
  await smtp.start();
});

after(async () => {
  redis.disconnect();
  await chat.stop();
  await smtp.stop();
});

function result(pipelineId: string, status: CheckResult['status'], at: Date): CheckResult {
  return { pipelineId, status, value: 0, message: `${pipelineId} is ${status}`, checkedAt: at.toISOString(), details: {}, durationMs: 1 };
}

async function evaluate(s: Scenario, pipelineId: string, status: CheckResult['status']): Promise<string> {
  const data = { pipelineId, result: result(pipelineId, status, s.clock.now), previousStatus: null };
  const jobId = jobIds.evaluate(pipelineId, data.result.checkedAt);
  await s.queues.alerts.add('evaluate', data, { jobId });
  return jobId;
}

async function records(s: Scenario, filter: (record: NotificationRecord) => boolean = () => true): Promise<NotificationRecord[]> {
  return (await s.store.notifications.list(1000)).filter(filter);
}

/** Waits for anything wrongly queued to have gone out (Chat takes turns a second apart). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 2_500));

/** The pipelines whose card a Chat request carries (by card title). */
function cardsIn(request: ChatRequest | undefined): string[] {
  const text = JSON.stringify(request?.body ?? {});
  return [...new Set([...text.matchAll(/(?:CRITICAL|WARNING|RESOLVED|ESCALATION): Pipeline (p\d\d)/g)].map((match) => match[1] as string))];
}

describe('when the mail server is down, then up again', () => {
  it('sends the card at once and the email once the server is back, one of each', async () => {
    const s = await scenario();
    const port = smtp.port;
    await smtp.stop();
    try {
      await evaluate(s, 'p01', 'CRITICAL');
      await waitFor('two refused email attempts', async () => (await records(s, (r) => r.channel === 'email' && r.outcome === 'retrying' && r.attempts >= 2)).length === 1);
      assert.equal(chat.requests.length, 1, 'the card does not wait for the email');
    } finally {
      await smtp.start(port);
    }
    await waitFor('the email sent', async () => (await records(s, (r) => r.channel === 'email' && r.outcome === 'sent')).length === 1);
    await settle();
    assert.equal(smtp.mails.length, 1);
    assert.equal(chat.requests.length, 1);
  });
});

describe('when email keeps failing while Google Chat works', () => {
  it('retries only the email: the card is not sent again', async () => {
    const s = await scenario();
    smtpRefusals = 4;
    await evaluate(s, 'p01', 'CRITICAL');
    await waitFor('the email sent after the refusals', async () => (await records(s, (r) => r.channel === 'email' && r.outcome === 'sent')).length === 1);
    await settle();
    assert.equal(chat.requests.length, 1);
    assert.equal(smtp.mails.length, 1);
    const [mail] = await records(s, (r) => r.channel === 'email');
    assert.equal(mail?.attempts, 5);
    const [card] = await records(s, (r) => r.channel === 'chat');
    assert.equal(card?.attempts, 1);
  });
});

describe('when Google Chat is down for a long while (many failed attempts), then back', () => {
  it('delivers the card after, once, while the email went at once', async () => {
    const s = await scenario();
    const port = chat.port;
    await chat.stop();
    try {
      await evaluate(s, 'p01', 'CRITICAL');
      // Ten minutes pass on the monitor's clock while Chat refuses every attempt.
      s.clock.now = new Date(s.clock.now.getTime() + 10 * 60_000);
      await waitFor('five refused attempts', async () => (await records(s, (r) => r.channel === 'chat' && r.outcome === 'retrying' && r.attempts >= 5)).length === 1);
      assert.equal(smtp.mails.length, 1, 'the email does not wait for Chat');
    } finally {
      await chat.start(port);
    }
    await waitFor('the card sent', async () => (await records(s, (r) => r.channel === 'chat' && r.outcome === 'sent')).length === 1);
    await settle();
    assert.equal(chat.requests.length, 1);
    assert.deepEqual(cardsIn(chat.requests[0]), ['p01']);
    assert.equal(smtp.mails.length, 1);
  });
});

describe('when 30 pipelines fail at once', () => {
  it('merges the cards into a few messages, at most about one a second, naming every pipeline and recording each notification', async (t) => {
    const s = await scenario(30);
    for (const pipeline of s.config.pipelines) await evaluate(s, pipeline.id, 'CRITICAL');
    await waitFor('60 notifications sent', async () => (await records(s, (r) => r.outcome === 'sent')).length === 60, 60_000);
    await settle();

    assert.ok(chat.requests.length < 10, `${chat.requests.length} Chat messages for 30 cards`);
    // The guarantee is the limiter's: at most one Chat job starts per one-second window, timed by
    // Redis. The stamps BullMQ records (processedOn) are taken by the worker just before Redis
    // admits the job, so each can run early by the time that call takes; two windows apart, the
    // gap is at least a second whatever the load.
    const starts = (await s.queues.chat.queue.getJobs(['completed'])).map((job) => job.processedOn ?? 0).sort((a, b) => a - b);
    assert.equal(starts.length, chat.requests.length, 'one started job per message');
    const gaps = starts.slice(1).map((start, index) => start - (starts[index] as number));
    t.diagnostic(`${chat.requests.length} Chat messages for 30 cards (${chat.requests.map((request) => cardsIn(request).length).join(' + ')}), jobs started ${gaps.join(' / ')} ms apart`);
    for (let index = 2; index < starts.length; index += 1) {
      const span = (starts[index] as number) - (starts[index - 2] as number);
      assert.ok(span >= 1_000, `Chat jobs ${index - 1} and ${index + 1} started ${span} ms apart: more than one in a second`);
    }
    // And never two at once: a limiter letting two a second through would start them moments apart.
    for (const gap of gaps) assert.ok(gap >= 500, `Chat jobs started ${gap} ms apart`);
    const named = chat.requests.flatMap(cardsIn);
    assert.deepEqual([...named].sort(), s.config.pipelines.map((pipeline) => pipeline.id), 'each pipeline in exactly one message');
    for (const request of chat.requests) {
      assert.ok((chatWidgetCounts({ type: 'chat', threadKey: null, body: request.body })[0] ?? 0) <= CHAT_LIMITS.widgetsPerCard);
    }
    assert.equal(smtp.mails.length, 30, 'one email per incident (emails are not merged)');

    const chatRecords = await records(s, (r) => r.channel === 'chat');
    assert.equal(chatRecords.length, 30);
    assert.deepEqual(chatRecords.map((r) => r.pipelineId).sort(), s.config.pipelines.map((pipeline) => pipeline.id));
    assert.ok(chatRecords.every((r) => r.outcome === 'sent' && r.kind === 'critical' && r.incidentId?.startsWith(`${r.pipelineId}-`)));
  });
});

describe('when a pipeline flaps OK/CRITICAL every 5 minutes for 3 hours', () => {
  it('sends a message about every half hour, not every 5 minutes', async (t) => {
    const s = await scenario(1);
    const flips = 36;
    for (let flip = 0; flip < flips; flip += 1) {
      s.clock.now = new Date(s.clock.now.getTime() + 5 * 60_000);
      const jobId = await evaluate(s, 'p01', flip % 2 === 0 ? 'CRITICAL' : 'OK');
      const tickId = `tick-${s.clock.now.getTime()}`;
      await waitFor(`flip ${flip} evaluated`, async () => (await s.queues.alerts.queue.getJobState(jobId)) === 'completed');
      await s.queues.alerts.add('tick', { scheduledFor: s.clock.now.toISOString() }, { jobId: tickId });
      await waitFor(`tick ${flip} done`, async () => (await s.queues.alerts.queue.getJobState(tickId)) === 'completed');
    }
    await settle();
    const decided = await records(s, (r) => r.channel === 'chat');
    t.diagnostic(`${decided.length} Chat notifications (${decided.map((r) => r.kind).join(', ')}) in ${chat.requests.length} messages for ${flips} flips`);
    assert.ok(decided.length >= 2 && decided.length <= 8, `${decided.length} Chat notifications for ${flips} flips`);
    assert.ok(chat.requests.length <= decided.length);
    assert.ok(decided.every((r) => r.outcome === 'sent'));
    const incidents = new Set(decided.map((r) => r.incidentId));
    assert.equal(incidents.size, 1, 'the flapping pipeline keeps one incident (one thread)');
  });
});

describe('when the alert worker is restarted in the middle of a burst', () => {
  it('delivers every message once: no duplicate, no loss', async () => {
    const s = await scenario(25);
    for (const pipeline of s.config.pipelines) await evaluate(s, pipeline.id, 'CRITICAL');
    await waitFor('the first Chat message', () => chat.requests.length >= 1);
    await s.worker.close();
    s.worker = await s.start();
    await waitFor('50 notifications sent', async () => (await records(s, (r) => r.outcome === 'sent')).length === 50, 60_000);
    await settle();
    assert.deepEqual(chat.requests.flatMap(cardsIn).sort(), s.config.pipelines.map((pipeline) => pipeline.id));
    const subjects = smtp.mails.map((mail) => /Subject: \[datamon\] CRITICAL: Pipeline (p\d\d)/.exec(mail.raw)?.[1]).sort();
    assert.deepEqual(subjects, s.config.pipelines.map((pipeline) => pipeline.id));
  });
});
