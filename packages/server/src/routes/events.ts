import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.ts';

/**
 * `GET /api/events`: Server-Sent Events, one `snapshot` event each time the status snapshot is
 * rebuilt. The page reads it with fetch() rather than EventSource so it can send the same
 * Authorization header as its other requests when reads are protected.
 */
export default async function eventRoutes(fastify: FastifyInstance): Promise<void> {
  fastify.get('/api/events', { onRequest: fastify.authorize('read') }, async (request, reply) => {
    if (fastify.live.full) throw new HttpError(503, 'too many live-update streams are open; the page falls back to polling');
    if (fastify.live.fullFor(request.ip)) throw new HttpError(429, 'too many live-update streams from this address; the page falls back to polling');
    // Headers set so far (helmet's) are carried over: the raw response bypasses Fastify's.
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = typeof value === 'number' ? String(value) : value;
    Object.assign(headers, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Tells nginx-style proxies not to buffer the stream.
      'x-accel-buffering': 'no',
    });
    reply.hijack();
    reply.raw.writeHead(200, headers);
    const detach = fastify.live.attach(reply.raw, request.ip);
    request.raw.on('close', detach);
  });
}
