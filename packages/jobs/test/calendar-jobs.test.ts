import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { CheckResult, DatamonConfig, PipelineDefinition } from '@datamon/core';
import { createLogger } from '@datamon/io';
import { DatamonStore } from '@datamon/store';
import { testConfig } from '../../notifiers/test/helpers/config.ts';
import { type AlertsJobs, type CheckinJobSummary, type ChecksJobs, createQueues, type DatamonQueues, type JobOf } from '../src/index.ts';
import { type CheckJobDeps, processAlertJob, processCheckJob } from '../src/processors/index.ts';

/**
 * README "Business calendar": on a day the calendar closes, a `workdays` check-in does not run and
 * the daily summary is not sent (a check-in run by hand still runs); on a working day both do.
 * The processors are called with real jobs on real Redis.
 */

const quiet = createLogger({ role: 'test', level: 'silent' });
const CHRISTMAS_NOON = new Date('2026-12-25T12:00:00Z');
const MONDAY_NOON = new Date('2026-12-21T12:00:00Z');

let config: DatamonConfig;
let queues: DatamonQueues;
let store: DatamonStore;
const ran: string[] = [];

/** A runner that records what it was asked to check (the sources do not matter here). */
const runner: CheckJobDeps['runner'] = {
  async run(pipeline, now = new Date()) {
    ran.push(pipeline.id);
    return { pipelineId: pipeline.id, status: 'OK', value: 1, message: 'fine', checkedAt: now.toISOString(), details: {}, durationMs: 1 } satisfies CheckResult;
  },
  async runMany(pipelines: PipelineDefinition[], now?: Date) {
    return Promise.all(pipelines.map((pipeline) => this.run(pipeline, now)));
  },
  async close() {},
};

function checkDeps(now: Date): CheckJobDeps {
  return { config, store, queues, runner, now: () => now, logger: quiet, settings: { quickCheckChunk: 100 }, refreshSnapshot: async () => {} };
}

async function checkinJob(data: JobOf<ChecksJobs, 'checkin'>['data']) {
  return (await queues.checks.add('checkin', data, { jobId: `test-${randomUUID()}` })) as unknown as JobOf<ChecksJobs, 'checkin'>;
}

before(() => {
  config = testConfig({
    redis: { prefix: `test-${randomUUID()}` },
    calendar: { workdays: ['mon', 'tue', 'wed', 'thu', 'fri'], holidays: 'england-and-wales' },
  });
  queues = createQueues(config);
  store = new DatamonStore(queues.connection, { prefix: config.redis.prefix, historyDays: 90 });
});

after(async () => {
  await queues.obliterate();
  await store.clear();
  await queues.close();
});

describe('a workdays check-in', () => {
  it('does not run on Christmas Day, and says why', async () => {
    ran.length = 0;
    const job = await checkinJob({ checkinId: 'first_shift', scheduledFor: '2026-12-25T11:45:00.000Z', late: false, manual: false });
    const summary = await processCheckJob(job, checkDeps(CHRISTMAS_NOON));
    assert.deepEqual(summary, { checkinRunId: null, overall: null, late: false, skipped: 'not a working day: Christmas Day' });
    assert.deepEqual(ran, []);
    assert.equal(await queues.alerts.queue.count(), 0, 'no card, no email');
  });

  it('runs when someone runs it by hand on Christmas Day', async () => {
    ran.length = 0;
    const job = await checkinJob({ checkinId: 'first_shift', scheduledFor: CHRISTMAS_NOON.toISOString(), late: false, manual: true, requestedBy: 'ops' });
    const summary = (await processCheckJob(job, checkDeps(CHRISTMAS_NOON))) as CheckinJobSummary;
    assert.equal(summary.overall, 'OK');
    assert.deepEqual(ran, ['morning_csv', 'first_calls']);
  });

  it('runs on a Monday', async () => {
    ran.length = 0;
    const job = await checkinJob({ checkinId: 'first_shift', scheduledFor: '2026-12-21T11:45:00.000Z', late: false, manual: false });
    const summary = (await processCheckJob(job, checkDeps(MONDAY_NOON))) as CheckinJobSummary;
    assert.equal(summary.skipped, undefined);
    assert.deepEqual(ran, ['morning_csv', 'first_calls']);
  });
});

describe('the daily summary (schedule.daily_summary_days: workdays)', () => {
  const summaryJob = async (scheduledFor: string) =>
    (await queues.alerts.add('daily-summary', { scheduledFor }, { jobId: `test-${randomUUID()}` })) as unknown as JobOf<AlertsJobs, 'daily-summary'>;
  const alertDeps = (now: Date) => ({ config, store, queues, channels: ['chat', 'email'] as const, now: () => now, logger: quiet, refreshSnapshot: async () => {} });

  it('is not sent on Boxing Day (substitute day, Monday 28 December)', async () => {
    const result = await processAlertJob(await summaryJob('2026-12-28T18:00:00.000Z'), alertDeps(new Date('2026-12-28T18:00:00Z')));
    assert.deepEqual(result, { notificationIds: [] });
  });

  it('is sent on a working day', async () => {
    const result = (await processAlertJob(await summaryJob('2026-12-22T18:00:00.000Z'), alertDeps(new Date('2026-12-22T18:00:00Z')))) as { notificationIds: string[] };
    assert.equal(result.notificationIds.length, 2);
  });
});
