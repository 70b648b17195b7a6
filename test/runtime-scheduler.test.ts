import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { DatamonConfig } from '@datamon/core';
import { createRedisConnection, DatamonStore } from '@datamon/store';
import { createQueues, type DatamonQueues } from '@datamon/jobs';
import { desiredSchedules } from '@datamon/jobs/processors';
import { type RoleHandle, type SchedulerHandle, startCheckWorker, startScheduler } from '@datamon/workers';
import { captureLogger, testSetup, waitFor } from '../packages/workers/test/helpers.ts';

const NINE_AM_LONDON = new Date('2026-03-30T08:00:00Z');
const MORNING_SLOT = '2026-03-30T06:30:00.000Z';
const LATE_JOB_ID = 'checkin:morning:20260330T063000Z-late';

/** Everything a test started, closed and wiped after it. */
const open: RoleHandle[] = [];
const wipes: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((handle) => handle.close()));
  for (const wipe of wipes.splice(0)) await wipe();
});

function setup(options: Parameters<typeof testSetup>[0] = {}) {
  const env = testSetup(options);
  const queues = createQueues(env.config);
  wipes.push(async () => {
    await queues.obliterate();
    await queues.close();
    await env.cleanup();
  });
  return { ...env, queues };
}

async function startSchedulers(config: DatamonConfig, count: number, now = () => NINE_AM_LONDON): Promise<SchedulerHandle[]> {
  const handles = await Promise.all(Array.from({ length: count }, () => startScheduler({ config, logger: captureLogger('scheduler').logger, now, recheckEveryMs: 3_600_000 })));
  open.push(...handles);
  await Promise.all(handles.map((handle) => handle.ready));
  return handles;
}

async function schedulerIds(queues: DatamonQueues): Promise<string[]> {
  const all = [...(await queues.checks.queue.getJobSchedulers(0, -1)), ...(await queues.alerts.queue.getJobSchedulers(0, -1))];
  return all.map((scheduler) => scheduler.key).sort();
}

describe('when ten schedulers start at once', () => {
  it('leaves one job scheduler per id, each with one next run', async () => {
    const { config, queues } = setup();
    await startSchedulers(config, 10);
    const expected = desiredSchedules(config).map((entry) => entry.id).sort();
    assert.deepEqual(await schedulerIds(queues), expected);
    const checksSchedulers = desiredSchedules(config).filter((entry) => entry.queue === 'checks').length;
    assert.equal(await queues.checks.queue.getDelayedCount(), checksSchedulers);
    assert.equal(await queues.alerts.queue.getDelayedCount(), 2);
  });

  it('reads every pattern in monitoring.timezone', async () => {
    const { config, queues } = setup({ timezone: 'Europe/London', checkins: { morning: { cron: '30 7 * * *', pipelines: ['p0001'] } } });
    await startSchedulers(config, 1);
    const schedulers = await queues.checks.queue.getJobSchedulers(0, -1);
    assert.ok(schedulers.length > 0);
    for (const scheduler of schedulers) assert.equal(scheduler.tz, 'Europe/London');
    const morning = schedulers.find((scheduler) => scheduler.key === 'checkin:morning');
    assert.equal(morning?.pattern, '30 7 * * *');
  });
});

describe('when the config changes between starts', () => {
  it('removes the scheduler of a check-in that left the config and keeps the others', async () => {
    const { config, queues } = setup({ checkins: { evening: { cron: '0 20 * * *', pipelines: ['p0001'] } } });
    const [first] = await startSchedulers(config, 1);
    assert.ok((await schedulerIds(queues)).includes('checkin:evening'));
    await first?.close();

    const without: DatamonConfig = { ...config, checkins: config.checkins.filter((checkin) => checkin.id !== 'evening') };
    const [second] = await startSchedulers(without, 1);
    assert.deepEqual((await second?.ready)?.removed, ['checkin:evening']);
    assert.deepEqual(await schedulerIds(queues), desiredSchedules(without).map((entry) => entry.id).sort());
  });

  it('applies a changed check-in time without waiting for a restart of the others', async () => {
    const { config, queues } = setup();
    const [scheduler] = await startSchedulers(config, 1);
    await queues.checks.queue.removeJobScheduler('quick-check');
    const report = await scheduler?.reconcile();
    assert.deepEqual(report?.upserted, ['quick-check'], 'a lost scheduler is put back (Redis restarted without its data)');
    assert.deepEqual((await scheduler?.reconcile())?.upserted, [], 'an unchanged schedule is left alone');
  });
});

describe('when a check-in slot passed while nothing was running', () => {
  it('runs it late exactly once, however many schedulers start, and the run says it was late', async () => {
    const { config, queues } = setup({ checkins: { morning: { cron: '30 7 * * *', pipelines: ['p0001', 'p0002'] } } });
    const handles = await startSchedulers(config, 10);
    const lateRuns = (await Promise.all(handles.map((handle) => handle.ready))).flatMap((report) => report.late);
    assert.deepEqual(lateRuns, [{ checkinId: 'morning', slot: MORNING_SLOT, jobId: LATE_JOB_ID }]);

    const waiting = await queues.checks.queue.getJobs(['waiting', 'prioritized']);
    const checkinJobs = waiting.filter((job) => job.name === 'checkin');
    assert.deepEqual(
      checkinJobs.map((job) => [job.id, job.data]),
      [[LATE_JOB_ID, { checkinId: 'morning', scheduledFor: MORNING_SLOT, late: true, manual: false }]],
    );

    const worker = await startCheckWorker({ config, logger: captureLogger('checks').logger });
    open.push(worker);
    const store = new DatamonStore(queues.connection, { prefix: config.redis.prefix, historyDays: 90 });
    const run = await waitFor(() => store.checkinRuns.latest('morning'), 10_000, 'the late check-in run');
    assert.equal(run.id, `morning:${MORNING_SLOT}`);
    assert.equal(run.late, true);
    assert.equal(run.scheduledFor, MORNING_SLOT);
    assert.deepEqual(run.results.map((result) => result.pipelineId), ['p0001', 'p0002']);

    // Ten more starts later in the morning: the slot has run, nothing more is enqueued.
    const later = await startSchedulers(config, 10, () => new Date('2026-03-30T09:30:00Z'));
    assert.deepEqual((await Promise.all(later.map((handle) => handle.ready))).flatMap((report) => report.late), []);
    const checkinRuns = await store.checkinRuns.list('morning', new Date(0));
    assert.equal(checkinRuns.length, 1);
  });

  it('does not run it late while its scheduled run is still waiting for a worker', async () => {
    const { config, queues } = setup();
    // A check-in every 5 seconds (cron-parser reads a sixth field as seconds), on the real clock.
    const often: DatamonConfig = { ...config, checkins: [{ id: 'often', cron: '*/5 * * * * *', label: 'Often', pipelines: ['p0001'], time: null, days: 'every_day' }] };
    const [scheduler] = await startSchedulers(often, 1, () => new Date());
    const next = (await queues.checks.queue.getJobScheduler('checkin:often'))?.next as number;
    await waitFor(() => Date.now() > next + 200, 10_000, 'the slot to pass');
    // No worker took it: the run for the slot sits in the queue, overdue. That is not "missed".
    assert.equal((await queues.checks.queue.getJobScheduler('checkin:often'))?.next, next, 'the scheduler still waits on that slot');
    assert.deepEqual((await scheduler?.reconcile())?.late, []);
  });

  it('does not run a slot the check worker already recorded', async () => {
    const { config } = setup({ checkins: { morning: { cron: '30 7 * * *', pipelines: ['p0001'] } } });
    const redis = createRedisConnection(config.redis.url);
    const store = new DatamonStore(redis, { prefix: config.redis.prefix, historyDays: 90 });
    await redis.set(store.keys.lastSlot('morning'), MORNING_SLOT);
    redis.disconnect();
    const [scheduler] = await startSchedulers(config, 1);
    assert.deepEqual((await scheduler?.ready)?.late, []);
  });
});

describe('when a queue was left paused', () => {
  it('resumes it at start, unless an admin paused it on purpose', async () => {
    const { config, queues } = setup();
    await queues.checks.queue.pause();
    await queues.alerts.queue.pause();
    const store = new DatamonStore(queues.connection, { prefix: config.redis.prefix, historyDays: 90 });
    await store.monitor.recordPause('alerts', 'admin token #1', new Date());
    await startSchedulers(config, 1);
    assert.equal(await queues.checks.queue.isPaused(), false, 'a pause nobody stands behind is undone');
    assert.equal(await queues.alerts.queue.isPaused(), true, 'an admin\'s pause is left as it is');
  });
});
