import { readMonitorHealth } from '@datamon/jobs';
import { describeRedis } from '@datamon/store';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.ts';
import { errorResponses } from '../schemas.ts';
import { monitorDeps } from './monitor.ts';

const PING_TIMEOUT_MS = 1_000;

/**
 * `GET /healthz` (the process answers) and `GET /readyz`: Redis answers PING and the monitor is
 * still checking (README "Watching the monitor": dead workers or a gone scheduler make it
 * unready, with the reason). A warehouse that is down is a CRITICAL check result on the
 * dashboard, not an unready monitor.
 */
export default async function healthRoutes(fastify: FastifyInstance): Promise<void> {
  const okSchema = { response: { 200: { type: 'object', properties: { status: { type: 'string' } } }, ...errorResponses } };

  fastify.get('/healthz', { schema: okSchema }, async () => ({ status: 'ok' }));

  fastify.get('/readyz', { schema: okSchema }, async () => {
    const where = describeRedis(fastify.config.redis);
    // A client still reconnecting would queue the PING: it is not ready, and saying so at once
    // is what a load balancer's probe wants.
    if (fastify.redis.status !== 'ready') throw new HttpError(503, `Redis at ${where} is not reachable (connection ${fastify.redis.status})`);
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
      });
      await Promise.race([fastify.redis.ping(), timeout]);
    } catch (err) {
      throw new HttpError(503, `Redis at ${where} is not reachable: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    const watch = await readMonitorHealth(monitorDeps(fastify), fastify.now());
    if (!watch.healthy) throw new HttpError(503, `the monitor is not checking: ${watch.problems.map((problem) => `${problem.message} (since ${problem.since})`).join('; ')}`);
    return { status: 'ready' };
  });
}
