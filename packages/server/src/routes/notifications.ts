import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { errorResponses, notificationSchema, notificationsQuery } from '../schemas.ts';

/** `GET /api/notifications?limit=100` (README "HTTP API"): the notification record, newest first. */
export default async function notificationRoutes(fastify: FastifyInstance): Promise<void> {
  fastify.get<{ Querystring: Static<typeof notificationsQuery> }>(
    '/api/notifications',
    {
      onRequest: fastify.authorize('read'),
      schema: {
        querystring: notificationsQuery,
        response: { 200: Type.Array(notificationSchema), ...errorResponses },
      },
    },
    async (request) => fastify.store.notifications.list(request.query.limit),
  );
}
