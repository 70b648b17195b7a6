/**
 * `npm run bench:rss`: the resident memory of each role from the production bundle (what the
 * Docker image and the systemd unit run), one process per role and all roles in one, next to a
 * bare Node.js process as the baseline: idle, then after quick-check rounds of 1,000 pipelines
 * whose statuses change every round (so the alert worker opens and resolves incidents and the
 * API serves the snapshot). Prints tables and never fails.
 *
 * Environment: DATAMON_REDIS_URL (redis://127.0.0.1:6379), DATAMON_BENCH_SETTLE_MS (how long a
 * role idles before it is measured, default 5000), DATAMON_BENCH_PIPELINES (1000) and
 * DATAMON_BENCH_ROUNDS (5) for the rounds, DATAMON_BENCH_LATE_MS (30000: when the second figure
 * after the rounds is taken, once V8's memory reducer has had its chance); DATAMON_BENCH_NODE_OPTIONS_EXTRA and DATAMON_BENCH_NODE_ARGS
 * add Node.js options to every process measured; DATAMON_BENCH_IDLE=0 measures only after rounds.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '@datamon/config';
import { localDate } from '@datamon/core';
import { createQueues, type DatamonQueues } from '@datamon/jobs';
import { createRedisConnection, DatamonStore } from '@datamon/store';
import { PRODUCTION_ENV, PRODUCTION_ENV_TEXT, rssMb as rssExact } from './processes.ts';

const rssMb = (pid: number): number => Math.round(rssExact(pid));

const ROOT = join(import.meta.dirname, '..');
const REDIS_URL = process.env.DATAMON_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SETTLE_MS = Number(process.env.DATAMON_BENCH_SETTLE_MS ?? 5_000);
const GOAL_CHECKS_IDLE_MB = 80;
const GOAL_ANY_MB = 120;
const PIPELINES = Number(process.env.DATAMON_BENCH_PIPELINES ?? 1_000);
const ROUNDS = Number(process.env.DATAMON_BENCH_ROUNDS ?? 5);
const ROLES = ['checks', 'alerts', 'scheduler', 'api'] as const;

execFileSync(process.execPath, [join(ROOT, 'scripts/bundle.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
const BUNDLE = join(ROOT, 'dist/datamon.mjs');
const folder = mkdtempSync(join(tmpdir(), 'datamon-bench-rss-'));
const prefix = `bench-rss-${randomUUID()}`;
const configPath = join(folder, 'config.json');
writeFileSync(
  configPath,
  JSON.stringify({
    redis: { url: REDIS_URL, prefix },
    dashboard: { host: '127.0.0.1', port: 0 },
    heartbeats: { ping_key: 'bench-rss-ping-key-0123456789' },
    monitoring: { csv_directory: folder },
    pipelines: [
      { id: 'nightly', kind: 'heartbeat', period_minutes: 60 },
      { id: 'export', kind: 'file_arrival', pattern: 'export_{YYYYMMDD}.csv', expected: '06:00', deadline: '07:00' },
    ],
    schedule: { checkins: { morning: { pipelines: ['nightly', 'export'] }, first_shift: { enabled: false }, second_shift: { enabled: false } } },
  }),
);

/** For a closer look: more NODE_OPTIONS, and Node.js flags NODE_OPTIONS refuses (`--cpu-prof`, V8 flags). */
const EXTRA = process.env.DATAMON_BENCH_NODE_OPTIONS_EXTRA ?? '';
const NODE_ARGS = (process.env.DATAMON_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<unknown>;
}

/** Starts node with `env` (PRODUCTION_ENV as shipped, or {} for Node's defaults) over this process's environment. */
function start(args: string[], env: Readonly<Record<string, string>>): Started {
  const child: ChildProcess = spawn(process.execPath, [...NODE_ARGS, ...args], {
    cwd: folder,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} ${EXTRA}`.trim() },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output, exited: new Promise((resolve) => child.on('exit', resolve)) };
}

async function stop(started: Started): Promise<void> {
  started.child.kill('SIGTERM');
  await started.exited;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

async function measureIdle(args: string[], env: Readonly<Record<string, string>> = {}): Promise<number> {
  const started = start(args, env);
  if (!args.includes('-e')) await waitFor(() => started.output().includes('datamon started'), 30_000, 'a role to start');
  await settle();
  const mb = rssMb(started.child.pid as number);
  await stop(started);
  return mb;
}

async function waitFor(probe: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// The rounds: PIPELINES file pipelines under a prefix of their own; every round, the half that
// had today's file loses it and the other half gets one, so every status changes.
const roundsFolder = mkdtempSync(join(tmpdir(), 'datamon-bench-rss-rounds-'));
const roundsPrefix = `bench-rss-rounds-${randomUUID()}`;
const roundsConfigPath = join(roundsFolder, 'config.json');
const ids = Array.from({ length: PIPELINES }, (_, index) => `p${String(index + 1).padStart(5, '0')}`);
writeFileSync(
  roundsConfigPath,
  JSON.stringify({
    redis: { url: REDIS_URL, prefix: roundsPrefix },
    dashboard: { host: '127.0.0.1', port: 0, auth: { tokens: [{ name: 'bench', token: 'bench-rss-token-0123456789' }] } },
    monitoring: { csv_directory: roundsFolder, log_directory: '' },
    pipelines: ids.map((id) => ({ id, kind: 'file_arrival', pattern: `${id}_{YYYYMMDD}.csv`, expected: '00:00', deadline: '00:01' })),
    schedule: { checkins: { morning: { enabled: false }, first_shift: { enabled: false }, second_shift: { enabled: false } } },
  }),
);
const roundsConfig = resolveConfig({ redis: { url: REDIS_URL, prefix: roundsPrefix } }, { source: 'bench', env: {} });

function placeFiles(round: number): void {
  const today = localDate(new Date(), 'Europe/London').replaceAll('-', '');
  ids.forEach((id, index) => {
    const file = join(roundsFolder, `${id}_${today}.csv`);
    if ((index + round) % 2 === 0) writeFileSync(file, 'a,b\n1,2\n');
    else rmSync(file, { force: true });
  });
}

/** Adds a quick check and waits until it, its parts, and the alert work they made are done. */
async function runRound(queues: DatamonQueues, round: number): Promise<void> {
  placeFiles(round);
  const job = await queues.checks.add('quick-check', { scheduledFor: new Date(Date.now() + round).toISOString() });
  await waitFor(async () => (await job.getState()) === 'completed', 120_000, `round ${round}`);
  await waitFor(
    async () => {
      for (const queue of queues.all.values()) {
        // Not 'delayed': the scheduler's next runs wait there.
        const counts = await queue.getJobCounts('waiting', 'active', 'prioritized');
        if (Object.values(counts).some((count) => count > 0)) return false;
      }
      return true;
    },
    120_000,
    `the work of round ${round}`,
  );
}

/** GETs /api/status from whichever process listens (its "api listening on" line). */
async function readStatus(processes: Started[]): Promise<void> {
  const url = processes.map((p) => /api listening on (http:\/\/[^;\s]+)/.exec(p.output())?.[1]).find(Boolean);
  if (!url) throw new Error('no process says where the API listens');
  for (let i = 0; i < 20; i += 1) await (await fetch(`${url}/api/status`, { headers: { 'accept-encoding': 'br' } })).arrayBuffer();
}

/** How long after the last round the second figure is taken: V8's memory reducer gives back heap once allocation stops. */
const LATE_MS = Number(process.env.DATAMON_BENCH_LATE_MS ?? 30_000);

interface AfterRounds {
  label: string;
  /** The highest RSS seen during the rounds (sampled every 100 ms). */
  peak: number;
  /** SETTLE_MS after the last round. */
  soon: number;
  /** LATE_MS after the last round. */
  late: number;
}

async function afterRounds(layout: { label: string; roles: (typeof ROLES)[number][] | null }[]): Promise<AfterRounds[]> {
  const queues = createQueues(roundsConfig);
  const processes = layout.map(({ roles }) => start([BUNDLE, 'start', ...(roles ? roles.flatMap((role) => ['--role', role]) : []), '--config', roundsConfigPath], PRODUCTION_ENV));
  const peaks = layout.map(() => 0);
  const sample = setInterval(() => {
    processes.forEach((p, index) => {
      if (p.child.exitCode === null) peaks[index] = Math.max(peaks[index] ?? 0, rssMb(p.child.pid as number));
    });
  }, 100);
  try {
    await waitFor(() => processes.every((p) => p.output().includes('datamon started')), 60_000, 'the roles to start');
    for (let round = 1; round <= ROUNDS; round += 1) {
      await runRound(queues, round);
      await readStatus(processes);
    }
    clearInterval(sample);
    await settle();
    const soon = processes.map((p) => rssMb(p.child.pid as number));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, LATE_MS - SETTLE_MS)));
    const late = processes.map((p) => rssMb(p.child.pid as number));
    return layout.map(({ label }, index) => ({ label, peak: peaks[index] ?? 0, soon: soon[index] ?? 0, late: late[index] ?? 0 }));
  } finally {
    clearInterval(sample);
    await Promise.all(processes.map(stop));
    await queues.obliterate();
    await queues.close();
    const redis = createRedisConnection(REDIS_URL);
    await new DatamonStore(redis, { prefix: roundsPrefix, historyDays: 1 }).clear();
    redis.disconnect();
  }
}

try {
  const bare = await measureIdle(['-e', 'setInterval(() => {}, 1000)']);
  const rows: [string, number, number][] = [];
  const cases: [string, string[]][] = [
    ...ROLES.map((role): [string, string[]] => [`--role ${role}`, [BUNDLE, 'start', '--role', role, '--config', configPath]]),
    ['all roles in one process', [BUNDLE, 'start', '--config', configPath]],
  ];
  if (process.env.DATAMON_BENCH_IDLE !== '0') for (const [label, args] of cases) rows.push([label, await measureIdle(args), await measureIdle(args, PRODUCTION_ENV)]);
  process.stdout.write(`RSS idle, ${SETTLE_MS / 1000} s after start, from the bundle; bare node: ${bare} MB (goal: check worker ≤ ${GOAL_CHECKS_IDLE_MB} MB idle, every role ≤ ${GOAL_ANY_MB} MB)\n\n`);
  process.stdout.write(`as shipped: ${PRODUCTION_ENV_TEXT}\n\n`);
  process.stdout.write(`${'process'.padEnd(28)} ${'Node defaults MB'.padStart(17)} ${'as shipped MB'.padStart(14)}\n`);
  for (const [label, plain, tuned] of rows) process.stdout.write(`${label.padEnd(28)} ${String(plain).padStart(17)} ${String(tuned).padStart(14)}\n`);
  const checks = rows.find(([label]) => label === '--role checks')?.[2] ?? 0;
  process.stdout.write(`\ncheck worker idle, as shipped: ${checks} MB (${checks <= GOAL_CHECKS_IDLE_MB ? 'meets' : 'misses'} ≤ ${GOAL_CHECKS_IDLE_MB} MB)\n`);

  const separate = await afterRounds(ROLES.map((role) => ({ label: `--role ${role}`, roles: [role] })));
  const together = await afterRounds([{ label: 'all roles in one process', roles: null }]);
  const after = [...separate, ...together];
  process.stdout.write(`\nRSS during and after ${ROUNDS} rounds of ${PIPELINES} file pipelines (every status changing each round, /api/status read 20 times a round), ${PRODUCTION_ENV_TEXT}${NODE_ARGS.length > 0 ? ` ${NODE_ARGS.join(' ')}` : ''}\n\n`);
  process.stdout.write(`${'process'.padEnd(28)} ${'peak MB'.padStart(8)} ${`${SETTLE_MS / 1000} s after MB`.padStart(14)} ${`${LATE_MS / 1000} s after MB`.padStart(15)}\n`);
  for (const row of after) process.stdout.write(`${row.label.padEnd(28)} ${String(row.peak).padStart(8)} ${String(row.soon).padStart(14)} ${String(row.late).padStart(15)}\n`);
  const roles = separate.map((row) => row.late);
  const worst = Math.max(...roles);
  process.stdout.write(`\neach role in its own process, ${LATE_MS / 1000} s after the rounds: at most ${worst} MB (${worst <= GOAL_ANY_MB ? 'meets' : 'misses'} ≤ ${GOAL_ANY_MB} MB)\n`);
} finally {
  const config = resolveConfig({ redis: { url: REDIS_URL, prefix } }, { source: 'bench', env: {} });
  const queues = createQueues(config);
  await queues.obliterate();
  await queues.close();
  const redis = createRedisConnection(REDIS_URL);
  await new DatamonStore(redis, { prefix, historyDays: 1 }).clear();
  redis.disconnect();
  rmSync(folder, { recursive: true, force: true });
  rmSync(roundsFolder, { recursive: true, force: true });
}
