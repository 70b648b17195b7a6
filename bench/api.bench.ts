/**
 * `npm run bench:api`: GET /api/status from the real app against a bare Fastify route that
 * answers the same bytes from one Redis GET, with 8 pipelines and with 1,000, in the same run.
 * Prints requests per second, p99 latency, the servers' CPU time per request and the ratios;
 * never fails a build. On a small machine shared with the load generator (and Redis), requests per
 * second swing from run to run; CPU per request is what the route itself costs, and steadier.
 *
 * The servers run in a child process so the load generator (autocannon, in this process) does
 * not share their event loop.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { resolveConfig } from '@datamon/config';
import type { CheckResult, DatamonConfig, PipelineDefinition } from '@datamon/core';
import { buildApp } from '@datamon/server';
import { DatamonStore, createRedisConnection } from '@datamon/store';
import Fastify from 'fastify';

const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_API_SECONDS ?? 5);
const WARMUP_S = 1;
const REDIS_URL = process.env.DATAMON_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SIZES = [8, 1_000];
const GOALS: Record<number, number> = { 8: 0.9, 1_000: 0.9 };
const P99_GOAL_MS = 5;

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p99: number; average: number };
  throughput: { average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (options: { url: string; connections: number; duration: number; pipelining?: number }) => Promise<AutocannonResult>;

// ------------------------------------------------------------------ the child: both servers

/** A config whose pipelines are `size` copies of the defaults (8 with both sheets configured). */
function benchConfig(size: number): DatamonConfig {
  const config = resolveConfig(
    {
      redis: { url: REDIS_URL, prefix: `bench-api-${randomUUID()}` },
      google_sheets: { credentials_file: '/nonexistent.json', sheets: { productivity: { spreadsheet_id: 'a' }, inbound: { spreadsheet_id: 'b' } } },
    },
    { source: 'bench', env: {} },
  );
  const defaults = config.pipelines;
  config.pipelines = Array.from({ length: size }, (_, index): PipelineDefinition => {
    const base = defaults[index % defaults.length] as PipelineDefinition;
    return size === defaults.length ? base : { ...base, id: `${base.id}_${index}`, name: `${base.name} ${index}` };
  });
  return config;
}

async function serve(size: number): Promise<void> {
  const config = benchConfig(size);
  const redis = createRedisConnection(config.redis.url);
  const store = new DatamonStore(redis, { prefix: config.redis.prefix, historyDays: 1 });
  const now = new Date();
  for (const [index, pipeline] of config.pipelines.entries()) {
    const status = index % 17 === 0 ? 'CRITICAL' : index % 5 === 0 ? 'WARNING' : 'OK';
    const result: CheckResult = { pipelineId: pipeline.id, status, value: index, message: `${pipeline.name}: ${status.toLowerCase()} figure ${index}`, checkedAt: now.toISOString(), details: {}, durationMs: 12 };
    await store.results.record(result);
  }
  await store.refreshSnapshot(config, now);
  const bytes = (await store.snapshotJson())?.length ?? 0;

  const app = await buildApp({ config });
  const appUrl = await app.listen({ host: '127.0.0.1', port: 0 });

  // The baseline: the least any server can do for this page, one GET and the bytes.
  const bareRedis = createRedisConnection(config.redis.url);
  const bare = Fastify({ logger: false });
  bare.get('/api/status', async (_request, reply) => reply.type('application/json; charset=utf-8').send(await bareRedis.get(store.keys.snapshot)));
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });

  process.stdout.write(`${JSON.stringify({ appUrl, bareUrl, bytes })}\n`);
  // Each line from the parent asks for this process's CPU time so far (µs); it runs until the
  // parent closes stdin.
  const control = createInterface({ input: process.stdin });
  control.on('line', () => {
    const { user, system } = process.cpuUsage();
    process.stdout.write(`${user + system}\n`);
  });
  await new Promise((resolve) => control.once('close', resolve));
  await app.close();
  await bare.close();
  await store.clear();
  await Promise.all([redis.quit(), bareRedis.quit()]);
}

// ------------------------------------------------------------------ the parent: the load

async function startServers(size: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--serve', String(size)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const exited = new Promise<never>((_resolve, reject) => child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`))));
  exited.catch(() => undefined);
  const nextLine = () => Promise.race([new Promise<string>((resolve) => lines.once('line', resolve)), exited]);
  const info = JSON.parse(await nextLine()) as { appUrl: string; bareUrl: string; bytes: number };
  return {
    ...info,
    /** The servers' CPU time so far, in µs. */
    async cpuUs(): Promise<number> {
      const answer = nextLine();
      child.stdin!.write('cpu\n');
      return Number(await answer);
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      await exited;
    },
  };
}

async function load(url: string, duration: number): Promise<AutocannonResult> {
  return autocannon({ url: `${url}/api/status`, connections: CONNECTIONS, duration });
}

/** A load, and the servers' CPU time per request it answered (µs). */
async function measuredLoad(servers: { cpuUs(): Promise<number> }, url: string, duration: number): Promise<AutocannonResult & { cpuPerRequestUs: number }> {
  const before = await servers.cpuUs();
  const result = await load(url, duration);
  return { ...result, cpuPerRequestUs: ((await servers.cpuUs()) - before) / Math.max(1, result.requests.total) };
}

async function measure(size: number): Promise<string[]> {
  process.stderr.write(`bench:api ${size} pipelines: starting servers\n`);
  const servers = await startServers(size);
  try {
    await load(servers.bareUrl, WARMUP_S);
    await load(servers.appUrl, WARMUP_S);
    process.stderr.write(`bench:api ${size} pipelines: ${DURATION_S} s each, ${CONNECTIONS} connections\n`);
    // Alternating halves, so drift in the machine's load hits both sides alike.
    const half = Math.max(1, Math.round(DURATION_S / 2));
    type Run = Awaited<ReturnType<typeof measuredLoad>>;
    const runs = { bare: [] as Run[], app: [] as Run[] };
    runs.bare.push(await measuredLoad(servers, servers.bareUrl, half));
    runs.app.push(await measuredLoad(servers, servers.appUrl, half));
    runs.app.push(await measuredLoad(servers, servers.appUrl, DURATION_S - half || 1));
    runs.bare.push(await measuredLoad(servers, servers.bareUrl, DURATION_S - half || 1));
    const mean = (results: Run[], pick: (r: Run) => number) => results.reduce((sum, r) => sum + pick(r), 0) / results.length;
    const bareRps = mean(runs.bare, (r) => r.requests.average);
    const appRps = mean(runs.app, (r) => r.requests.average);
    const bareCpu = mean(runs.bare, (r) => r.cpuPerRequestUs);
    const appCpu = mean(runs.app, (r) => r.cpuPerRequestUs);
    const cpu = (us: number) => `cpu ${us.toFixed(0).padStart(5)} µs/req`;
    const bareP99 = Math.max(...runs.bare.map((r) => r.latency.p99));
    const appP99 = Math.max(...runs.app.map((r) => r.latency.p99));
    const failures = [...runs.bare, ...runs.app].reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0);
    const ratio = appRps / bareRps;
    const goal = GOALS[size] ?? 0.9;
    const verdict = `${ratio >= goal ? 'meets' : 'MISSES'} ratio goal ≥ ${goal}; p99 ${appP99 <= P99_GOAL_MS ? 'meets' : 'MISSES'} goal ≤ ${P99_GOAL_MS} ms`;
    return [
      `${String(size).padStart(5)} pipelines (${(servers.bytes / 1024).toFixed(1)} KiB)  bare  ${bareRps.toFixed(0).padStart(7)} req/s  p99 ${String(bareP99).padStart(4)} ms  ${cpu(bareCpu)}`,
      `${' '.repeat(5)}                         api   ${appRps.toFixed(0).padStart(7)} req/s  p99 ${String(appP99).padStart(4)} ms  ${cpu(appCpu)}  ratio ${ratio.toFixed(2)}, by cpu ${(bareCpu / appCpu).toFixed(2)}  (${verdict})${failures ? `  ${failures} failed requests!` : ''}`,
    ];
  } finally {
    await servers.stop();
  }
}

async function main(): Promise<void> {
  const serveAt = process.argv.indexOf('--serve');
  if (serveAt >= 0) return serve(Number(process.argv[serveAt + 1]));
  const lines = [`GET /api/status: datamon API vs a bare Fastify route answering the same bytes from one Redis GET (${CONNECTIONS} connections, ${DURATION_S} s each)`];
  for (const size of SIZES) {
    try {
      lines.push(...(await measure(size)));
    } catch (err) {
      lines.push(`${size} pipelines: benchmark could not run: ${(err as Error).message}`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
