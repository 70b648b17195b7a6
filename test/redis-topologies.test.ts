import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { resolveConfig } from '@datamon/config';
import type { CheckResult, DatamonConfig } from '@datamon/core';
import { Writable } from 'node:stream';
import { createLogger } from '@datamon/io';
import { createQueueEvents, createQueues, createWorker, type DatamonQueues, DEFAULT_SETTINGS, enqueueManualCheckin, enqueueRunPipeline } from '@datamon/jobs';
import { startAlertWorker, startCheckWorker } from '@datamon/workers';
import { FakeGoogleChat } from '../packages/notifiers/test/helpers/fake-chat.ts';
import { closeRedis, createRedisConnection, DatamonStore, effectivePrefix, type RedisClient } from '@datamon/store';
import type { QueueEvents, Worker } from 'bullmq';
import { Cluster } from 'ioredis';
import { startCluster, startSentinel, startTlsRedis, type Topology, topologySkipReason } from './helpers/redis-topologies.ts';
import { waitFor } from '../packages/workers/test/helpers.ts';

/**
 * datamon on each Redis topology of README "Running it", against real servers this file starts:
 * the store, its Lua scripts, a BullMQ queue and worker, and live updates, through the same
 * config keys and connection factory the roles use.
 */

const skip = topologySkipReason();
const quiet = createLogger({ role: 'test', destination: new Writable({ write: (_c, _e, done) => done() }) });


const TOPOLOGIES: { name: string; start: () => Promise<Topology>; cluster: boolean; tlsUrl?: boolean }[] = [
  { name: 'a TLS-only Redis (rediss:// with a CA and a client certificate)', start: startTlsRedis, cluster: false, tlsUrl: true },
  { name: 'a master found through Redis Sentinel (with passwords)', start: () => startSentinel(), cluster: false },
  { name: 'a master found through Redis Sentinel, both over TLS', start: () => startSentinel({ tls: true }), cluster: false },
  { name: 'a three-master Redis Cluster (with a password)', start: () => startCluster(), cluster: true },
  { name: 'a three-master Redis Cluster over TLS', start: () => startCluster({ tls: true }), cluster: true },
];

function result(pipelineId: string, checkedAt: string): CheckResult {
  return { pipelineId, status: 'OK', value: 1, message: 'fresh', checkedAt, details: {}, durationMs: 2 };
}

for (const topology of TOPOLOGIES) {
  describe(`on ${topology.name}`, { skip }, () => {
    const prefix = `topology-${randomUUID()}`;
    let running: Topology | undefined;
    let config: DatamonConfig;
    let redis: RedisClient;
    let store: DatamonStore;
    const closers: (() => Promise<unknown>)[] = [];

    before(async () => {
      running = await topology.start();
      config = resolveConfig({ redis: { ...running.redis, prefix } }, { source: 'topology test', env: {} });
      redis = createRedisConnection(config.redis);
      closers.push(() => closeRedis(redis));
      store = new DatamonStore(redis, { prefix: config.redis.prefix, historyDays: 7 });
    });

    after(async () => {
      // Last opened, first closed; the servers go last, whatever failed before.
      for (const close of closers.reverse()) await close().catch(() => undefined);
      await running?.stop();
    });

    it(topology.cluster ? 'uses the hash-tagged prefix {<prefix>} for the store and the queues' : 'uses the plain prefix for the store and the queues', () => {
      const expected = topology.cluster ? `{${prefix}}` : prefix;
      assert.equal(effectivePrefix(config.redis), expected);
      assert.equal(store.keys.latest, `${expected}:latest`);
      assert.equal(redis instanceof Cluster, topology.cluster);
    });

    it('records a result and reads it back', async () => {
      const first = await store.results.record(result('etl_calls', '2026-03-30T07:00:00Z'), { jobId: 'job-1' });
      assert.equal(first.stored, true);
      const again = await store.results.record(result('etl_calls', '2026-03-30T07:00:00Z'), { jobId: 'job-1' });
      assert.equal(again.stored, false, 'the retried job is stored once');
      assert.equal((await store.results.latest('etl_calls'))?.message, 'fresh');
      assert.equal((await store.results.history('etl_calls', new Date(0))).length, 1);
    });

    it('runs the multi-key Lua scripts and MULTI: a lock, a check-in slot, a round, a ping', async () => {
      assert.equal(await store.withLock('pipeline:etl_calls', async () => 'held'), 'held');
      assert.equal(await redis.exists(store.keys.lock('pipeline:etl_calls')), 0, 'the lock is released by its script');
      assert.equal(await store.checkinSlots.claim('morning', '2026-03-30T06:30:00.000Z', 'job-a'), true);
      assert.equal(await store.checkinSlots.claim('morning', '2026-03-30T06:30:00.000Z', 'job-b'), false);
      await store.monitor.roundSplit('round-1', 1);
      assert.equal(await store.monitor.partDone('round-1', 'part-1', new Date('2026-03-30T07:00:00Z')), true);
      const ping = await store.pings.record('nightly', { at: '2026-03-30T07:00:00.000Z', type: 'success', exitCode: 0, rid: null, durationMs: null, body: '' }, '2026-03-30');
      assert.equal(ping.checkNeeded, true);
      assert.equal((await store.pings.recent('nightly')).length, 1);
    });

    it('runs a job through createQueues and createWorker, end to end, and QueueEvents reports it', async () => {
      const queues: DatamonQueues = createQueues(config);
      closers.push(() => queues.close());
      const events: QueueEvents = createQueueEvents(config, 'checks');
      closers.push(() => events.close());
      await events.waitUntilReady();
      // QueueEvents reads the events stream from the moment its first XREAD starts, a few ms after
      // it is ready (longer on a TLS cluster): the job waits until QueueEvents has seen it start,
      // so its completion cannot be missed (or, should that event come too early, a second).
      const seenActive = new Promise<void>((resolve) => events.once('active', () => resolve()));
      const workerConnection = createRedisConnection(config.redis);
      closers.push(() => closeRedis(workerConnection));
      const worker: Worker<unknown, unknown, string> = createWorker(
        'checks',
        async (job) => {
          if (job.name !== 'run-pipeline') throw new Error(`unexpected job ${job.name}`);
          await Promise.race([seenActive, new Promise((resolve) => setTimeout(resolve, 1_000))]);
          const checked = result(job.data.pipelineId, job.data.requestedAt);
          await store.results.record(checked, { jobId: job.id ?? 'none' });
          return checked;
        },
        { connection: workerConnection, config, concurrency: 1 },
      );
      closers.push(() => worker.close());

      const { job } = await enqueueRunPipeline(queues, 'call_volume', 'topology test', new Date('2026-03-30T08:00:00Z'));
      const returned = (await job.waitUntilFinished(events, 20_000)) as CheckResult;
      assert.equal(returned.pipelineId, 'call_volume');
      assert.equal((await store.results.latest('call_volume'))?.checkedAt, '2026-03-30T08:00:00.000Z');
      assert.equal(await queues.checks.queue.getJobCountByTypes('completed'), 1);
    });

    it('announces a new snapshot to a subscriber (live updates)', async () => {
      const subscriber = createRedisConnection(config.redis);
      closers.push(() => closeRedis(subscriber));
      const announced = new Promise<string>((resolve) => subscriber.on('message', (_channel: string, message: string) => resolve(message)));
      await subscriber.subscribe(store.keys.snapshotChannel);
      const snapshot = await store.refreshSnapshot({ pipelines: config.pipelines, checkins: config.checkins }, new Date('2026-03-30T08:01:00Z'));
      assert.equal(await announced, snapshot.generatedAt);
      assert.equal(JSON.parse((await store.snapshotJson()) ?? '{}').generatedAt, snapshot.generatedAt);
    });

    if (topology.cluster) {
      it('keeps every key it wrote, the store\'s and BullMQ\'s, on one slot of one node', async () => {
        assert.ok(redis instanceof Cluster);
        const byNode = new Map<string, string[]>();
        for (const node of redis.nodes('master')) {
          let cursor = '0';
          do {
            const [next, keys] = await node.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
            cursor = next;
            if (keys.length > 0) byNode.set(`${node.options.host}:${node.options.port}`, [...(byNode.get(`${node.options.host}:${node.options.port}`) ?? []), ...keys]);
          } while (cursor !== '0');
        }
        const keys = [...byNode.values()].flat();
        assert.equal(byNode.size, 1, `keys on ${byNode.size} nodes`);
        assert.ok(keys.includes(`{${prefix}}:latest`), 'the store wrote under the hash tag');
        assert.ok(keys.some((key) => key.startsWith(`{${prefix}}:checks:`)), 'BullMQ wrote under the hash tag');
        const slot = await redis.cluster('KEYSLOT', prefix);
        const slots = new Set(await Promise.all(keys.map((key) => redis.cluster('KEYSLOT', key))));
        assert.deepEqual([...slots], [slot], `${keys.length} keys`);
      });
    }

    // After the one-slot check above: the roles use a prefix (and so a slot) of their own.
    it('runs the roles: run-now to a Chat card, a check-in and its card, and a check worker restarted', async () => {
      const chat = await new FakeGoogleChat().start();
      closers.push(() => chat.stop());
      const roles = resolveConfig(
        {
          redis: { ...running?.redis, prefix: `${prefix}-roles` },
          google_chat: { webhook_url: chat.webhookUrl() },
          email: { smtp_server: '' },
          pipelines: [{ id: 'morning_csv', name: 'Morning CSV', kind: 'file_arrival', directory: '/nonexistent/datamon-topology', pattern: 'calls.csv', expected: '00:01', deadline: '00:02' }],
          schedule: { checkins: { morning: { pipelines: ['morning_csv'] }, first_shift: { enabled: false }, second_shift: { enabled: false } } },
        },
        { source: 'topology test', env: {} },
      );
      const queues = createQueues(roles);
      closers.push(async () => {
        await queues.obliterate();
        await queues.close();
      });
      const roleStore = new DatamonStore(queues.connection, { prefix: roles.redis.prefix, historyDays: 7 });
      closers.push(() => roleStore.clear());
      const alerts = await startAlertWorker({ config: roles, logger: quiet, watchEveryMs: 3_600_000 });
      closers.push(() => alerts.close());
      let checks = await startCheckWorker({ config: roles, logger: quiet, settings: DEFAULT_SETTINGS });
      closers.push(() => checks.close());
      await Promise.all([alerts.ready, checks.ready]);
      const cards = () => chat.requests.map((request) => JSON.stringify(request.body));

      await enqueueRunPipeline(queues, 'morning_csv', 'topology test', new Date());
      await waitFor(() => cards().some((card) => card.includes('CRITICAL: Morning CSV')), 30_000, 'the CRITICAL card');
      await enqueueManualCheckin(queues, 'morning', 'topology test', new Date());
      await waitFor(async () => (await roleStore.checkinRuns.allLatest()).morning !== undefined && cards().length >= 2, 30_000, 'the check-in card');

      // One role stopped and started again (a deploy, a crash): the work goes on.
      await checks.close();
      checks = await startCheckWorker({ config: roles, logger: quiet, settings: DEFAULT_SETTINGS });
      closers.push(() => checks.close());
      await checks.ready;
      const before = (await roleStore.results.latest('morning_csv'))?.checkedAt;
      await enqueueRunPipeline(queues, 'morning_csv', 'topology test', new Date());
      await waitFor(async () => (await roleStore.results.latest('morning_csv'))?.checkedAt !== before, 30_000, 'a check by the restarted worker');
    });

    it('clears every key under its prefix (every node of a cluster)', async () => {
      await store.clear();
      assert.equal(await store.results.latest('etl_calls'), null);
      assert.equal(await redis.exists(store.keys.latest, store.keys.snapshot), 0);
    });

    if (topology.tlsUrl) {
      it('refuses a server certificate no configured CA signed', async () => {
        const untrusting = createRedisConnection(
          { ...config.redis, tls: { ...config.redis.tls, ca_file: '' } },
          { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 },
        );
        const errors: string[] = [];
        untrusting.on('error', (err: Error) => errors.push(err.message));
        try {
          await assert.rejects(untrusting.connect());
          assert.match(errors.join('; '), /self[- ]signed|unable to (get|verify)/i);
        } finally {
          untrusting.disconnect();
        }
      });
    }
  });
}
