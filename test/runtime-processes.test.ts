import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { DatamonStore } from '@datamon/store';
import { createQueues, type DatamonQueues } from '@datamon/jobs';
import type { Job } from 'bullmq';
import { testSetup, waitFor } from '../packages/workers/test/helpers.ts';

/**
 * Check workers as real processes: `datamon start --role checks`, as a deployment runs them.
 * Slow checks come from a "warehouse" that accepts connections and never answers: a MySQL check
 * against it takes exactly its `query_timeout_ms`, then reports CRITICAL (it could not connect).
 */

const ROOT = join(import.meta.dirname, '..');
const DATAMON = join(ROOT, 'packages/cli/bin/datamon.js');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function silentWarehouse(): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return (server.address() as { port: number }).port;
}

/** A config of `count` slow MySQL pipelines (`slow1`...) in a file, and its queues and store. */
async function slowSetup(count: number, checkMs: number) {
  const port = await silentWarehouse();
  const env = testSetup({ pipelines: 0 });
  const raw = {
    ...env.raw,
    database: { host: '127.0.0.1', port, user: 'nobody', password: 'unused', database: 'none', query_timeout_ms: checkMs },
    pipelines: Array.from({ length: count }, (_, index) => ({ id: `slow${index + 1}`, name: `Slow ${index + 1}`, kind: 'mysql_freshness', table: 'FactCalls', column: 'call_start' })),
  };
  const configPath = join(env.folder, 'monitoring_config.json');
  writeFileSync(configPath, JSON.stringify(raw));
  const queues = createQueues(env.config);
  const store = new DatamonStore(queues.connection, { prefix: env.config.redis.prefix, historyDays: 90 });
  cleanups.push(async () => {
    await obliterate(queues);
    await queues.close();
    await env.cleanup();
  });
  return { env, configPath, queues, store };
}

async function obliterate(queues: DatamonQueues): Promise<void> {
  await queues.obliterate();
}

interface WorkerProcess {
  child: ChildProcess;
  /** The name BullMQ records as the jobs' `processedBy`. */
  name: string;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Starts `datamon start --role checks` with short stall timings, so a dead worker's job moves on fast. */
function startWorkerProcess(configPath: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, [DATAMON, 'start', '--role', 'checks', '--config', configPath], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATAMON_LOCK_DURATION_MS: '2000',
      DATAMON_STALLED_INTERVAL_MS: '1000',
      DATAMON_CHECK_CONCURRENCY: '1',
      DATAMON_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
  });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, name: `${hostname()}:${child.pid}`, output, exited };
}

async function workersConnected(queues: DatamonQueues, count: number): Promise<void> {
  await waitFor(async () => (await queues.checks.queue.getWorkersCount()) >= count, 20_000, `${count} check worker(s) to connect`);
}

async function stateOf(queues: DatamonQueues, id: string): Promise<{ job: Job<unknown, unknown, string>; state: string } | null> {
  const job = await queues.checks.queue.getJob(id);
  return job ? { job, state: await job.getState() } : null;
}

describe('two check-worker processes on one Redis', () => {
  it('share the parts of one quick check between them', async () => {
    // Eight one-second parts: an idle worker that missed the wake-up still polls again within
    // BullMQ's drainDelay (5 s), well before the other could finish them all.
    const { configPath, queues, store } = await slowSetup(8, 1_000);
    const workers = [startWorkerProcess(configPath, { DATAMON_QUICK_CHECK_CHUNK: '1' }), startWorkerProcess(configPath, { DATAMON_QUICK_CHECK_CHUNK: '1' })];
    await workersConnected(queues, 2);

    const parent = await queues.checks.add('quick-check', { scheduledFor: '' });
    await waitFor(async () => Object.keys(await store.results.allLatest()).length === 8, 30_000, 'all eight results');
    // A part's results are stored before its job completes (the last part also rebuilds the snapshot).
    const completedParts = async () => (await queues.checks.queue.getJobs(['completed'])).filter((job) => job.name === 'quick-check-part');
    await waitFor(async () => (await completedParts()).length >= 8, 30_000, `the eight parts of ${parent.id} to complete`);
    const parts = await completedParts();
    assert.equal(parts.length, 8, `parts of ${parent.id}`);
    const byWorker = new Map(workers.map((worker) => [worker.name, parts.filter((part) => part.processedBy === worker.name).length]));
    for (const [name, count] of byWorker) assert.ok(count >= 1, `${name} took no part (${[...byWorker.values()].join(' / ')})`);
  });

  it('finish the job of a worker killed mid-job, and store its result once', async () => {
    const { configPath, queues, store } = await slowSetup(1, 3_000);
    const workers = [startWorkerProcess(configPath), startWorkerProcess(configPath)];
    await workersConnected(queues, 2);

    const job = await queues.checks.add('run-pipeline', { pipelineId: 'slow1', requestedAt: '', requestedBy: 'test' });
    const active = await waitFor(async () => {
      const current = await stateOf(queues, job.id as string);
      return current?.state === 'active' && current.job.processedBy ? current.job : null;
    }, 15_000, 'the job to start');
    const victim = workers.find((worker) => worker.name === active.processedBy);
    const survivor = workers.find((worker) => worker !== victim);
    assert.ok(victim && survivor, `processedBy ${active.processedBy}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    victim.child.kill('SIGKILL');

    const done = await waitFor(async () => {
      const current = await stateOf(queues, job.id as string);
      return current?.state === 'completed' ? current.job : null;
    }, 20_000, 'the job to be finished by the other worker');
    assert.equal(done.processedBy, survivor.name);
    assert.equal((done.returnvalue as { pipelineId: string }).pipelineId, 'slow1');
    assert.equal((await store.results.history('slow1', new Date(0))).length, 1);
    const evaluations = (await queues.alerts.queue.getJobs(['waiting'])).filter((alert) => alert.name === 'evaluate');
    assert.equal(evaluations.length, 1);
  });
});

describe('a check worker told to stop (SIGTERM) with a job in flight', () => {
  it('finishes the job, then exits 0 within 10 seconds', async () => {
    const { configPath, queues, store } = await slowSetup(1, 3_000);
    const worker = startWorkerProcess(configPath);
    await workersConnected(queues, 1);

    const job = await queues.checks.add('run-pipeline', { pipelineId: 'slow1', requestedAt: '', requestedBy: 'test' });
    await waitFor(async () => (await stateOf(queues, job.id as string))?.state === 'active', 15_000, 'the job to start');
    const signalledAt = Date.now();
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;

    assert.equal(exit.code, 0, worker.output.join(''));
    assert.ok(exit.at - signalledAt < 10_000, `took ${exit.at - signalledAt} ms`);
    assert.equal((await stateOf(queues, job.id as string))?.state, 'completed');
    assert.equal((await store.results.latest('slow1'))?.status, 'CRITICAL');
    assert.match(worker.output.join(''), /check worker stopped/);
  });
});
