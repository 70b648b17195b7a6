import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { createQueues } from '@datamon/jobs';
import { type RoleHandle, startAlertWorker, startCheckWorker, startScheduler } from '@datamon/workers';
import { captureLogger, testSetup, waitFor } from '../packages/workers/test/helpers.ts';

/**
 * Redis going away and coming back. Never the shared Redis on 6379: each test runs a throwaway
 * `redis-server` without persistence on a free port, and stops and restarts that one.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A redis-server on `port` (no persistence: a restart loses everything, the harsher case),
 * stopped for good after the test, after everything that uses it has closed.
 */
function throwawayRedis(port: number) {
  let child: ChildProcess | null = null;
  let exited: Promise<unknown> = Promise.resolve();
  const controller = {
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      const running = child;
      exited = new Promise((resolve) => running.on('exit', resolve));
      await waitFor(() => isListening(port), 10_000, `redis-server on ${port}`);
    },
    async stop() {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  cleanups.push(() => controller.stop());
  return controller;
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

function messages(lines: Record<string, unknown>[], pattern: RegExp): number {
  return lines.filter((line) => pattern.test(String(line.msg))).length;
}

const UNREACHABLE = /Redis is unreachable/;
const BACK = /Redis answers again/;

describe('when Redis restarts under a running check worker', () => {
  it('carries on: jobs added after the restart still run, and the outage is logged once', async () => {
    const port = await freePort();
    const redis = throwawayRedis(port);
    await redis.start();
    const env = testSetup({ pipelines: 1, redisUrl: `redis://127.0.0.1:${port}` });
    // Its Redis is thrown away whole: only the temp folder needs removing.
    cleanups.push(() => rmSync(env.folder, { recursive: true, force: true }));
    const { logger, lines } = captureLogger('checks');
    const worker = await startCheckWorker({ config: env.config, logger });
    cleanups.push(() => worker.close());
    const queues = createQueues(env.config);
    queues.connection.on('error', () => undefined);
    cleanups.push(() => queues.close());
    await worker.ready;

    const before = await queues.checks.add('run-pipeline', { pipelineId: 'p0001', requestedAt: '', requestedBy: 'test' });
    await waitFor(async () => (await before.getState()) === 'completed', 10_000, 'a job before the restart');

    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await redis.start();

    const after = await queues.checks.add('run-pipeline', { pipelineId: 'p0001', requestedAt: '', requestedBy: 'test' });
    await waitFor(async () => (await after.getState()) === 'completed', 20_000, 'a job after the restart');
    assert.equal(messages(lines, UNREACHABLE), 1, 'one line for the outage, not one per attempt');
    assert.equal(messages(lines, BACK), 1);
  });
});

describe('when Redis is down as datamon starts', () => {
  it('says so once, keeps trying, and starts working when Redis comes up', async () => {
    const port = await freePort();
    const redis = throwawayRedis(port);
    const env = testSetup({ pipelines: 1, redisUrl: `redis://127.0.0.1:${port}` });
    // Its Redis is thrown away whole: only the temp folder needs removing.
    cleanups.push(() => rmSync(env.folder, { recursive: true, force: true }));
    const { logger, lines } = captureLogger('all');
    const started: RoleHandle[] = [];
    cleanups.push(() => Promise.all(started.map((handle) => handle.close())).then(() => undefined));

    const scheduler = await startScheduler({ config: env.config, logger });
    started.push(scheduler);
    const worker = await startCheckWorker({ config: env.config, logger });
    started.push(worker);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    // One line per role's connection at most, however many reconnection attempts were made.
    assert.ok(messages(lines, UNREACHABLE) >= 1 && messages(lines, UNREACHABLE) <= 2, `${messages(lines, UNREACHABLE)} lines`);
    assert.equal(lines.filter((line) => line.level === 50).length, 0, 'no error lines while it waits');

    await redis.start();
    const report = await scheduler.ready;
    assert.ok(report.upserted.includes('quick-check'));
    await worker.ready;
    const queues = createQueues(env.config);
    cleanups.push(() => queues.close());
    const job = await queues.checks.add('run-pipeline', { pipelineId: 'p0001', requestedAt: '', requestedBy: 'test' });
    await waitFor(async () => (await job.getState()) === 'completed', 15_000, 'the first job');
    assert.equal(messages(lines, BACK), messages(lines, UNREACHABLE));
  });

  it('still stops promptly if told to before Redis ever answered', async () => {
    const port = await freePort();
    const env = testSetup({ pipelines: 1, redisUrl: `redis://127.0.0.1:${port}` });
    // Its Redis is thrown away whole: only the temp folder needs removing.
    cleanups.push(() => rmSync(env.folder, { recursive: true, force: true }));
    const { logger } = captureLogger('all');
    const scheduler = await startScheduler({ config: env.config, logger });
    const worker = await startCheckWorker({ config: env.config, logger });
    const alerts = await startAlertWorker({ config: env.config, logger });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const stopping = Date.now();
    await Promise.all([scheduler.close(), worker.close(), alerts.close()]);
    assert.ok(Date.now() - stopping < 5_000, `took ${Date.now() - stopping} ms`);
  });
});
