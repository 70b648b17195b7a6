import { enqueueManualCheckin } from '@datamon/jobs';
import type { FastifyInstance } from 'fastify';
import { checkinOr404 } from '../lookup.ts';
import { dedupedJobSchema, errorResponses, jobIdSchema, pipelineIdParams } from '../schemas.ts';

/** `POST /api/checkins/:id/run` (README "HTTP API"): a manual run, card and email included. */
export default async function checkinRoutes(fastify: FastifyInstance): Promise<void> {
  fastify.post<{ Params: { id: string } }>(
    '/api/checkins/:id/run',
    {
      onRequest: fastify.authorize('write'),
      // Check-in ids follow the same rule as pipeline ids.
      schema: { params: pipelineIdParams, response: { 200: dedupedJobSchema, 202: jobIdSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const checkin = checkinOr404(fastify.config, request.params.id);
      const { job, deduplicated } = await enqueueManualCheckin(fastify.queues, checkin.id, request.principal?.name ?? 'api', fastify.now());
      request.log.info({ checkinId: checkin.id, jobId: job.id, deduplicated, by: request.principal?.name }, 'check-in run requested');
      // Already run this minute, or queued: that run stands (its card and email go once).
      if (deduplicated) return reply.code(200).send({ jobId: String(job.id), deduplicated: true });
      return reply.code(202).send({ jobId: String(job.id) });
    },
  );
}
