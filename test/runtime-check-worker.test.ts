import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { CheckResult, DatamonConfig } from '@datamon/core';
import { DatamonStore } from '@datamon/store';
import { createQueueEvents, createQueues, type DatamonQueues, DEFAULT_SETTINGS, runtimeSettings } from '@datamon/jobs';
import { type CheckWorkerHandle, startCheckWorker } from '@datamon/workers';
import type { Job } from 'bullmq';
import { captureLogger, testSetup, waitFor } from '../packages/workers/test/helpers.ts';

const NOON = new Date('2026-03-30T11:00:00Z'); // 12:00 in London, the files' deadline long gone
const TODAY = '20260330';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A check worker in this process on a config of its own, with a clock the test moves. */
async function workerSetup(options: Parameters<typeof testSetup>[0] & { quickCheckChunk?: number; patch?: (config: DatamonConfig) => void } = {}) {
  const env = testSetup(options);
  options.patch?.(env.config);
  const queues = createQueues(env.config);
  const store = new DatamonStore(queues.connection, { prefix: env.config.redis.prefix, historyDays: env.config.monitoring.history_days });
  const clock = { now: NOON };
  const { logger, lines } = captureLogger('checks');
  const worker: CheckWorkerHandle = await startCheckWorker({
    config: env.config,
    logger,
    now: () => clock.now,
    settings: { ...DEFAULT_SETTINGS, quickCheckChunk: options.quickCheckChunk ?? DEFAULT_SETTINGS.quickCheckChunk },
  });
  await worker.ready;
  cleanups.push(async () => {
    await worker.close();
    await queues.obliterate();
    await queues.close();
    await env.cleanup();
  });
  return { ...env, queues, store, clock, worker, lines };
}

async function finished(job: Job<unknown, unknown, string>): Promise<Job<unknown, unknown, string>> {
  const queue = job.queueName;
  await waitFor(async () => ['completed', 'failed'].includes(await job.getState()), 15_000, `${queue} job ${job.id}`);
  return (await (job as unknown as { queue: { getJob(id: string): Promise<Job<unknown, unknown, string>> } }).queue.getJob(job.id as string)) ?? job;
}

async function evaluateJobs(queues: DatamonQueues) {
  const jobs = await queues.alerts.queue.getJobs(['waiting', 'prioritized', 'delayed']);
  return jobs.filter((job) => job.name === 'evaluate').map((job) => ({ id: job.id, data: job.data as { pipelineId: string; previousStatus: string | null; result: CheckResult } }));
}

describe('a quick check', () => {
  it('stores every result and hands the alert worker only the changes', async () => {
    const { queues, store, clock, writeFile, folder } = await workerSetup({ pipelines: 3 });
    writeFile('p0001', TODAY);

    await finished(await queues.checks.add('quick-check', { scheduledFor: NOON.toISOString() }));
    const latest = await store.results.allLatest();
    assert.deepEqual(
      Object.values(latest).map((result) => [result.pipelineId, result.status]).sort(),
      [['p0001', 'OK'], ['p0002', 'CRITICAL'], ['p0003', 'CRITICAL']],
    );
    const first = await evaluateJobs(queues);
    assert.deepEqual(first.map((job) => [job.data.pipelineId, job.data.previousStatus]).sort(), [['p0001', null], ['p0002', null], ['p0003', null]]);
    assert.equal(first.find((job) => job.data.pipelineId === 'p0001')?.id, `evaluate:p0001:${NOON.getTime()}`);

    clock.now = new Date(NOON.getTime() + 5 * 60_000);
    await finished(await queues.checks.add('quick-check', { scheduledFor: clock.now.toISOString() }));
    assert.equal((await evaluateJobs(queues)).length, 3, 'the same statuses again send nothing new');

    rmSync(join(folder, `p0001_${TODAY}.csv`));
    clock.now = new Date(NOON.getTime() + 10 * 60_000);
    await finished(await queues.checks.add('quick-check', { scheduledFor: clock.now.toISOString() }));
    const third = (await evaluateJobs(queues)).filter((job) => job.data.result.checkedAt === clock.now.toISOString());
    assert.deepEqual(third.map((job) => [job.data.pipelineId, job.data.previousStatus, job.data.result.status]), [['p0001', 'OK', 'CRITICAL']]);
  });

  it('hands the alert worker a pipeline with an open incident even when its status is unchanged', async () => {
    const { queues, store, clock } = await workerSetup({ pipelines: 2 });
    await finished(await queues.checks.add('quick-check', { scheduledFor: '' }));
    await queues.connection.hset(store.keys.openIncidents, 'p0002', 'p0002-1');
    await queues.connection.set(store.keys.incident('p0002-1'), JSON.stringify({ id: 'p0002-1', pipelineId: 'p0002', closedAt: null }));

    clock.now = new Date(NOON.getTime() + 5 * 60_000);
    await finished(await queues.checks.add('quick-check', { scheduledFor: '' }));
    const second = (await evaluateJobs(queues)).filter((job) => job.data.result.checkedAt === clock.now.toISOString());
    assert.deepEqual(second.map((job) => [job.data.pipelineId, job.data.previousStatus]), [['p0002', 'CRITICAL']]);
  });

  it('leaves out pipelines with quick_check: false', async () => {
    const { queues, store, config } = await workerSetup({ pipelines: 2 });
    (config.pipelines[1] as { quick_check: boolean }).quick_check = false;
    const job = await finished(await queues.checks.add('quick-check', { scheduledFor: '' }));
    assert.equal((job.returnvalue as { checked: number }).checked, 1);
    assert.deepEqual(Object.keys(await store.results.allLatest()), ['p0001']);
  });

  it('is split into parts when it is large, and the parts check every pipeline once', async () => {
    const { queues, store, ids } = await workerSetup({ pipelines: 10, quickCheckChunk: 4 });
    const parent = await finished(await queues.checks.add('quick-check', { scheduledFor: NOON.toISOString() }));
    assert.deepEqual(parent.returnvalue, { scheduledFor: NOON.toISOString(), checked: 0, parts: 3, evaluations: 0 });
    await waitFor(async () => Object.keys(await store.results.allLatest()).length === 10, 10_000, 'every part');
    for (const id of ids) assert.equal((await store.results.history(id, new Date(0))).length, 1, id);
    const parts = (await queues.checks.queue.getJobs(['completed'])).filter((job) => job.name === 'quick-check-part');
    assert.deepEqual(parts.map((job) => job.id).sort(), [1, 2, 3].map((part) => `quick-check-part:${parent.id}:${part}-of-3`));
  });

  it('stores its results once and enqueues its alert jobs once when the same job runs again', async () => {
    const { queues, store, clock } = await workerSetup({ pipelines: 2 });
    const job = await finished(await queues.checks.add('quick-check', { scheduledFor: '' }));
    // What a crash between storing and completing amounts to: the same job, with its progress, again.
    clock.now = new Date(NOON.getTime() + 60_000);
    await job.retry('completed');
    await waitFor(async () => (await job.getState()) === 'completed' && (await queues.checks.queue.getJob(job.id as string))?.attemptsMade === 2, 10_000, 'the second run');
    assert.equal((await store.results.history('p0001', new Date(0))).length, 1);
    assert.equal((await evaluateJobs(queues)).length, 2);
  });
});

describe('a check-in', () => {
  const SLOT = '2026-03-30T10:45:00.000Z';

  it('stores its run under a deterministic id, records its slot and asks for its report', async () => {
    const { queues, store } = await workerSetup({ pipelines: 2, checkins: { first_shift: { cron: '45 11 * * *', pipelines: ['p0001', 'p0002'] } } });
    const job = await finished(await queues.checks.add('checkin', { checkinId: 'first_shift', scheduledFor: SLOT, late: false, manual: false }));
    assert.deepEqual(job.returnvalue, { checkinRunId: `first_shift:${SLOT}`, overall: 'CRITICAL', late: false });

    const run = await store.checkinRuns.get(`first_shift:${SLOT}`);
    assert.equal(run?.label, 'First Shift Check');
    assert.equal(run?.ranAt, NOON.toISOString());
    assert.deepEqual(run?.results.map((result) => [result.pipelineId, result.status]), [['p0001', 'CRITICAL'], ['p0002', 'CRITICAL']]);
    assert.equal(await queues.connection.get(store.keys.lastSlot('first_shift')), SLOT);

    const report = await queues.alerts.queue.getJob('checkin-report:first_shift:20260330T104500Z');
    assert.deepEqual(report?.data, { checkinRunId: `first_shift:${SLOT}`, checkinId: 'first_shift' });
    const snapshot = await store.snapshot();
    assert.equal(snapshot?.checkins.find((checkin) => checkin.id === 'first_shift')?.lastRunAt, NOON.toISOString());
  });

  describe('made by its job scheduler', () => {
    // A check-in every 2 seconds (a sixth cron field is seconds), so the scheduler makes one now.
    const often = (config: DatamonConfig) => {
      config.checkins.push({ id: 'often', cron: '*/2 * * * * *', label: 'Often', pipelines: ['p0001'], time: null, days: 'every_day' });
    };
    async function scheduledRun(queues: DatamonQueues) {
      await queues.checks.upsertScheduler('checkin:often', { pattern: '*/2 * * * * *', tz: 'Europe/London' }, {
        name: 'checkin',
        data: { checkinId: 'often', scheduledFor: '', late: false, manual: false },
      });
      const job = await waitFor(async () => (await queues.checks.queue.getJobs(['completed'])).find((done) => done.name === 'checkin'), 10_000, 'a scheduled run');
      await queues.checks.queue.removeJobScheduler('checkin:often');
      return job;
    }

    it('runs for the slot it was made for, and says it is late when it starts over 5 minutes after it', async () => {
      const { queues, store, clock } = await workerSetup({ pipelines: 1, patch: often });
      clock.now = new Date(Date.now() + 6 * 60_000);
      const job = await scheduledRun(queues);
      const slot = new Date(job.opts.prevMillis as number).toISOString();
      assert.deepEqual(job.returnvalue, { checkinRunId: `often:${slot}`, overall: 'CRITICAL', late: true });
      assert.equal((await store.checkinRuns.get(`often:${slot}`))?.scheduledFor, slot);
      assert.equal(await queues.connection.get(store.keys.lastSlot('often')), slot);
    });

    it('is skipped when its slot is over 12 hours old (every worker was down)', async () => {
      const { queues, store, clock } = await workerSetup({ pipelines: 1, patch: often });
      clock.now = new Date(Date.now() + 13 * 3600_000);
      const job = await scheduledRun(queues);
      assert.equal((job.returnvalue as { skipped?: string }).skipped, 'slot more than 12 h old');
      assert.equal(await store.checkinRuns.latest('often'), null);
    });
  });

  it('run by hand does not stand in for its scheduled slot', async () => {
    const { queues, store } = await workerSetup({ pipelines: 1, checkins: { morning: { cron: '30 7 * * *', pipelines: ['p0001'] } } });
    await finished(await queues.checks.add('checkin', { checkinId: 'morning', scheduledFor: NOON.toISOString(), late: false, manual: true }));
    assert.equal((await store.checkinRuns.latest('morning'))?.manual, true);
    assert.equal(await queues.connection.get(store.keys.lastSlot('morning')), null);
  });

  it('fails at once, without retrying, when it names an unknown check-in', async () => {
    const { queues } = await workerSetup();
    const job = await finished(await queues.checks.add('checkin', { checkinId: 'nope', scheduledFor: SLOT, late: false, manual: false }));
    assert.equal(await job.getState(), 'failed');
    assert.equal(job.attemptsMade, 1);
    assert.match(job.failedReason, /unknown check-in "nope"/);
  });
});

describe('running one pipeline now', () => {
  it('returns its result to whoever waits for the job', async () => {
    const { queues, config } = await workerSetup({ pipelines: 1 });
    const events = createQueueEvents(config, 'checks');
    cleanups.push(() => events.close());
    await events.waitUntilReady();
    const job = await queues.checks.add('run-pipeline', { pipelineId: 'p0001', requestedAt: NOON.toISOString(), requestedBy: 'test' });
    const result = (await job.waitUntilFinished(events, 10_000)) as CheckResult;
    assert.equal(result.pipelineId, 'p0001');
    assert.equal(result.status, 'CRITICAL');
    assert.equal(result.checkedAt, NOON.toISOString());
    assert.match(result.message, /p0001_20260330\.csv/);
  });

  it('fails at once, without retrying, for an unknown pipeline', async () => {
    const { queues } = await workerSetup({ pipelines: 1 });
    const job = await finished(await queues.checks.add('run-pipeline', { pipelineId: 'nope', requestedAt: NOON.toISOString(), requestedBy: 'test' }));
    assert.equal(await job.getState(), 'failed');
    assert.equal(job.attemptsMade, 1);
    assert.match(job.failedReason, /unknown pipeline "nope"/);
  });
});

describe('history', () => {
  it('is trimmed at monitoring.history_days', async () => {
    const { queues, store, clock } = await workerSetup({ pipelines: 1, historyDays: 1 });
    await finished(await queues.checks.add('run-pipeline', { pipelineId: 'p0001', requestedAt: '', requestedBy: 'test' }));
    clock.now = new Date(NOON.getTime() + 23 * 3600_000);
    await finished(await queues.checks.add('run-pipeline', { pipelineId: 'p0001', requestedAt: '', requestedBy: 'test' }));
    assert.equal((await store.results.history('p0001', new Date(0))).length, 2, 'a day keeps both');
    clock.now = new Date(NOON.getTime() + 25 * 3600_000);
    await finished(await queues.checks.add('run-pipeline', { pipelineId: 'p0001', requestedAt: '', requestedBy: 'test' }));
    const history = await store.results.history('p0001', new Date(0));
    assert.deepEqual(history.map((entry) => entry.checkedAt), [new Date(NOON.getTime() + 23 * 3600_000).toISOString(), clock.now.toISOString()]);
  });
});

describe('runtime settings', () => {
  it('reads concurrency and stall timing from the environment', () => {
    const settings = runtimeSettings({ DATAMON_CHECK_CONCURRENCY: '3', DATAMON_LOCK_DURATION_MS: '2000' });
    assert.equal(settings.checkConcurrency, 3);
    assert.equal(settings.lockDurationMs, 2000);
    assert.equal(settings.stalledIntervalMs, DEFAULT_SETTINGS.stalledIntervalMs);
  });

  it('refuses a value that is not a positive whole number, naming the variable', () => {
    assert.throws(() => runtimeSettings({ DATAMON_CHECK_CONCURRENCY: 'eight' }), /DATAMON_CHECK_CONCURRENCY="eight" is not a positive whole number/);
  });
});
