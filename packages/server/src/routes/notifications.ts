import type { FastifyInstance } from 'fastify';
import { errorResponses, notificationSchema } from '../schemas.ts';

/** `GET /api/notifications?limit=100` (SPEC 8): the notification record, newest first. */
export default async function notificationRoutes(fastify: FastifyInstance): Promise<void> {
  fastify.get<{ Querystring: { limit: number } }>(
    '/api/notifications',
    {
      onRequest: fastify.authorize('read'),
      schema: {
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
        response: { 200: { type: 'array', items: notificationSchema }, ...errorResponses },
      },
    },
    async (request) => fastify.store.notifications.list(request.query.limit),
  );
}
