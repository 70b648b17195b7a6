import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ChatPayload, EmailPayload, NotificationChannel } from '@datamon/core';
import { createLogger } from '@datamon/io';
import { DeliveryError, type Notifier, renderAlertCard, type SendResult } from '@datamon/notifiers';
import { createRedisConnection, DatamonStore } from '@datamon/store';
import { Queue, RateLimitError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { testConfig } from '../../notifiers/test/helpers/config.ts';
import { incident, notification } from '../../notifiers/test/helpers/fixtures.ts';
import { DELIVERY_ATTEMPTS, DELIVERY_JOB_OPTIONS, type Delivery, deliveryBackoff, jobIds, QUEUE_NAMES } from '../src/index.ts';
import { type ChatBurstDeps, type DeliverJob, type DeliveryDeps, gatherBurst, processDelivery, settleBurst } from '../src/processors/index.ts';

const REDIS_URL = process.env.DATAMON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const config = testConfig();
const quiet = createLogger({ role: 'test', level: 'silent' });

type Deliver = Delivery;

/** A Chat card (or email) for pipeline `id`, as the alert worker enqueues it. */
function delivery(id: string, options: { channel?: NotificationChannel; kind?: 'critical' | 'warning' } = {}): Deliver {
  const channel = options.channel ?? 'chat';
  const kind = options.kind ?? 'critical';
  const record = incident({ id: `${id}-1`, pipelineId: id, pipelineName: `Pipeline ${id}` });
  const payload: ChatPayload | EmailPayload =
    channel === 'chat' ? renderAlertCard(notification({ kind }, record), config) : { type: 'email', subject: `[datamon] ${id}`, html: '<p>x</p>', text: 'x' };
  return { notificationId: `${record.id}:${kind}:1:${channel}`, channel, kind, incidentId: record.id, pipelineId: id, payload };
}

/** A notifier that records what it is given and fails while `failures` is above 0. */
function fakeNotifier(channel: NotificationChannel) {
  const sent: (ChatPayload | EmailPayload)[] = [];
  const state = { failures: 0, permanent: false };
  const notifier: Notifier = {
    channel,
    disabledReason: null,
    target: 'test',
    async send(payload): Promise<SendResult> {
      if (state.failures > 0) {
        state.failures -= 1;
        throw new DeliveryError(channel, 'HTTP 503 from the fake', { permanent: state.permanent });
      }
      sent.push(payload);
      return { channel, outcome: 'sent', detail: 'test', accepted: [], rejected: [] };
    },
    async close() {},
  };
  return { notifier, sent, state };
}

/** Pipeline ids named in a sent Chat body. */
function named(payload: ChatPayload | EmailPayload | undefined): string[] {
  return [...JSON.stringify(payload).matchAll(/Pipeline (p\d+)/g)].map((match) => match[1] as string).filter((id, index, all) => all.indexOf(id) === index);
}

let redis: Redis;
let prefix: string;
let queue: Queue<unknown, unknown, string>;
let store: DatamonStore;
let burst: ChatBurstDeps;
let chat: ReturnType<typeof fakeNotifier>;
let email: ReturnType<typeof fakeNotifier>;

async function add(data: Deliver): Promise<DeliverJob> {
  return (await queue.add('deliver', data, { jobId: jobIds.delivery(data.notificationId), ...DELIVERY_JOB_OPTIONS })) as DeliverJob;
}

async function reload(job: DeliverJob): Promise<DeliverJob> {
  return (await queue.getJob(String(job.id))) as DeliverJob;
}

const deliver = (job: DeliverJob, extra: Partial<DeliveryDeps> = {}) =>
  processDelivery(job, { notifier: job.data.channel === 'chat' ? chat.notifier : email.notifier, store, now: () => new Date('2026-03-30T08:00:00Z'), logger: quiet, burst, ...extra });

beforeEach(async () => {
  redis = createRedisConnection(REDIS_URL);
  prefix = `test-${randomUUID()}`;
  queue = new Queue(QUEUE_NAMES.chat, { connection: redis, prefix });
  store = new DatamonStore(redis, { prefix, historyDays: 90 });
  burst = { queue, store };
  chat = fakeNotifier('chat');
  email = fakeNotifier('email');
});

afterEach(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  await store.clear();
  redis.disconnect();
});

describe('when Chat incident cards wait behind the one being delivered', () => {
  it('claims them, removes their jobs, and leaves emails and check-in cards alone', async () => {
    const host = await add(delivery('p1'));
    await add(delivery('p1', { channel: 'email' }));
    await add(delivery('p2'));
    await add(delivery('p3', { kind: 'warning' }));
    await add({ ...delivery('p4'), kind: 'checkin', incidentId: null, notificationId: 'checkin|first_shift|x|chat' });
    const members = await gatherBurst(host, burst);
    assert.deepEqual(
      members.map((member) => member.data.pipelineId),
      ['p2', 'p3'],
    );
    assert.deepEqual((await reload(host)).data.merged?.map((member) => member.jobId), members.map((member) => member.jobId));
    const left = (await queue.getJobs(['wait'])).map((job) => (job.data as Deliver).notificationId).sort();
    assert.deepEqual(left, [host.data.notificationId, 'checkin|first_shift|x|chat', 'p1-1:critical:1:email'].sort());
  });

  it('merges no more than Chat shows whole (100 widgets a card), the rest waiting for the next turn', async () => {
    const host = await add(delivery('p00'));
    for (let index = 1; index < 30; index += 1) await add(delivery(`p${String(index).padStart(2, '0')}`));
    const members = await gatherBurst(host, burst);
    assert.ok(members.length >= 5 && members.length < 29, `merged ${members.length}`);
    assert.equal((await queue.getJobs(['wait'])).length, 30 - members.length);
  });

  it('sends one merged card naming every pipeline and records each notification as sent', async () => {
    const host = await add(delivery('p1'));
    await add(delivery('p2'));
    await add(delivery('p3'));
    const outcome = await deliver(host);
    assert.deepEqual(outcome, { outcome: 'sent', notifications: 3 });
    assert.equal(chat.sent.length, 1);
    assert.deepEqual(named(chat.sent[0]).sort(), ['p1', 'p2', 'p3']);
    for (const id of ['p1', 'p2', 'p3']) {
      const record = await store.notifications.get(`${id}-1:critical:1:chat`);
      assert.equal(record?.outcome, 'sent');
      assert.equal(record?.incidentId, `${id}-1`);
      assert.equal(record?.pipelineId, id);
    }
  });

  it('sends a lone card as it is, in its incident thread', async () => {
    const host = await add(delivery('p1'));
    await deliver(host);
    assert.equal(chat.sent.length, 1);
    assert.deepEqual((chat.sent[0] as ChatPayload).body.thread, { threadKey: 'p1-1' });
  });
});

describe('when delivering a merged card fails', () => {
  it('records every notification retrying, and the retry resends the same set (nothing claimed later joins it)', async () => {
    const host = await add(delivery('p1'));
    await add(delivery('p2'));
    chat.state.failures = 1;
    await assert.rejects(deliver(host), /503/);
    assert.equal((await store.notifications.get('p2-1:critical:1:chat'))?.outcome, 'retrying');
    await add(delivery('p3'));
    await deliver(await reload(host));
    assert.equal(chat.sent.length, 1);
    assert.deepEqual(named(chat.sent[0]).sort(), ['p1', 'p2']);
    assert.equal((await store.notifications.get('p2-1:critical:1:chat'))?.outcome, 'sent');
    assert.equal((await queue.getJobs(['wait'])).length, 2, 'p3 waits for its own turn (and the host job, not processed by a worker here)');
  });

  it('records a permanent failure failed for every notification of the set', async () => {
    const host = await add(delivery('p1'));
    await add(delivery('p2'));
    chat.state.failures = 1;
    chat.state.permanent = true;
    await assert.rejects(deliver(host), /503/);
    for (const id of ['p1', 'p2']) assert.equal((await store.notifications.get(`${id}-1:critical:1:chat`))?.outcome, 'failed');
  });
});

describe('when a worker stopped in the middle of claiming (at least once, in practice once)', () => {
  it('a set written but not yet claimed is claimed by the retry and sent once', async () => {
    const host = await add(delivery('p1'));
    const other = await add(delivery('p2'));
    // The crash: the set is in the host's data, the other job still waits in the queue.
    await host.updateData({ ...host.data, merged: [{ jobId: String(other.id), data: other.data }] });
    await deliver(await reload(host));
    assert.equal(chat.sent.length, 1);
    assert.deepEqual(named(chat.sent[0]).sort(), ['p1', 'p2']);
    assert.equal(await queue.getJob(String(other.id)), undefined);
  });

  it('a member claimed by another job is kept by one of them only', async () => {
    const first = await add(delivery('p1'));
    const second = await add(delivery('p2'));
    const shared = await add(delivery('p3'));
    const member = [{ jobId: String(shared.id), data: shared.data }];
    await first.updateData({ ...first.data, merged: member });
    await second.updateData({ ...second.data, merged: member });
    const kept = [...(await settleBurst(await reload(first), burst)), ...(await settleBurst(await reload(second), burst))];
    assert.equal(kept.length, 1);
    assert.deepEqual((await reload(second)).data.merged, [], 'the loser writes its smaller set back');
  });

  it('a member another worker is delivering right now is dropped, not sent twice', async () => {
    const host = await add(delivery('p1'));
    const busy = await add(delivery('p2'));
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Only p2 may be taken: the host is moved out of the way first.
    const hostData = host.data;
    await host.remove();
    const connection = createRedisConnection(REDIS_URL);
    const worker = new Worker(QUEUE_NAMES.chat, () => gate, { connection, prefix });
    try {
      for (let tries = 0; (await busy.getState()) !== 'active'; tries += 1) {
        assert.ok(tries < 200, 'p2 never became active');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const again = await add(hostData);
      await again.updateData({ ...again.data, merged: [{ jobId: String(busy.id), data: busy.data }] });
      assert.deepEqual(await settleBurst(await reload(again), burst), []);
    } finally {
      release();
      await worker.close();
      connection.disconnect();
    }
  });

  it('a notification recorded sent is not sent again (a replayed job)', async () => {
    const host = await add(delivery('p1'));
    await store.notifications.record({ id: host.data.notificationId, at: new Date().toISOString(), incidentId: 'p1-1', pipelineId: 'p1', channel: 'chat', kind: 'critical', outcome: 'sent', error: null, attempts: 1 });
    assert.deepEqual(await deliver(host), { outcome: 'sent', notifications: 0 });
    assert.equal(chat.sent.length, 0);
  });

  it('a member delivered elsewhere after it was listed is dropped', async () => {
    const host = await add(delivery('p1'));
    const other = await add(delivery('p2'));
    await store.notifications.record({ id: other.data.notificationId, at: new Date().toISOString(), incidentId: 'p2-1', pipelineId: 'p2', channel: 'chat', kind: 'critical', outcome: 'sent', error: null, attempts: 1 });
    await host.updateData({ ...host.data, merged: [{ jobId: String(other.id), data: other.data }] });
    await deliver(await reload(host));
    assert.deepEqual(named(chat.sent[0]), ['p1']);
  });
});

describe('pacing and backoff', () => {
  it('holds the whole Chat queue for Retry-After on a 429, records retrying, and spends no attempt', async () => {
    const host = await add(delivery('p1'));
    const held: number[] = [];
    const tooMany: Notifier = {
      ...chat.notifier,
      async send() {
        throw new DeliveryError('chat', 'Google Chat: HTTP 429 Too Many Requests', { permanent: false, retryAfterMs: 30_000, statusCode: 429 });
      },
    };
    await assert.rejects(
      deliver(host, { notifier: tooMany, rateLimit: async (ms) => void held.push(ms) }),
      (err: unknown) => err instanceof RateLimitError,
    );
    assert.deepEqual(held, [30_000], 'the queue is held for what Chat asked');
    const record = await store.notifications.get(host.data.notificationId);
    assert.equal(record?.outcome, 'retrying');
    assert.match(record?.error ?? '', /429/);
  });

  it('keeps retrying for more than a 10-minute outage with the default backoff', () => {
    const saved = process.env.DATAMON_DELIVERY_BACKOFF_MS;
    delete process.env.DATAMON_DELIVERY_BACKOFF_MS;
    try {
      let total = 0;
      for (let attempt = 1; attempt < DELIVERY_ATTEMPTS; attempt += 1) total += deliveryBackoff(attempt, new Error('down'));
      assert.ok(total > 10 * 60_000, `retries span ${Math.round(total / 60_000)} min`);
      assert.equal(deliveryBackoff(1, new DeliveryError('chat', '429', { permanent: false, retryAfterMs: 90_000 })), 90_000);
    } finally {
      if (saved !== undefined) process.env.DATAMON_DELIVERY_BACKOFF_MS = saved;
    }
  });
});
