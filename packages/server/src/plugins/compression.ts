import compress from '@fastify/compress';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ENCODINGS } from '../representation.ts';

/** Answers under this many bytes go as they are: compressing them costs more than it saves. */
export const COMPRESS_THRESHOLD_BYTES = 1024;

/**
 * A strong ETag promises these exact bytes. Compressed bytes are other bytes, so a compressed
 * answer keeps its ETag only as a weak one (what nginx does): `If-None-Match` compares weakly, so
 * a 304 still follows, and nothing can take gzip bytes for the identity ones (RFC 9110 §8.8.1).
 */
function weakenEtagOnceEncoded(_request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void): void {
  const etag = reply.getHeader('etag');
  const encoding = reply.getHeader('content-encoding');
  if (typeof etag === 'string' && !etag.startsWith('W/') && encoding !== undefined && encoding !== 'identity') reply.header('etag', `W/${etag}`);
  done(null, payload);
}

/**
 * gzip or br for answers of 1 KiB or more when the client asks (@fastify/compress), on every
 * route registered after this plugin. Server-Sent Events are never compressed: `/api/events`
 * hijacks its reply, so no onSend hook sees it, and `text/event-stream` is outside
 * @fastify/compress's compressible types anyway. Bull Board's onSend hooks, which rewrite its
 * JSON, run first: @fastify/compress adds its hook per route, after every instance-level one.
 */
async function compression(fastify: FastifyInstance): Promise<void> {
  await fastify.register(compress, {
    encodings: [...ENCODINGS],
    threshold: COMPRESS_THRESHOLD_BYTES,
    // Bodies are taken as sent: no route expects a compressed one, and inflating one is work
    // any client could make the server do.
    globalDecompression: false,
  });
  // Added after @fastify/compress's onRoute hook, so this onSend lands after its own.
  fastify.addHook('onRoute', (route) => {
    // A route that compresses its own answers (`compress: false`) sets its own tags too.
    if (route.compress === false) return;
    route.onSend = [...(Array.isArray(route.onSend) ? route.onSend : route.onSend ? [route.onSend] : []), weakenEtagOnceEncoded];
  });
}

export default fp(compression, { name: 'datamon-compression', fastify: '5.x' });
