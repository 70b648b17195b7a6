import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CheckResult } from '@datamon/core';
import { type ChecksJobs, DEFAULT_JOB_OPTIONS, type DataOf, QUEUE_NAMES } from '@datamon/jobs';
import { createRedisConnection } from '@datamon/store';
import { UnrecoverableError, Worker } from 'bullmq';
import { basic, result, testApp, type TestApp } from './helpers.ts';

const auth = { authorization: basic() };

describe('POST /api/pipelines/:id/run?wait=1', () => {
  let t: TestApp;
  let worker: Worker;
  const connection = createRedisConnection(process.env.DATAMON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  const seen: DataOf<ChecksJobs, 'run-pipeline'>[] = [];
  const attempts: (number | undefined)[] = [];
  const retention: unknown[] = [];

  before(async () => {
    t = await testApp(undefined, { runWaitMs: 1_500 });
    // A stand-in check worker: runs "morning_csv" fine, fails on "operators", never answers
    // for "call_volume".
    worker = new Worker<DataOf<ChecksJobs, 'run-pipeline'>, CheckResult>(
      QUEUE_NAMES.checks,
      async (job) => {
        seen.push(job.data);
        attempts.push(job.opts.attempts);
        retention.push(job.opts.removeOnComplete);
        if (job.data.pipelineId === 'operators') throw new UnrecoverableError('worker crashed');
        if (job.data.pipelineId === 'etl_calls') throw new Error('warehouse connection reset');
        if (job.data.pipelineId === 'call_volume') await new Promise((resolve) => setTimeout(resolve, 3_000));
        const checked = result(job.data.pipelineId, 'WARNING', '2026-03-30T09:00:01.000Z', 'productivity_20260330_1131.csv has no data rows', 0);
        await t.store.results.record(checked, { jobId: job.id });
        return checked;
      },
      { connection, prefix: t.config.redis.prefix, concurrency: 4 },
    );
    await worker.waitUntilReady();
  });
  after(async () => {
    await worker.close(true);
    await t.cleanup();
    await connection.quit();
  });

  it('waits for the check and answers 200 {jobId, result}', async () => {
    const response = await t.app.inject({ payload: {}, method: 'POST', url: '/api/pipelines/morning_csv/run?wait=1', headers: auth });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(typeof body.jobId, 'string');
    assert.deepEqual(body.result, {
      status: 'WARNING',
      value: 0,
      message: 'productivity_20260330_1131.csv has no data rows',
      checkedAt: '2026-03-30T09:00:01.000Z',
    });
    assert.equal(seen.at(-1)?.pipelineId, 'morning_csv');
    assert.equal(seen.at(-1)?.requestedBy, 'ops');
  });

  it('adds the job with the same attempts and retention as a scheduled check', () => {
    assert.equal(attempts.at(-1), DEFAULT_JOB_OPTIONS.attempts);
    assert.deepEqual(retention.at(-1), DEFAULT_JOB_OPTIONS.removeOnComplete);
  });

  it('without wait answers 202 at once', async () => {
    const response = await t.app.inject({ payload: {}, method: 'POST', url: '/api/pipelines/morning_csv/run?wait=0', headers: auth });
    assert.equal(response.statusCode, 202);
  });

  it('answers 504 when the check does not finish in time', async () => {
    const started = Date.now();
    const response = await t.app.inject({ payload: {}, method: 'POST', url: '/api/pipelines/call_volume/run?wait=true', headers: auth });
    assert.equal(response.statusCode, 504);
    assert.ok(Date.now() - started < 3_000);
    const body = response.json();
    assert.equal(body.error, 'Gateway Timeout');
    assert.match(body.message, /did not finish within 2 s \(job \S+ is active\)/);
  });

  it('answers 504 naming the failed attempt while the job is retried (like a scheduled check)', async () => {
    const response = await t.app.inject({ payload: {}, method: 'POST', url: '/api/pipelines/etl_calls/run?wait=1', headers: auth });
    assert.equal(response.statusCode, 504);
    assert.match(response.json().message, /attempt 1 failed \(warehouse connection reset\) and it is retried/);
  });

  it('answers 500 with the reason when the job fails for good', async () => {
    const response = await t.app.inject({ payload: {}, method: 'POST', url: '/api/pipelines/operators/run?wait=1', headers: auth });
    assert.equal(response.statusCode, 500);
    assert.match(response.json().message, /failed: worker crashed/);
  });
});
