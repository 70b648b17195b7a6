import type { DatamonConfig } from '@datamon/core';
import { createQueueEvents, createQueues, type DatamonQueues } from '@datamon/jobs';
import type { QueueEvents } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from '../errors.ts';

/** The BullMQ queues as the API sees them: the shared producers, and events for `?wait=1`. */
export interface ServerQueues extends Pick<DatamonQueues, 'checks' | 'alerts' | 'chat' | 'email' | 'tickets' | 'recovery' | 'all'> {
  /**
   * The checks queue's events, opened on first use: only `run?wait=1` needs them, and each
   * QueueEvents holds a blocking connection of its own.
   */
  checkEvents(): Promise<QueueEvents>;
}

declare module 'fastify' {
  interface FastifyInstance {
    queues: ServerQueues;
  }
}

const EVENTS_READY_MS = 1_500;

/**
 * The queues, through the job layer's producers: a run-now or check-in run added here gets the
 * same attempts, backoff and retention as a scheduled one.
 */
async function queuesPlugin(fastify: FastifyInstance, options: { config: DatamonConfig }): Promise<void> {
  const { config } = options;
  // Queue errors go to the connection report: Redis away is one line, not one per queue and attempt.
  const producers = createQueues(config, { connection: fastify.redis, report: fastify.redisReport });

  let events: Promise<QueueEvents> | null = null;

  const queues: ServerQueues = {
    checks: producers.checks,
    alerts: producers.alerts,
    chat: producers.chat,
    email: producers.email,
    tickets: producers.tickets,
    recovery: producers.recovery,
    all: producers.all,
    checkEvents() {
      events ??= (async () => {
        const queueEvents = createQueueEvents(config, 'checks', { report: fastify.redisReport });
        let timer: NodeJS.Timeout | undefined;
        try {
          // With Redis away this would wait forever: the request gets a 503 instead.
          await Promise.race([
            queueEvents.waitUntilReady(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new HttpError(503, 'Redis is not reachable; cannot wait for the check')), EVENTS_READY_MS);
            }),
          ]);
        } catch (err) {
          await queueEvents.close().catch(() => undefined);
          throw err;
        } finally {
          clearTimeout(timer);
        }
        return queueEvents;
      })();
      // A failed attempt is forgotten, so the next request tries again.
      events.catch(() => {
        events = null;
      });
      return events;
    },
  };
  fastify.decorate('queues', queues);

  fastify.addHook('onClose', async () => {
    if (events) await (await events.catch(() => null))?.close();
    // The queues share the app's connection, which the redis plugin closes after this.
    await producers.close();
  });
}

export default fp(queuesPlugin, { name: 'datamon-queues', fastify: '5.x', dependencies: ['datamon-redis'] });
