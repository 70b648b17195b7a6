import { readMonitorHealth } from '@datamon/jobs';
import type { FastifyInstance } from 'fastify';
import { errorResponses, watchReportSchema } from '../schemas.ts';

/**
 * `GET /api/monitor`: is the monitor itself still checking (README "Watching the monitor")?
 * The dashboard's red "not checking" banner reads it; `/readyz` and `/metrics` say the same.
 */
export default async function monitorRoutes(fastify: FastifyInstance): Promise<void> {
  fastify.get(
    '/api/monitor',
    { onRequest: fastify.authorize('read'), schema: { response: { 200: watchReportSchema, ...errorResponses } } },
    async (_request, reply) => reply.header('cache-control', 'no-store').send(await readMonitorHealth(monitorDeps(fastify), fastify.now())),
  );
}

/** What the watchman reads, from the app's decorators. */
export function monitorDeps(fastify: FastifyInstance) {
  return { config: fastify.config, store: fastify.store, queues: fastify.queues, startedAt: fastify.startedAt };
}
