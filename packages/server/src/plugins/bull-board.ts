import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance } from 'fastify';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Bull Board's page is a React app that sets inline `style` attributes: it gets a policy of its
 * own that allows those, and still only scripts, fonts and data from this server.
 */
const BULL_BOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Bull Board at /admin/queues (README "HTTP API"). Registered without fastify-plugin on purpose: its
 * encapsulated context holds the write-level auth hook, the looser CSP and Bull Board's own error
 * handler, and none of them leak to the rest of the API. It stays operable (retry, clean,
 * promote): whoever holds a write credential may already run checks and silence alerts, and job
 * payloads carry ids and times, never secrets.
 */
export default async function bullBoardPlugin(fastify: FastifyInstance): Promise<void> {
  for (const hook of fastify.authorize('write')) fastify.addHook('onRequest', hook);
  fastify.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', BULL_BOARD_CSP);
    return payload;
  });

  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: [...fastify.queues.all.values()].map((queue) => new BullMQAdapter(queue, { allowRetries: true })),
    serverAdapter,
    options: {
      uiConfig: { boardTitle: 'datamon queues', miscLinks: [{ text: 'Dashboard', url: '/' }], hideDocsLink: true },
    },
  });
  await fastify.register(serverAdapter.registerPlugin());
}
