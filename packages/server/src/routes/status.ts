import type { FastifyInstance } from 'fastify';
import { heldEtag } from '../etag.ts';
import { COMPRESS_THRESHOLD_BYTES } from '../plugins/compression.ts';
import { acceptedEncoding, cachedRepresentations } from '../representation.ts';
import { errorResponses, statusSnapshotSchema } from '../schemas.ts';

/**
 * `GET /api/status` (README "HTTP API"), `GET /api/meta` and `GET /api/session`.
 *
 * The status is the snapshot the workers keep in Redis, sent as the stored bytes: one GET, no
 * parse, no serialise, no decode. Before any worker has written one, it is built here once. Its
 * ETag is a hash of those bytes and its gzip and br copies are made once per snapshot, not per
 * request (so the compression plugin is off on this route); a client that holds them gets a 304.
 */
export default async function statusRoutes(fastify: FastifyInstance): Promise<void> {
  const { config, store } = fastify;
  const representationOf = cachedRepresentations();

  fastify.get(
    '/api/status',
    {
      onRequest: fastify.authorize('read'),
      // It sends its own gzip and br copies: the compression plugin's hook has nothing to do here.
      compress: false,
      // The schema documents the shape; the stored bytes are sent as they are, never re-serialised.
      schema: { response: { 200: statusSnapshotSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const bytes = (await store.snapshotBytes()) ?? Buffer.from(JSON.stringify(await store.refreshSnapshot(config, fastify.now())));
      const encoding = bytes.length >= COMPRESS_THRESHOLD_BYTES && request.headers['x-no-compression'] === undefined ? acceptedEncoding(request.headers['accept-encoding']) : null;
      const { etag, body } = representationOf(bytes, encoding);
      // Kept by the browser only (it may be behind protect_reads) and revalidated on every read.
      // Vary on a 304 too: the same URL is sent plain, gzip or br.
      reply.headers({ 'cache-control': 'private, no-cache', vary: 'accept-encoding' });
      const held = heldEtag(request.headers['if-none-match'], etag);
      if (held) return reply.header('etag', held).code(304).send();
      // A compressed copy is other bytes: its tag is the weak form (see the compression plugin).
      if (encoding) reply.headers({ 'content-encoding': encoding, etag: `W/${etag}` });
      else reply.header('etag', etag);
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );

  fastify.get(
    '/api/meta',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            properties: {
              refreshSeconds: { type: 'integer' },
              timezone: { type: 'string' },
              publicUrl: { type: 'string' },
              auth: {
                type: 'object',
                properties: { configured: { type: 'boolean' }, basic: { type: 'boolean' }, protectReads: { type: 'boolean' } },
              },
            },
          },
        },
      },
    },
    // What the page needs before its first /api/status: open even with protect_reads, and
    // free of anything a stranger could use.
    async () => ({
      refreshSeconds: config.dashboard.refresh_seconds,
      timezone: config.monitoring.timezone,
      publicUrl: config.dashboard.public_url,
      auth: {
        configured: fastify.authConfigured,
        basic: Boolean(config.dashboard.auth.username && config.dashboard.auth.password),
        protectReads: config.dashboard.auth.protect_reads,
      },
    }),
  );

  fastify.get(
    '/api/session',
    {
      onRequest: fastify.authorize('write'),
      schema: {
        response: {
          200: { type: 'object', properties: { name: { type: 'string' }, method: { type: 'string' } } },
          ...errorResponses,
        },
      },
    },
    // The sign-in form asks this with the credentials it was given: 200 means they will work.
    async (request) => request.principal,
  );
}
