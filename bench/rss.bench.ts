/**
 * `npm run bench:rss`: the resident memory of each role, idle, from the production bundle (what
 * the Docker image and the systemd unit run), one process per role and all roles in one, next to
 * a bare Node.js process as the baseline. Prints a table and never fails.
 *
 * Environment: DATAMON_REDIS_URL (redis://127.0.0.1:6379), DATAMON_BENCH_SETTLE_MS (how long a
 * role idles before it is measured, default 5000).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '@datamon/config';
import { createQueues } from '@datamon/jobs';
import { createRedisConnection, DatamonStore } from '@datamon/store';

const ROOT = join(import.meta.dirname, '..');
const REDIS_URL = process.env.DATAMON_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SETTLE_MS = Number(process.env.DATAMON_BENCH_SETTLE_MS ?? 5_000);
const GOAL_CHECKS_IDLE_MB = 80;
const GOAL_ANY_MB = 120;

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

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/** What the Docker image and the systemd unit set (README "In production"). */
const PRODUCTION_FLAGS = '--max-semi-space-size=2';

async function measure(args: string[], nodeOptions = ''): Promise<number> {
  const child: ChildProcess = spawn(process.execPath, args, { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: nodeOptions } });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const ready = args.includes('-e') ? Promise.resolve() : waitFor(() => output.includes('datamon started'), 30_000);
  await ready;
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const mb = rssMb(child.pid as number);
  child.kill('SIGTERM');
  await exited;
  return mb;
}

async function waitFor(probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('a role did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

try {
  const bare = await measure(['-e', 'setInterval(() => {}, 1000)']);
  const rows: [string, number, number][] = [];
  const cases: [string, string[]][] = [
    ...['checks', 'alerts', 'scheduler', 'api'].map((role): [string, string[]] => [`--role ${role}`, [BUNDLE, 'start', '--role', role, '--config', configPath]]),
    ['all roles in one process', [BUNDLE, 'start', '--config', configPath]],
  ];
  for (const [label, args] of cases) rows.push([label, await measure(args), await measure(args, PRODUCTION_FLAGS)]);
  process.stdout.write(`RSS idle, ${SETTLE_MS / 1000} s after start, from the bundle; bare node: ${bare} MB (goal: check worker ≤ ${GOAL_CHECKS_IDLE_MB} MB idle, every role ≤ ${GOAL_ANY_MB} MB)\n\n`);
  process.stdout.write(`${'process'.padEnd(28)} ${'default MB'.padStart(11)} ${`${PRODUCTION_FLAGS} MB`.padStart(28)}\n`);
  for (const [label, plain, tuned] of rows) process.stdout.write(`${label.padEnd(28)} ${String(plain).padStart(11)} ${String(tuned).padStart(28)}\n`);
  const checks = rows.find(([label]) => label === '--role checks')?.[2] ?? 0;
  process.stdout.write(`\ncheck worker idle, as shipped: ${checks} MB (${checks <= GOAL_CHECKS_IDLE_MB ? 'meets' : 'misses'} ≤ ${GOAL_CHECKS_IDLE_MB} MB)\n`);
} finally {
  const config = resolveConfig({ redis: { url: REDIS_URL, prefix } }, { source: 'bench', env: {} });
  const queues = createQueues(config);
  await queues.obliterate();
  await queues.close();
  const redis = createRedisConnection(REDIS_URL);
  await new DatamonStore(redis, { prefix, historyDays: 1 }).clear();
  redis.disconnect();
  rmSync(folder, { recursive: true, force: true });
}
