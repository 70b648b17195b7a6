import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendError } from '../errors.ts';

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
 * Operations that are off for everyone: a job added or edited by hand would run with the
 * monitor's own SMTP login and Chat webhook (a forged message from a trusted sender).
 */
const NEVER = [/\/api\/queues\/[^/]+\/add$/, /\/api\/queues\/[^/]+\/[^/]+\/update-data$/];

/** A queue pause or resume, for the record of who paused what (`.../pause`, `.../resume`). */
const PAUSE = /\/api\/queues\/(?:([^/]+)\/)?(pause|resume)$/;

/**
 * Bull Board at /admin/queues (README "HTTP API", SECURITY.md). Registered without
 * fastify-plugin on purpose: its encapsulated context holds the write-level auth hook, the
 * looser CSP and Bull Board's own error handler, and none of them leak to the rest of the API.
 *
 * It is read-only (queues, jobs and their logs) for every credential that may write; operating
 * it (retry, clean, promote, pause, obliterate...) needs an admin credential
 * (`dashboard.auth.admin_tokens`, `admin_users`), and adding or editing a job is off for everyone.
 * A pause by an admin is recorded as on purpose (the scheduler resumes any other at start).
 */
export default async function bullBoardPlugin(fastify: FastifyInstance): Promise<void> {
  for (const hook of fastify.authorize('write')) fastify.addHook('onRequest', hook);
  fastify.addHook('onRequest', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    const path = request.url.split('?')[0] ?? '';
    if (NEVER.some((pattern) => pattern.test(path))) {
      sendError(reply, 403, 'adding or editing jobs by hand is off: such a job would send messages with the monitor\'s own credentials');
      return reply;
    }
    if (!request.principal?.admin) {
      sendError(reply, 403, 'Bull Board is read-only for this credential: operating queues needs one of dashboard.auth.admin_tokens or a user in dashboard.auth.admin_users');
      return reply;
    }
  });
  // The board's page hides the operations a read-only credential may not use.
  fastify.addHook('onSend', async (request, reply, payload) => {
    reply.header('content-security-policy', BULL_BOARD_CSP);
    if (request.principal?.admin || typeof payload !== 'string' || !(request.url.split('?')[0] ?? '').endsWith('/api/queues')) return payload;
    try {
      const body = JSON.parse(payload) as { queues?: { readOnlyMode?: boolean; allowRetries?: boolean }[] };
      for (const queue of body.queues ?? []) {
        queue.readOnlyMode = true;
        queue.allowRetries = false;
      }
      return JSON.stringify(body);
    } catch {
      return payload;
    }
  });
  // Before the answer goes out, so whoever reads the record after it finds it.
  fastify.addHook('onSend', async (request, reply, payload) => {
    await recordPause(fastify, request, reply.statusCode);
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

/** An admin's pause is on purpose (kept until resumed); the record names who and when. */
async function recordPause(fastify: FastifyInstance, request: FastifyRequest, statusCode: number): Promise<void> {
  if (request.method !== 'PUT' || statusCode >= 300) return;
  const match = PAUSE.exec(request.url.split('?')[0] ?? '');
  if (!match) return;
  const [, queue, action] = match;
  const queues = queue ? [queue] : [...fastify.queues.all.keys()];
  const by = request.principal?.name ?? 'unknown';
  for (const name of queues) {
    if (action === 'pause') await fastify.store.monitor.recordPause(name, by, fastify.now());
    else await fastify.store.monitor.clearPause(name);
  }
  request.log.warn({ queues, action, by }, action === 'pause' ? 'queue paused by an admin' : 'queue resumed by an admin');
}
