import { NOTIFICATION_CHANNELS, singleFlight, STATUSES, type StatusSnapshot, WATCHED_ROLES } from '@datamon/core';
import { readMonitorHealth } from '@datamon/jobs';
import { monitorDeps } from './monitor.ts';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { sendError } from '../errors.ts';
import { Gauge, Registry } from 'prom-client';

const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed'] as const;
const OUTCOMES = ['sent', 'failed', 'skipped', 'retrying'] as const;

/**
 * `GET /metrics` in Prometheus text (README "HTTP API"). Everything is read from Redis, so any
 * number of API processes report the same figures; one rendering serves every scrape of the next
 * few seconds. A registry per app (not
 * prom-client's global one) lets tests build many apps in one process.
 */
export default async function metricsRoutes(fastify: FastifyInstance, options: { cacheMs: number }): Promise<void> {
  const { config, store } = fastify;
  const registry = new Registry();
  const pipelineStatus = new Gauge({
    name: 'datamon_pipeline_status',
    help: 'Current status of each pipeline: 1 for its status, 0 for the others',
    labelNames: ['pipeline', 'status'],
    registers: [registry],
  });
  const overall = new Gauge({ name: 'datamon_overall_status', help: 'Overall status: 1 for the current one (CHECKING while a pipeline was never checked)', labelNames: ['status'], registers: [registry] });
  const checked = new Gauge({ name: 'datamon_pipeline_checked', help: '1 once the pipeline has a result, 0 while it was never checked', labelNames: ['pipeline'], registers: [registry] });
  const roundAge = new Gauge({ name: 'datamon_last_round_age_seconds', help: 'Seconds since the last completed quick-check round (since the API started, when none did)', registers: [registry] });
  const roleUp = new Gauge({ name: 'datamon_role_up', help: '1 while some process of the role has reported in the last minute', labelNames: ['role'], registers: [registry] });
  const checking = new Gauge({ name: 'datamon_monitor_checking', help: '1 while the monitor is checking (rounds completing, every role reporting, no queue paused)', registers: [registry] });
  const duration = new Gauge({
    name: 'datamon_pipeline_last_check_duration_seconds',
    help: 'How long the latest check of each pipeline took',
    labelNames: ['pipeline'],
    registers: [registry],
  });
  const checkedAt = new Gauge({
    name: 'datamon_pipeline_last_checked_timestamp_seconds',
    help: 'When each pipeline was last checked (Unix time)',
    labelNames: ['pipeline'],
    registers: [registry],
  });
  const openIncident = new Gauge({
    name: 'datamon_pipeline_incident_open',
    help: '1 while the pipeline has an open incident (2 once acknowledged)',
    labelNames: ['pipeline'],
    registers: [registry],
  });
  const notifications = new Gauge({
    name: 'datamon_notifications',
    help: 'Notifications in the kept record (the latest 10,000) by channel and outcome',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  const queueJobs = new Gauge({ name: 'datamon_queue_jobs', help: 'Jobs per queue and state', labelNames: ['queue', 'state'], registers: [registry] });
  const liveClients = new Gauge({ name: 'datamon_dashboard_live_clients', help: 'Open live-update streams on this API process', registers: [registry] });

  async function collect(): Promise<void> {
    const [snapshotJson, latest, tally, watch, counts] = await Promise.all([
      store.snapshotJson(),
      store.results.allLatest(),
      store.notifications.tally(),
      readMonitorHealth(monitorDeps(fastify), fastify.now()),
      Promise.all([...fastify.queues.all].map(async ([name, queue]) => [name, await queue.getJobCounts(...JOB_STATES)] as const)),
    ]);
    const snapshot = snapshotJson ? (JSON.parse(snapshotJson) as StatusSnapshot) : null;

    pipelineStatus.reset();
    openIncident.reset();
    checked.reset();
    for (const pipeline of snapshot?.pipelines ?? []) {
      for (const status of STATUSES) pipelineStatus.set({ pipeline: pipeline.id, status }, pipeline.status === status ? 1 : 0);
      checked.set({ pipeline: pipeline.id }, pipeline.status === null ? 0 : 1);
      openIncident.set({ pipeline: pipeline.id }, pipeline.incident ? (pipeline.acknowledged ? 2 : 1) : 0);
    }
    overall.reset();
    if (snapshot) for (const status of [...STATUSES, 'CHECKING'] as const) overall.set({ status }, snapshot.overall === status ? 1 : 0);
    roundAge.set(watch.lastRoundAgeSeconds);
    for (const role of WATCHED_ROLES) roleUp.set({ role }, watch.roles.find((entry) => entry.role === role)?.up ? 1 : 0);
    checking.set(watch.healthy ? 1 : 0);

    duration.reset();
    checkedAt.reset();
    for (const pipeline of config.pipelines) {
      const result = latest[pipeline.id];
      if (!result) continue;
      duration.set({ pipeline: pipeline.id }, result.durationMs / 1000);
      checkedAt.set({ pipeline: pipeline.id }, Date.parse(result.checkedAt) / 1000);
    }

    notifications.reset();
    for (const channel of NOTIFICATION_CHANNELS) for (const outcome of OUTCOMES) notifications.set({ channel, outcome }, 0);
    for (const { channel, outcome, count } of tally) notifications.set({ channel, outcome }, count);

    queueJobs.reset();
    for (const [queue, byState] of counts) for (const state of JOB_STATES) queueJobs.set({ queue, state }, byState[state] ?? 0);
    liveClients.set(fastify.live.clients);
  }

  // One rendering serves every scrape for a few seconds: the cost does not grow with how often
  // (or how many) scrapers ask, and a flood of scrapes cannot slow the dashboard.
  const render = singleFlight(async () => {
    await collect();
    return registry.metrics();
  });
  let cached: { text: string; at: number } | null = null;
  const current = async (): Promise<string> => {
    if (cached && Date.now() - cached.at < options.cacheMs) return cached.text;
    const text = await render();
    cached = { text, at: Date.now() };
    return text;
  };

  fastify.get('/metrics', { onRequest: metricsAccess(fastify) }, async (_request, reply) => reply.type(registry.contentType).header('cache-control', 'no-store').send(await current()));
}

/**
 * Who may scrape: with `metrics.token` set, a bearer with that token (what a Prometheus scrape
 * config holds); otherwise whoever may read the API (everyone, unless `protect_reads`).
 */
function metricsAccess(fastify: FastifyInstance): onRequestAsyncHookHandler[] {
  const token = fastify.config.metrics.token;
  if (!token) return fastify.authorize('read');
  const expected = createHash('sha256').update(`Bearer ${token}`).digest();
  return [
    async (request, reply) => {
      const given = createHash('sha256').update(request.headers.authorization ?? '').digest();
      if (timingSafeEqual(given, expected)) return;
      sendError(reply, 401, 'metrics need the bearer token from metrics.token', { 'www-authenticate': 'Bearer realm="datamon metrics"' });
      return reply;
    },
  ];
}
