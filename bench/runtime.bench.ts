/**
 * `npm run bench:runtime`: one quick-check round of 1,000 `file_arrival` pipelines on a temp
 * folder, through real `datamon start --role checks` processes.
 *
 * Measures, in one run: the wall time of a round (quick-check job added -> every result stored)
 * on the local Redis with one check-worker process running it as ONE job, with one process and
 * the round split into parts (`DATAMON_QUICK_CHECK_CHUNK`, default 100), and with two and four
 * processes sharing the parts; the same split round with one, two and four processes on a Redis
 * Cluster of three local masters (`redis.cluster`, started here and stopped at the end); the
 * first ("cold") round separately, since every status is new then and every pipeline gets an
 * alert job; BullMQ's own throughput of no-op jobs, so the cost per check reads as a ratio; each
 * worker process's RSS after its rounds; and the Redis memory one day of history takes (a quick
 * check every 5 minutes, stored through the store's API), extrapolated to `history_days`.
 * Prints tables and never fails.
 *
 * Environment: DATAMON_REDIS_URL (redis://127.0.0.1:6379), DATAMON_BENCH_PIPELINES (1000; 10000
 * is the "Lean" round), DATAMON_BENCH_ROUNDS (5 measured rounds per case, median shown),
 * DATAMON_BENCH_CHUNK (pipelines per part in the split cases; the worker's default, 100),
 * DATAMON_BENCH_CLUSTER=0 (no cluster cases), DATAMON_BENCH_MEMORY=0 (no memory measurement),
 * DATAMON_BENCH_NODE_FLAGS (more Node.js flags for the workers, which run with the environment the
 * Docker image sets).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '@datamon/config';
import { type CheckResult, localDate, mapBounded } from '@datamon/core';
import { closeRedis, createRedisConnection, DatamonStore, type RedisClient, type RedisSettings, scanKeys } from '@datamon/store';
import { createQueueEvents, createQueues, type DatamonQueues, DEFAULT_SETTINGS, jobIds } from '@datamon/jobs';
import { Queue, Worker } from 'bullmq';
import { PRODUCTION_ENV, PRODUCTION_ENV_TEXT, rssMb } from './processes.ts';
import { startCluster, type Topology, type TopologyRedis, topologySkipReason } from '../test/helpers/redis-topologies.ts';

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
const WITH_CLUSTER = process.env.DATAMON_BENCH_CLUSTER !== '0';
const WITH_MEMORY = process.env.DATAMON_BENCH_MEMORY !== '0';
const NOOP_JOBS = 20_000;
/** The round of `GOAL_ONE_PIPELINES` pipelines with one process. */
const GOAL_ONE_PIPELINES = 1_000;
const GOAL_ONE_S = 2;
const GOAL_TWO_RATIO = 0.6;
const GOAL_RSS_MB = 120;
/** More Node.js flags for the workers (DATAMON_BENCH_NODE_FLAGS, space-separated), to compare V8 settings. */
const NODE_FLAGS = (process.env.DATAMON_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
/** The "Lean" goal: a round of 10,000 pipelines with two processes. */
const GOAL_LEAN_PIPELINES = 10_000;
const GOAL_LEAN_S = 3;
/** A quick check every 5 minutes (`schedule.quick_check`): results per pipeline per day. */
const ROUNDS_PER_DAY = 288;
/** `monitoring.history_days`' default. */
const HISTORY_DAYS = 90;

/** Where the workers' Redis is: the local server, or a cluster started for the run. */
type RedisKind = 'single' | 'cluster';

interface Target {
  kind: RedisKind;
  /** The resolved `redis` section the workers' config file gives (queues and store use it too). */
  redis: RedisSettings;
  configPath: string;
}

interface Case {
  label: string;
  processes: number;
  chunk: number;
  kind: RedisKind;
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


/** A folder of today's files for half the pipelines (OK) and none for the rest (CRITICAL). */
function benchFolder(): { folder: string; pipelines: Record<string, string>[] } {
  const folder = mkdtempSync(join(tmpdir(), 'datamon-bench-runtime-'));
  const today = localDate(new Date(), 'Europe/London').replaceAll('-', '');
  const pipelines = Array.from({ length: PIPELINES }, (_, index) => {
    const id = `p${String(index + 1).padStart(4, '0')}`;
    if (index % 2 === 0) writeFileSync(join(folder, `${id}_${today}.csv`), 'a,b\n1,2\n');
    return { id, name: `Pipeline ${id}`, kind: 'file_arrival', pattern: `${id}_{YYYYMMDD}.csv`, expected: '00:00', deadline: '00:01' };
  });
  return { folder, pipelines };
}

/** The workers' config file for one Redis, under a prefix of its own. */
function benchConfig(folder: string, pipelines: Record<string, string>[], kind: RedisKind, redis: TopologyRedis): Target {
  const prefix = `bench-runtime-${randomUUID()}`;
  const raw = { redis: { ...redis, prefix }, monitoring: { csv_directory: folder, log_directory: '' }, pipelines, schedule: { checkins: { morning: { enabled: false }, first_shift: { enabled: false }, second_shift: { enabled: false } } } };
  const config = resolveConfig(raw, { source: 'bench', env: {} }); // fail here, not in a child, if it is wrong
  const configPath = join(folder, `monitoring_config.${kind}.json`);
  writeFileSync(configPath, JSON.stringify(raw));
  return { kind, redis: config.redis, configPath };
}

function startWorkers(configPath: string, count: number, chunk: number): ChildProcess[] {
  return Array.from({ length: count }, () =>
    spawn(process.execPath, [...NODE_FLAGS, DATAMON, 'start', '--role', 'checks', '--config', configPath], {
      cwd: ROOT,
      env: { ...process.env, ...PRODUCTION_ENV, DATAMON_QUICK_CHECK_CHUNK: String(chunk), DATAMON_LOG_LEVEL: 'warn' },
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

async function runCase(benchCase: Case, target: Target): Promise<CaseResult> {
  // An empty prefix: every status is new in the cold round, and since job ids start again at 1
  // once the queues are obliterated, the last case's retry markers (job-result:<job id>:<pipeline>)
  // would otherwise make every result of this one look already stored, and nothing be written.
  await clearTarget(target);
  const config = { redis: target.redis };
  const queues = createQueues(config);
  const events = createQueueEvents(config, 'checks');
  const completed = new Map<string, number>();
  events.on('completed', ({ jobId }) => completed.set(jobId, performance.now()));
  await events.waitUntilReady();
  const children = startWorkers(target.configPath, benchCase.processes, benchCase.chunk);
  try {
    await waitFor(async () => (await queues.checks.queue.getWorkersCount()) >= benchCase.processes, 60_000, 'the workers to connect');
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

/** Every key under the target's prefix goes (the queues are obliterated by each case). */
async function clearTarget(target: Target): Promise<void> {
  const redis = createRedisConnection(target.redis);
  try {
    await new DatamonStore(redis, { prefix: target.redis.prefix, historyDays: 1 }).clear();
  } finally {
    await closeRedis(redis);
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

interface MemoryFigures {
  pipelines: number;
  results: number;
  writeMs: number;
  /** `used_memory` grown by the day (history, latest results and the retry markers). */
  totalBytes: number;
  /** What deleting the day's retry markers gave back (they expire after a day anyway). */
  markerBytes: number;
  markers: number;
  /** `MEMORY USAGE` of the history sorted sets and the latest hash, summed. */
  historyKeyBytes: number;
  latestKeyBytes: number;
  /** `MEMORY USAGE` of a sample of the retry markers, scaled to all of them. */
  markerKeyBytes: number;
}

/** Retry markers whose `MEMORY USAGE` is read (they are all alike). */
const MARKER_SAMPLE = 2_000;

async function usedMemory(redis: RedisClient): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);
}

/** `MEMORY USAGE` (every element counted) of some keys, summed; pipelined. */
async function memoryUsage(redis: RedisClient, keys: readonly string[]): Promise<number> {
  let bytes = 0;
  for (let start = 0; start < keys.length; start += 1_000) {
    const batch = redis.pipeline();
    for (const key of keys.slice(start, start + 1_000)) batch.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    for (const [err, reply] of (await batch.exec()) ?? []) if (!err) bytes += Number(reply ?? 0);
  }
  return bytes;
}

/**
 * One day of quick checks (every 5 minutes, in parts as the workers store them) of every
 * pipeline through `results.recordMany`, on the local Redis under a prefix of its own, from the
 * results of a real round; `used_memory` before and after, and after the retry markers go.
 * Concurrent work on the same Redis moves `used_memory` too: `MEMORY USAGE` of the keys is the
 * cross-check.
 */
async function dayOfHistory(templates: readonly CheckResult[]): Promise<MemoryFigures> {
  const redis = createRedisConnection(REDIS_URL);
  // As long as "datamon": every key name is paid for once per key.
  const prefix = `dm${randomBytes(3).toString('hex')}`;
  const store = new DatamonStore(redis, { prefix, historyDays: HISTORY_DAYS });
  try {
    const before = await usedMemory(redis);
    const dayStart = Date.parse(`${localDate(new Date(), 'UTC')}T00:00:00.000Z`);
    const started = performance.now();
    for (let roundIndex = 0; roundIndex < ROUNDS_PER_DAY; roundIndex += 1) {
      const checkedAt = new Date(dayStart + roundIndex * 300_000).toISOString();
      // The job ids the scheduler's rounds give their parts (the markers are named after them).
      const roundId = `repeat:quick-check:${Date.parse(checkedAt)}`;
      const parts: CheckResult[][] = [];
      for (let start = 0; start < templates.length; start += CHUNK) parts.push(templates.slice(start, start + CHUNK).map((result) => ({ ...result, checkedAt })));
      await mapBounded(parts.map((part, index) => ({ part, index })), 4, ({ part, index }) =>
        store.results.recordMany(part, { jobId: jobIds.quickCheckPart(roundId, index, parts.length) }),
      );
    }
    const writeMs = performance.now() - started;
    const after = await usedMemory(redis);
    const historyKeyBytes = await memoryUsage(redis, templates.map((result) => store.keys.history(result.pipelineId)));
    const latestKeyBytes = await memoryUsage(redis, [store.keys.latest]);
    let markers = 0;
    let sampled: string[] = [];
    for await (const keys of scanKeys(redis, store.keys.everything.replace(/\*$/, 'job-result:*'), 5_000)) {
      if (sampled.length < MARKER_SAMPLE) sampled = [...sampled, ...keys.slice(0, MARKER_SAMPLE - sampled.length)];
      markers += keys.length;
    }
    const markerKeyBytes = sampled.length > 0 ? ((await memoryUsage(redis, sampled)) / sampled.length) * markers : 0;
    for await (const keys of scanKeys(redis, store.keys.everything.replace(/\*$/, 'job-result:*'), 5_000)) await redis.del(...keys);
    const withoutMarkers = await usedMemory(redis);
    return {
      pipelines: templates.length,
      results: templates.length * ROUNDS_PER_DAY,
      writeMs,
      totalBytes: after - before,
      markerBytes: after - withoutMarkers,
      markers,
      historyKeyBytes,
      latestKeyBytes,
      markerKeyBytes,
    };
  } finally {
    await store.clear();
    await closeRedis(redis);
  }
}

/** The latest results of a real round, as plain check results: the day's history is made of them. */
async function roundResults(target: Target): Promise<CheckResult[]> {
  const redis = createRedisConnection(target.redis);
  try {
    const latest = await new DatamonStore(redis, { prefix: target.redis.prefix, historyDays: 1 }).results.allLatest();
    return Object.values(latest)
      .map(({ since: _since, ...result }) => result)
      .sort((a, b) => a.pipelineId.localeCompare(b.pipelineId));
  } finally {
    await closeRedis(redis);
  }
}

const MB = 1024 * 1024;
const GB = 1024 * MB;
const size = (bytes: number) => (bytes >= GB ? `${(bytes / GB).toFixed(2)} GiB` : `${(bytes / MB).toFixed(1)} MiB`);

function memoryLines(memory: MemoryFigures): string[] {
  const perEntry = memory.historyKeyBytes / memory.results;
  const scale = GOAL_LEAN_PIPELINES / memory.pipelines;
  // History grows for history_days; the markers of a day (24 h TTL) and the latest hash do not.
  // From MEMORY USAGE: used_memory also moves with whatever else the same Redis is doing.
  const ninetyDays = memory.historyKeyBytes * HISTORY_DAYS + memory.latestKeyBytes + memory.markerKeyBytes;
  return [
    `Redis memory of one day of history: ${memory.pipelines} pipelines × ${ROUNDS_PER_DAY} quick checks = ${memory.results} results through results.recordMany in parts of ${CHUNK} (${(memory.writeMs / 1000).toFixed(1)} s, ${(memory.results / (memory.writeMs / 1000)).toFixed(0)} results/s)`,
    `  MEMORY USAGE: history sorted sets ${size(memory.historyKeyBytes)} (${perEntry.toFixed(0)} B a result), latest hash ${size(memory.latestKeyBytes)}, ${memory.markers} retry markers (job-result keys, 24 h TTL) ${size(memory.markerKeyBytes)} (${(memory.markerKeyBytes / Math.max(1, memory.markers)).toFixed(0)} B each)`,
    `  used_memory (shared Redis, other work moves it too) grew ${size(memory.totalBytes)}, of which deleting the markers gave back ${size(memory.markerBytes)}`,
    `  ${HISTORY_DAYS} days (history_days default) for ${memory.pipelines} pipelines: ≈ ${size(ninetyDays)} (history × ${HISTORY_DAYS} + latest + one day of markers)` +
      (scale !== 1 ? `; for ${GOAL_LEAN_PIPELINES} pipelines ≈ ${size(ninetyDays * scale)}` : ''),
  ];
}

/** The 1-minute load average: the figures are only comparable on an otherwise idle machine. */
const load = () => loadavg()[0]?.toFixed(1) ?? '?';

async function main(): Promise<void> {
  const loadAtStart = load();
  const { folder, pipelines } = benchFolder();
  const results: CaseResult[] = [];
  const notes: string[] = [];
  let noopPerSecond: number;
  let memory: MemoryFigures | null = null;
  try {
    const single = benchConfig(folder, pipelines, 'single', { url: REDIS_URL });
    try {
      const cases: Case[] = [
        { label: '1 process, one job', processes: 1, chunk: PIPELINES, kind: 'single' },
        { label: `1 process, parts of ${CHUNK}`, processes: 1, chunk: CHUNK, kind: 'single' },
        { label: `2 processes, parts of ${CHUNK}`, processes: 2, chunk: CHUNK, kind: 'single' },
        { label: `4 processes, parts of ${CHUNK}`, processes: 4, chunk: CHUNK, kind: 'single' },
      ];
      for (const benchCase of cases) results.push(await runCase(benchCase, single));
      const templates = await roundResults(single);
      noopPerSecond = await noopThroughput();
      if (WITH_MEMORY) {
        memory = await dayOfHistory(templates).catch((err: unknown) => {
          notes.push(`Redis memory not measured: ${(err as Error).message}`);
          return null;
        });
      }
    } finally {
      await clearTarget(single);
    }

    const skipCluster = !WITH_CLUSTER ? 'DATAMON_BENCH_CLUSTER=0' : topologySkipReason();
    if (skipCluster) notes.push(`Redis Cluster cases not run: ${skipCluster}`);
    else {
      let cluster: Topology | undefined;
      let target: Target | undefined;
      // Interrupted, the cluster's servers and temp folder go too (a plain exit kills the servers only).
      const interrupted = () => void (cluster?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
      process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
      try {
        cluster = await startCluster();
        target = benchConfig(folder, pipelines, 'cluster', cluster.redis);
        for (const processes of [1, 2, 4]) {
          const label = `${processes} process${processes > 1 ? 'es' : ''}, parts of ${CHUNK}`;
          results.push(await runCase({ label, processes, chunk: CHUNK, kind: 'cluster' }, target));
        }
      } catch (err) {
        notes.push(`Redis Cluster cases stopped: ${(err as Error).message}`);
      } finally {
        if (target) await clearTarget(target).catch(() => undefined);
        await cluster?.stop();
        process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
      }
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }

  const noopMs = 1000 / noopPerSecond;
  const lines = [
    `quick-check round of ${PIPELINES} file_arrival pipelines (median of ${ROUNDS} rounds; cold = first round, every status new)`,
    `workers: ${FROM_SOURCE ? 'sources through tsx' : `the production bundle, ${PRODUCTION_ENV_TEXT} node ${[...NODE_FLAGS, 'dist/datamon.mjs'].join(' ')}`}; Redis: single = ${REDIS_URL}, cluster = three local masters started for the run`,
    `machine: ${availableParallelism()} cores shared by the workers, Redis and anything else running; 1-minute load average ${loadAtStart} at the start, ${load()} at the end`,
    '',
    'Redis    case                        round      cold       per check   ≈ no-op jobs   RSS per process',
  ];
  for (const result of results) {
    const perCheck = result.medianMs / PIPELINES;
    lines.push(
      `${result.kind.padEnd(9)}${result.label.padEnd(28)}${`${result.medianMs.toFixed(0)} ms`.padEnd(11)}${`${result.coldMs.toFixed(0)} ms`.padEnd(11)}${`${perCheck.toFixed(3)} ms`.padEnd(12)}${(perCheck / noopMs).toFixed(1).padEnd(15)}${result.rssMb.map((mb) => `${mb.toFixed(0)} MB`).join(', ')}`,
    );
  }
  const find = (kind: RedisKind, processes: number, chunk = CHUNK) => results.find((result) => result.kind === kind && result.processes === processes && result.chunk === chunk);
  const one = find('single', 1) as CaseResult;
  const whole = find('single', 1, PIPELINES) as CaseResult;
  const two = find('single', 2) as CaseResult;
  const bestOne = Math.min(one.medianMs, whole.medianMs);
  const maxRss = Math.max(...results.filter((result) => result.kind === 'single').flatMap((result) => result.rssMb));
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  lines.push('', `BullMQ no-op throughput: ${noopPerSecond.toFixed(0)} jobs/s (${noopMs.toFixed(3)} ms per job, 1 worker, concurrency 8, single Redis)`);
  const clusterOne = find('cluster', 1);
  if (clusterOne) {
    const ratios = [1, 2, 4].map((processes) => {
      const onCluster = find('cluster', processes);
      const onSingle = find('single', processes);
      return onCluster && onSingle ? `${processes}: ${(onCluster.medianMs / onSingle.medianMs).toFixed(2)}×` : `${processes}: -`;
    });
    lines.push(`cluster / single round, by processes (parts of ${CHUNK}): ${ratios.join(', ')}`);
  }
  lines.push('');
  // The time goals are set for a size: 1,000 pipelines ("Scale"), 10,000 ("Lean").
  if (PIPELINES === GOAL_ONE_PIPELINES) lines.push(`goal ≤ ${GOAL_ONE_S} s with one process: ${(bestOne / 1000).toFixed(2)} s, ${verdict(bestOne <= GOAL_ONE_S * 1000)}`);
  lines.push(
    `goal two processes ≤ ${GOAL_TWO_RATIO}× one (parts of ${CHUNK}): ${(two.medianMs / one.medianMs).toFixed(2)}×, ${verdict(two.medianMs <= GOAL_TWO_RATIO * one.medianMs)}`,
    `goal RSS ≤ ${GOAL_RSS_MB} MB per worker process: max ${maxRss.toFixed(0)} MB, ${verdict(maxRss <= GOAL_RSS_MB)}`,
  );
  if (PIPELINES === GOAL_LEAN_PIPELINES) {
    lines.push(`goal ≤ ${GOAL_LEAN_S} s for ${GOAL_LEAN_PIPELINES} pipelines with two processes: ${(two.medianMs / 1000).toFixed(2)} s, ${verdict(two.medianMs <= GOAL_LEAN_S * 1000)}`);
  }
  if (memory) lines.push('', ...memoryLines(memory));
  if (notes.length > 0) lines.push('', ...notes);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stdout.write(`runtime benchmark could not run: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(0);
  },
);
