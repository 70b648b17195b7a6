import { QUEUE_NAMES, type CheckJobs, type CheckResult, type DatamonConfig, type JobName, type QueueName } from '@datamon/core';
import { closeRedis, createRedisConnection } from '@datamon/store';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { HttpError } from '../errors.ts';

type CheckJobData = CheckJobs[JobName<CheckJobs>];
export type ChecksQueue = Queue<CheckJobData, CheckResult | unknown, JobName<CheckJobs>>;

/** The BullMQ queues as the API sees them: producers for run-now, and depth for /metrics. */
export interface ServerQueues {
  checks: ChecksQueue;
  /** Every queue by name, for Bull Board and the queue-depth gauges. */
  all: ReadonlyMap<QueueName, Queue>;
  /**
   * Adds a job to the checks queue with its payload type tied to its name (STYLE habit 4).
   *
   * @param name - a job name of the checks queue
   * @param data - that job's payload
   */
  addCheckJob<N extends JobName<CheckJobs>>(name: N, data: CheckJobs[N]): Promise<Job<CheckJobData, CheckResult | unknown, JobName<CheckJobs>>>;
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

const EVENTS_READY_MS = 5_000;

/** Jobs started from the API are kept for an hour (a day when failed) so Redis stays bounded. */
const RETENTION = { removeOnComplete: { age: 3_600, count: 1_000 }, removeOnFail: { age: 86_400, count: 1_000 } };

/**
 * The queues, made here from core's names and the configured prefix rather than imported from
 * the workers package: roles do not import each other.
 */
async function queuesPlugin(fastify: FastifyInstance, options: { config: DatamonConfig }): Promise<void> {
  const { config } = options;
  const queueOptions = { connection: fastify.redis, prefix: config.redis.prefix };
  const checks: ChecksQueue = new Queue(QUEUE_NAMES.checks, queueOptions);
  const all = new Map<QueueName, Queue>([
    [QUEUE_NAMES.checks, checks as Queue],
    [QUEUE_NAMES.alerts, new Queue(QUEUE_NAMES.alerts, queueOptions)],
    [QUEUE_NAMES.notifications, new Queue(QUEUE_NAMES.notifications, queueOptions)],
  ]);
  for (const queue of all.values()) queue.on('error', (err) => fastify.log.warn({ err, queue: queue.name }, 'queue error'));

  let events: Promise<QueueEvents> | null = null;
  let eventsConnection: Redis | null = null;

  const queues: ServerQueues = {
    checks,
    all,
    addCheckJob: (name, data) => checks.add(name, data, RETENTION),
    checkEvents() {
      events ??= (async () => {
        eventsConnection = createRedisConnection(config.redis.url, { connectionName: 'datamon-api-events' });
        eventsConnection.on('error', (err) => fastify.log.warn({ err }, 'queue events connection error'));
        const queueEvents = new QueueEvents(QUEUE_NAMES.checks, { connection: eventsConnection, prefix: config.redis.prefix });
        queueEvents.on('error', (err) => fastify.log.warn({ err }, 'queue events error'));
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
          await closeRedis(eventsConnection);
          eventsConnection = null;
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
    if (eventsConnection) await closeRedis(eventsConnection);
    // The queues share the app's connection, which the redis plugin closes after this.
    await Promise.all([...all.values()].map((queue) => queue.close()));
  });
}

export default fp(queuesPlugin, { name: 'datamon-queues', fastify: '5.x', dependencies: ['datamon-redis'] });
