/**
 * `npm run bench:runtime`: one quick-check round of 1,000 `file_arrival` pipelines on a temp
 * folder, through real `datamon start --role checks` processes on the local Redis.
 *
 * Measures, in one run: the wall time of a round (quick-check job added -> every result stored)
 * with one check-worker process running it as ONE job, with one process and the round split into
 * parts (`DATAMON_QUICK_CHECK_CHUNK`, default 100), and with two processes sharing the parts; the
 * first ("cold") round separately, since every status is new then and 1,000 alert jobs are
 * enqueued; BullMQ's own throughput of no-op jobs, so the cost per check reads as a ratio; and
 * each worker process's RSS after its rounds. Prints a table and never fails.
 *
 * Environment: DATAMON_REDIS_URL (redis://127.0.0.1:6379), DATAMON_BENCH_PIPELINES (1000),
 * DATAMON_BENCH_ROUNDS (5 measured rounds per case, median shown), DATAMON_BENCH_CHUNK (pipelines
 * per part in the split cases; the worker's default, 100).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '@datamon/config';
import { localDate } from '@datamon/core';
import { createRedisConnection, DatamonStore } from '@datamon/store';
import { createQueueEvents, createQueues, type DatamonQueues, DEFAULT_SETTINGS, jobIds } from '@datamon/jobs';
import { Queue, Worker } from 'bullmq';

const ROOT = join(import.meta.dirname, '..');
/**
 * The workers run the production bundle (`npm run bundle`, what the Docker image runs), so RSS is
 * measured without the tsx loader; `DATAMON_BENCH_FROM_SOURCE=1` runs the sources through tsx.
 */
const FROM_SOURCE = Boolean(process.env.DATAMON_BENCH_FROM_SOURCE);
if (!FROM_SOURCE) execFileSync(process.execPath, [join(ROOT, 'scripts/bundle.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
const DATAMON = join(ROOT, FROM_SOURCE ? 'packages/cli/bin/datamon.js' : 'dist/datamon.mjs');
const REDIS_URL = process.env.DATAMON_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PIPELINES = Number(process.env.DATAMON_BENCH_PIPELINES ?? 1_000);
const ROUNDS = Number(process.env.DATAMON_BENCH_ROUNDS ?? 5);
/** Pipelines per quick-check part in the split cases (the worker's default unless set). */
const CHUNK = Number(process.env.DATAMON_BENCH_CHUNK ?? DEFAULT_SETTINGS.quickCheckChunk);
const NOOP_JOBS = 20_000;
const GOAL_ONE_S = 2;
const GOAL_TWO_RATIO = 0.6;
const GOAL_RSS_MB = 120;

interface Case {
  label: string;
  processes: number;
  chunk: number;
}

interface CaseResult extends Case {
  coldMs: number;
  medianMs: number;
  rssMb: number[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** A folder of today's files for half the pipelines (OK) and none for the rest (CRITICAL). */
function benchFolder(): { folder: string; configPath: string; prefix: string } {
  const folder = mkdtempSync(join(tmpdir(), 'datamon-bench-runtime-'));
  const today = localDate(new Date(), 'Europe/London').replaceAll('-', '');
  const pipelines = Array.from({ length: PIPELINES }, (_, index) => {
    const id = `p${String(index + 1).padStart(4, '0')}`;
    if (index % 2 === 0) writeFileSync(join(folder, `${id}_${today}.csv`), 'a,b\n1,2\n');
    return { id, name: `Pipeline ${id}`, kind: 'file_arrival', pattern: `${id}_{YYYYMMDD}.csv`, expected: '00:00', deadline: '00:01' };
  });
  const prefix = `bench-runtime-${randomUUID()}`;
  const raw = { redis: { url: REDIS_URL, prefix }, monitoring: { csv_directory: folder, log_directory: '' }, pipelines, schedule: { checkins: { morning: { enabled: false }, first_shift: { enabled: false }, second_shift: { enabled: false } } } };
  resolveConfig(raw, { source: 'bench', env: {} }); // fail here, not in a child, if it is wrong
  const configPath = join(folder, 'monitoring_config.json');
  writeFileSync(configPath, JSON.stringify(raw));
  return { folder, configPath, prefix };
}

function startWorkers(configPath: string, count: number, chunk: number): ChildProcess[] {
  return Array.from({ length: count }, () =>
    spawn(process.execPath, [DATAMON, 'start', '--role', 'checks', '--config', configPath], {
      cwd: ROOT,
      env: { ...process.env, DATAMON_QUICK_CHECK_CHUNK: String(chunk), DATAMON_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}

async function waitFor(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One round: add a quick check, wait for it and every part it made. Milliseconds. */
async function round(queues: DatamonQueues, completed: Map<string, number>, index: number): Promise<number> {
  const started = performance.now();
  const parent = await queues.checks.add('quick-check', { scheduledFor: new Date(Date.now() + index).toISOString() });
  const parentId = String(parent.id);
  await waitFor(async () => completed.has(parentId), 120_000, `quick check ${parentId}`);
  const summary = (await queues.checks.queue.getJob(parentId))?.returnvalue as { parts: number } | undefined;
  const count = summary?.parts ?? 0;
  const parts = Array.from({ length: count }, (_, part) => jobIds.quickCheckPart(parentId, part, count));
  await waitFor(async () => parts.every((id) => completed.has(id)), 120_000, `the parts of ${parentId}`);
  const finishedAt = Math.max(completed.get(parentId) as number, ...parts.map((id) => completed.get(id) as number));
  return finishedAt - started;
}

async function runCase(benchCase: Case, configPath: string, prefix: string): Promise<CaseResult> {
  const config = { redis: { url: REDIS_URL, prefix } };
  const queues = createQueues(config);
  const events = createQueueEvents(config, 'checks');
  const completed = new Map<string, number>();
  events.on('completed', ({ jobId }) => completed.set(jobId, performance.now()));
  await events.waitUntilReady();
  const children = startWorkers(configPath, benchCase.processes, benchCase.chunk);
  try {
    await waitFor(async () => (await queues.checks.queue.getWorkersCount()) >= benchCase.processes, 60_000, 'the workers to connect');
    const redis = createRedisConnection(REDIS_URL);
    await redis.del(`${prefix}:latest`); // every status new again: the cold round of this case
    redis.disconnect();
    const coldMs = await round(queues, completed, 0);
    const samples: number[] = [];
    for (let index = 1; index <= ROUNDS; index += 1) samples.push(await round(queues, completed, index));
    const rss = children.map((child) => rssMb(child.pid as number));
    return { ...benchCase, coldMs, medianMs: median(samples), rssMb: rss };
  } finally {
    await stopWorkers(children);
    await events.close();
    await queues.obliterate();
    await queues.close();
  }
}

/** BullMQ alone: no-op jobs through one in-process worker (concurrency 8), jobs per second. */
async function noopThroughput(): Promise<number> {
  const connection = createRedisConnection(REDIS_URL);
  const prefix = `bench-runtime-noop-${randomUUID()}`;
  const queue = new Queue('noop', { connection, prefix });
  try {
    for (let start = 0; start < NOOP_JOBS; start += 1_000) {
      await queue.addBulk(Array.from({ length: 1_000 }, () => ({ name: 'noop', data: {}, opts: { removeOnComplete: true } })));
    }
    let done = 0;
    let allDone: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (allDone = resolve));
    const started = performance.now();
    const worker = new Worker(
      'noop',
      async () => {
        done += 1;
        if (done === NOOP_JOBS) allDone();
      },
      { connection, prefix, concurrency: 8 },
    );
    await finished;
    const perSecond = NOOP_JOBS / ((performance.now() - started) / 1000);
    await worker.close();
    return perSecond;
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await new DatamonStore(connection, { prefix, historyDays: 1 }).clear();
    connection.disconnect();
  }
}

async function main(): Promise<void> {
  const { folder, configPath, prefix } = benchFolder();
  const results: CaseResult[] = [];
  let noopPerSecond: number;
  try {
    const cases: Case[] = [
      { label: '1 process, one job', processes: 1, chunk: PIPELINES },
      { label: `1 process, parts of ${CHUNK}`, processes: 1, chunk: CHUNK },
      { label: `2 processes, parts of ${CHUNK}`, processes: 2, chunk: CHUNK },
    ];
    for (const benchCase of cases) results.push(await runCase(benchCase, configPath, prefix));
    noopPerSecond = await noopThroughput();
  } finally {
    const redis = createRedisConnection(REDIS_URL);
    await new DatamonStore(redis, { prefix, historyDays: 1 }).clear();
    redis.disconnect();
    rmSync(folder, { recursive: true, force: true });
  }

  const noopMs = 1000 / noopPerSecond;
  const lines = [
    `quick-check round of ${PIPELINES} file_arrival pipelines (median of ${ROUNDS} rounds; cold = first round, every status new)`,
    `workers: ${FROM_SOURCE ? 'sources through tsx' : 'the production bundle, node dist/datamon.mjs'}`,
    '',
    'case                        round      cold       per check   ≈ no-op jobs   RSS per process',
  ];
  for (const result of results) {
    const perCheck = result.medianMs / PIPELINES;
    lines.push(
      `${result.label.padEnd(28)}${`${result.medianMs.toFixed(0)} ms`.padEnd(11)}${`${result.coldMs.toFixed(0)} ms`.padEnd(11)}${`${perCheck.toFixed(3)} ms`.padEnd(12)}${(perCheck / noopMs).toFixed(1).padEnd(15)}${result.rssMb.map((mb) => `${mb.toFixed(0)} MB`).join(', ')}`,
    );
  }
  const one = results.find((result) => result.processes === 1 && result.chunk === CHUNK) as CaseResult;
  const single = results.find((result) => result.processes === 1 && result.chunk === PIPELINES) as CaseResult;
  const two = results.find((result) => result.processes === 2) as CaseResult;
  const bestOne = Math.min(one.medianMs, single.medianMs);
  const maxRss = Math.max(...results.flatMap((result) => result.rssMb));
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  lines.push(
    '',
    `BullMQ no-op throughput: ${noopPerSecond.toFixed(0)} jobs/s (${noopMs.toFixed(3)} ms per job, 1 worker, concurrency 8)`,
    '',
    `goal ≤ ${GOAL_ONE_S} s with one process: ${(bestOne / 1000).toFixed(2)} s, ${verdict(bestOne <= GOAL_ONE_S * 1000)}`,
    `goal two processes ≤ ${GOAL_TWO_RATIO}× one (parts of ${CHUNK}): ${(two.medianMs / one.medianMs).toFixed(2)}×, ${verdict(two.medianMs <= GOAL_TWO_RATIO * one.medianMs)}`,
    `goal RSS ≤ ${GOAL_RSS_MB} MB per worker process: max ${maxRss.toFixed(0)} MB, ${verdict(maxRss <= GOAL_RSS_MB)}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stdout.write(`runtime benchmark could not run: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(0);
  },
);
