import { buildStatusSnapshot, type CheckResult, dependencyNeighbourhood, graphOf, pairPings, type PingsView } from '@datamon/core';
import { applyIncidentEvent, enqueueRunPipeline } from '@datamon/jobs';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.ts';
import { pipelineOr404 } from '../lookup.ts';
import Type, { type Static } from 'typebox';
import {
  errorResponses,
  historyQuery,
  historySchema,
  pingsQuery,
  pingsSchema,
  type IdParams,
  dedupedJobSchema,
  jobIdSchema,
  type PipelineDetail,
  pipelineDetailSchema,
  pipelineIdParams,
  runQuery,
  runResultSchema,
  silenceBody,
  silenceSchema,
} from '../schemas.ts';

/** The most a `?wait=1` request waits for its check (README "HTTP API"). */
export const RUN_WAIT_MS = 30_000;

function isCheckResult(value: unknown): value is CheckResult {
  return typeof value === 'object' && value !== null && 'status' in value && 'message' in value && 'checkedAt' in value;
}

/**
 * One pipeline, its history, run-now and silences (README "HTTP API").
 *
 * @param options.runWaitMs - how long `?wait=1` waits (tests shorten it)
 */
export default async function pipelineRoutes(fastify: FastifyInstance, options: { runWaitMs?: number }): Promise<void> {
  const { config, store } = fastify;
  const runWaitMs = options.runWaitMs ?? RUN_WAIT_MS;
  const read = fastify.authorize('read');
  const write = fastify.authorize('write');

  fastify.get<{ Params: IdParams }>(
    '/api/pipelines/:id',
    {
      onRequest: read,
      schema: { params: pipelineIdParams, response: { 200: pipelineDetailSchema, ...errorResponses } },
    },
    async (request): Promise<PipelineDetail> => {
      const pipeline = pipelineOr404(config, request.params.id);
      const now = fastify.now();
      // Its upstreams' states too: what blocks it is part of its status.
      const around = dependencyNeighbourhood(graphOf(config.pipelines), pipeline.id);
      const [states, openIncident, silencedUntil] = await Promise.all([
        store.results.latestMany(around),
        store.incidents.open(pipeline.id),
        store.silences.until(pipeline.id, now),
      ]);
      // The same pure function that builds /api/status, fed with this one pipeline's state, so
      // both views always agree on what "status" and "since" mean.
      const latest = states[pipeline.id] ?? null;
      const view = buildStatusSnapshot(
        {
          pipelines: config.pipelines.filter((candidate) => around.includes(candidate.id)),
          checkins: [],
          latest: states,
          openIncidents: openIncident ? { [pipeline.id]: openIncident } : {},
          silences: silencedUntil ? { [pipeline.id]: silencedUntil.toISOString() } : {},
          checkinRuns: {},
        },
        now,
      ).pipelines.find((candidate) => candidate.id === pipeline.id);
      if (!view) throw new Error(`no status view was built for ${pipeline.id}`);
      return { ...view, action: pipeline.action, latest, openIncident };
    },
  );

  fastify.get<{ Params: IdParams; Querystring: Static<typeof historyQuery> }>(
    '/api/pipelines/:id/history',
    {
      onRequest: read,
      schema: { params: pipelineIdParams, querystring: historyQuery, response: { 200: historySchema, ...errorResponses } },
    },
    async (request) => {
      const pipeline = pipelineOr404(config, request.params.id);
      const { hours } = request.query;
      const since = new Date(fastify.now().getTime() - hours * 3_600_000);
      return { id: pipeline.id, hours, results: await store.results.history(pipeline.id, since) };
    },
  );

  fastify.get<{ Params: IdParams; Querystring: Static<typeof pingsQuery> }>(
    '/api/pipelines/:id/pings',
    {
      onRequest: read,
      schema: { params: pipelineIdParams, querystring: pingsQuery, response: { 200: pingsSchema, ...errorResponses } },
    },
    async (request): Promise<PingsView> => {
      const pipeline = pipelineOr404(config, request.params.id);
      const { limit } = request.query;
      // A finish's start may sit just past the page: read a little more to pair it, then cut.
      const pings = await store.pings.recent(pipeline.id, limit + 50);
      return { id: pipeline.id, pings: pairPings(pings).slice(0, limit) };
    },
  );

  fastify.post<{ Params: IdParams; Querystring: Static<typeof runQuery> }>(
    '/api/pipelines/:id/run',
    {
      onRequest: write,
      schema: { params: pipelineIdParams, querystring: runQuery, response: { 200: Type.Union([runResultSchema, dedupedJobSchema]), 202: jobIdSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const pipeline = pipelineOr404(config, request.params.id);
      const wait = request.query.wait === '1' || request.query.wait === 'true';
      // Listening starts before the job exists, so a fast worker's completion cannot be missed.
      const events = wait ? await fastify.queues.checkEvents() : null;
      const { job, deduplicated } = await enqueueRunPipeline(fastify.queues, pipeline.id, request.principal?.name ?? 'api', fastify.now());
      const jobId = String(job.id);
      request.log.info({ pipelineId: pipeline.id, jobId, deduplicated, by: request.principal?.name }, 'run-now requested');
      // A run already queued or running answers for this request too.
      if (!events) return deduplicated ? reply.code(200).send({ jobId, deduplicated: true }) : reply.code(202).send({ jobId });
      let returned: unknown;
      try {
        returned = await job.waitUntilFinished(events, runWaitMs);
      } catch (err) {
        const state = await job.getState().catch(() => 'unknown');
        if (state === 'failed') {
          const failed = await fastify.queues.checks.queue.getJob(jobId).catch(() => undefined);
          const reason = failed?.failedReason ?? (err as Error).message;
          request.log.error({ err, pipelineId: pipeline.id, jobId, reason }, 'run-now job failed');
          throw new HttpError(500, `the check job ${jobId} failed: ${reason}`);
        }
        const current = await fastify.queues.checks.queue.getJob(jobId).catch(() => undefined);
        const retrying = current && current.attemptsMade > 0 && current.failedReason ? `; attempt ${current.attemptsMade} failed (${current.failedReason}) and it is retried` : '';
        throw new HttpError(
          504,
          `the check did not finish within ${Math.round(runWaitMs / 1000)} s (job ${jobId} is ${state}${retrying}); its result will show in /api/status when it does`,
        );
      }
      if (!isCheckResult(returned)) throw new HttpError(500, `the check job ${jobId} finished without a result`);
      const { status, value, message, checkedAt } = returned;
      return reply.code(200).send({ jobId, ...(deduplicated ? { deduplicated: true } : {}), result: { status, value, message, checkedAt } });
    },
  );

  const silenceResponse = { 200: silenceSchema, ...errorResponses } as const;

  fastify.post<{ Params: IdParams; Body: Static<typeof silenceBody> }>(
    '/api/pipelines/:id/silence',
    {
      onRequest: write,
      schema: { params: pipelineIdParams, body: silenceBody, response: silenceResponse },
    },
    async (request) => {
      const pipeline = pipelineOr404(config, request.params.id);
      const now = fastify.now();
      const until = new Date(now.getTime() + request.body.minutes * 60_000);
      await store.silences.silence(pipeline.id, until);
      // The incident rule hears of it: nothing is sent until the silence ends.
      await applyIncidentEvent({ config, store, queues: fastify.queues }, pipeline.id, { type: 'silence' }, now);
      await store.refreshSnapshot(config, now);
      request.log.info({ pipelineId: pipeline.id, until: until.toISOString(), by: request.principal?.name }, 'pipeline silenced');
      return { id: pipeline.id, silencedUntil: until.toISOString() };
    },
  );

  fastify.delete<{ Params: IdParams }>(
    '/api/pipelines/:id/silence',
    { onRequest: write, schema: { params: pipelineIdParams, response: silenceResponse } },
    async (request) => {
      const pipeline = pipelineOr404(config, request.params.id);
      const now = fastify.now();
      const ended = await store.silences.unsilence(pipeline.id);
      // A state message the silence held goes now, for the truth as it is (README "Alerts").
      if (ended) await applyIncidentEvent({ config, store, queues: fastify.queues }, pipeline.id, { type: 'silence' }, now);
      await store.refreshSnapshot(config, now);
      if (ended) request.log.info({ pipelineId: pipeline.id, by: request.principal?.name }, 'silence ended');
      return { id: pipeline.id, silencedUntil: null };
    },
  );
}
