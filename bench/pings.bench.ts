/**
 * `npm run bench:pings` (README "Heartbeats"): what one API process takes on
 * `POST /ping/:key/:slug`, against a bare Fastify route that keeps the same body with one Redis
 * LPUSH (the least a server that stores pings can do), in the same run; and the time from a
 * `/fail` ping to its Chat card at a local receiver, through the real check and alert workers.
 * Prints figures and ratios; never fails a build.
 *
 * The servers and workers run in a child process so the load generator and the Chat receiver
 * (in this process) do not share their event loop.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { resolveConfig } from '@datamon/config';
import type { DatamonConfig } from '@datamon/core';
import { createLogger } from '@datamon/io';
import { createQueues, DEFAULT_SETTINGS } from '@datamon/jobs';
import { buildApp } from '@datamon/server';
import { createRedisConnection, DatamonStore } from '@datamon/store';
import { startAlertWorker, startCheckWorker } from '@datamon/workers';
import Fastify from 'fastify';

const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_PINGS_SECONDS ?? 5);
const SAMPLES = Number(process.env.BENCH_PINGS_SAMPLES ?? 30);
/** Chat takes about one message a second (the limiter): samples are spaced so none waits its turn. */
const SPACING_MS = 1_300;
const REDIS_URL = process.env.DATAMON_REDIS_URL ?? 'redis://127.0.0.1:6379';
const KEY = 'bench-ping-key-0123456789';
const RATIO_GOAL = 0.5;
const P99_GOAL_MS = 500;

interface AutocannonResult {
  requests: { average: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (options: { url: string; method: string; body: string; headers: Record<string, string>; connections: number; duration: number }) => Promise<AutocannonResult>;

function benchConfig(chatUrl: string): DatamonConfig {
  const heartbeats = Array.from({ length: SAMPLES + 1 }, (_, index) => ({ id: `job_${index}`, name: `Job ${index}`, kind: 'heartbeat', period_minutes: 60 }));
  return resolveConfig(
    {
      redis: { url: REDIS_URL, prefix: `bench-pings-${randomUUID()}` },
      google_chat: { webhook_url: chatUrl },
      email: { enabled: false },
      heartbeats: { ping_key: KEY },
      pipelines: heartbeats,
      schedule: { checkins: { morning: { enabled: false }, first_shift: { enabled: false }, second_shift: { enabled: false } } },
    },
    { source: 'bench', env: {} },
  );
}

// ------------------------------------------------------------------ the child: API, workers, bare route

async function serve(chatUrl: string): Promise<void> {
  const config = benchConfig(chatUrl);
  const quiet = createLogger({ role: 'bench', destination: new Writable({ write: (_c, _e, done) => done() }) });
  // No per-slug limit here: the load is one slug pinging as fast as it can.
  const app = await buildApp({ config, pingsPerMinute: Number.MAX_SAFE_INTEGER });
  const appUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const checks = await startCheckWorker({ config, logger: quiet, settings: DEFAULT_SETTINGS });
  const alerts = await startAlertWorker({ config, logger: quiet, watchEveryMs: 3_600_000 });
  await Promise.all([checks.ready, alerts.ready]);

  const bareRedis = createRedisConnection(config.redis.url);
  const bare = Fastify({ logger: false });
  bare.removeAllContentTypeParsers();
  bare.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  bare.post('/ping/:key/:slug', async (request, reply) => {
    await bareRedis.lpush(`${config.redis.prefix}:bare-pings`, String(request.body ?? ''));
    return reply.type('text/plain').send('OK');
  });
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });

  process.stdout.write(`${JSON.stringify({ appUrl, bareUrl })}\n`);
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.on('end', resolve));
  await bare.close();
  await app.close();
  await checks.close();
  await alerts.close();
  const queues = createQueues(config);
  await queues.obliterate();
  await queues.close();
  const redis = createRedisConnection(config.redis.url);
  await new DatamonStore(redis, { prefix: config.redis.prefix, historyDays: 1 }).clear();
  await Promise.all([redis.quit(), bareRedis.quit()]);
}

// ------------------------------------------------------------------ the parent: load and latency

/** A Chat receiver: when each card arrived, by the pipeline it names. */
async function startChat(): Promise<{ url: string; arrivals: Map<string, number>; close(): Promise<void> }> {
  const arrivals = new Map<string, number>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const at = performance.now();
      for (const match of body.matchAll(/CRITICAL: Job (\d+)/g)) if (!arrivals.has(`job_${match[1]}`)) arrivals.set(`job_${match[1]}`, at);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"spaces/bench/messages/1"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/spaces/bench/messages?key=k&token=t`, arrivals, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function startServers(chatUrl: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--serve', chatUrl], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  const info = JSON.parse(line) as { appUrl: string; bareUrl: string };
  return {
    ...info,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      await exited;
    },
  };
}

const load = (base: string, duration: number) =>
  autocannon({ url: `${base}/ping/${KEY}/job_${SAMPLES}`, method: 'POST', body: 'loaded 14,902 rows in 812 s', headers: { 'content-type': 'text/plain' }, connections: CONNECTIONS, duration });

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function main(): Promise<void> {
  const serveAt = process.argv.indexOf('--serve');
  if (serveAt >= 0) return serve(process.argv[serveAt + 1] as string);
  const chat = await startChat();
  const servers = await startServers(chat.url);
  const lines: string[] = [];
  try {
    // 1. Throughput: alternating halves, so drift in the machine's load hits both sides alike.
    process.stderr.write(`bench:pings throughput: ${DURATION_S} s each, ${CONNECTIONS} connections\n`);
    await load(servers.bareUrl, 1);
    await load(servers.appUrl, 1);
    const half = Math.max(1, Math.round(DURATION_S / 2));
    const bare = [await load(servers.bareUrl, half)];
    const api = [await load(servers.appUrl, half), await load(servers.appUrl, half)];
    bare.push(await load(servers.bareUrl, half));
    const mean = (runs: AutocannonResult[]) => runs.reduce((sum, run) => sum + run.requests.average, 0) / runs.length;
    const failed = [...bare, ...api].reduce((sum, run) => sum + run.non2xx + run.errors + run.timeouts, 0);
    const ratio = mean(api) / mean(bare);
    lines.push(`POST /ping/:key/:slug, ${CONNECTIONS} connections: datamon API vs a bare Fastify route keeping the body with one Redis LPUSH`);
    lines.push(`  bare  ${mean(bare).toFixed(0).padStart(6)} req/s  p99 ${Math.max(...bare.map((run) => run.latency.p99))} ms`);
    lines.push(
      `  api   ${mean(api).toFixed(0).padStart(6)} req/s  p99 ${Math.max(...api.map((run) => run.latency.p99))} ms  ratio ${ratio.toFixed(2)} (${ratio >= RATIO_GOAL ? 'meets' : 'MISSES'} goal ≥ ${RATIO_GOAL})${failed ? `  ${failed} failed requests!` : ''}`,
    );
    lines.push('  (each API ping is stored and queues a check of its pipeline: the load also drives the check worker)');

    // Let the check worker drain the throughput run's queue before timing single pings.
    await new Promise((resolve) => setTimeout(resolve, 5_000));

    // 2. Latency: one /fail ping per pipeline, spaced past Chat's pace, to its card at the receiver.
    process.stderr.write(`bench:pings latency: ${SAMPLES} /fail pings, ${SPACING_MS} ms apart\n`);
    const sentAt = new Map<string, number>();
    for (let index = 0; index < SAMPLES; index += 1) {
      const id = `job_${index}`;
      sentAt.set(id, performance.now());
      const response = await fetch(`${servers.appUrl}/ping/${KEY}/${id}/fail`, { method: 'POST', body: 'ERROR: table FactCalls is locked' });
      if (response.status !== 200) throw new Error(`ping answered ${response.status}`);
      await new Promise((resolve) => setTimeout(resolve, SPACING_MS));
    }
    const deadline = Date.now() + 30_000;
    while (chat.arrivals.size < SAMPLES && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const latencies = [...sentAt].flatMap(([id, sent]) => (chat.arrivals.has(id) ? [(chat.arrivals.get(id) as number) - sent] : [])).sort((a, b) => a - b);
    const p99 = percentile(latencies, 99);
    lines.push(`/fail ping to its Chat card at a local receiver (real API, check and alert workers, ${SAMPLES} pipelines)`);
    lines.push(
      `  ${latencies.length} of ${SAMPLES} cards  p50 ${percentile(latencies, 50).toFixed(0)} ms  p99 ${p99.toFixed(0)} ms  max ${(latencies.at(-1) ?? NaN).toFixed(0)} ms (${p99 <= P99_GOAL_MS ? 'meets' : 'MISSES'} goal p99 ≤ ${P99_GOAL_MS} ms)`,
    );
  } catch (err) {
    lines.push(`bench:pings could not run: ${(err as Error).message}`);
  } finally {
    await servers.stop();
    await chat.close();
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
