import type { DatamonConfig } from '@datamon/core';
import { ConnectionReport, startHeartbeat } from '@datamon/jobs';
import { closeRedis, createRedisConnection, DatamonStore, describeRedis, type RedisClient } from '@datamon/store';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { sendError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The API's command connection (also the BullMQ producers' connection). */
    redis: RedisClient;
    store: DatamonStore;
    /** Says once that Redis is unreachable and once that it is back, like every role. */
    redisReport: ConnectionReport;
    /** When this API process started (the watchman counts a role never heard of from here). */
    startedAt: Date;
  }
}

export interface RedisPluginOptions {
  config: DatamonConfig;
  /** A connection to use instead of opening one; its owner closes it. */
  redis?: RedisClient | undefined;
  /** The clock (tests pin it). */
  now: () => Date;
}

/**
 * Redis and the store. The API's own connection does not queue commands while Redis is away (the
 * workers do): a request then fails at once and answers 503, instead of waiting out reconnection
 * attempts; BullMQ recommends the same for producers. Start-up waits briefly for the connection,
 * so the first requests find it ready.
 */
async function redisPlugin(fastify: FastifyInstance, options: RedisPluginOptions): Promise<void> {
  const owned = !options.redis;
  const redis = options.redis ?? createRedisConnection(options.config.redis, API_CONNECTION);
  const report = new ConnectionReport(fastify.log, describeRedis(options.config.redis));
  // One line when Redis goes, one when it is back: never a stack trace per reconnect attempt.
  if (owned) report.watch(redis);
  const store = new DatamonStore(redis, { prefix: options.config.redis.prefix, historyDays: options.config.monitoring.history_days });
  fastify.decorate<RedisClient>('redis', redis);
  fastify.decorate('store', store);
  fastify.decorate('redisReport', report);
  fastify.decorate('startedAt', options.now());
  if (owned && redis.status !== 'ready') await readyWithin(redis, READY_WAIT_MS);
  const stopHeartbeat = owned ? startHeartbeat(store, 'api', fastify.log, options.now) : async () => undefined;
  // Redis away: whatever needs it answers 503 at once, saying so, rather than each route finding
  // out in its own time (a wait for a check, a lock, a queue).
  // A callback hook: it runs on every request (an async one costs a promise each).
  fastify.addHook('onRequest', (request, reply, done) => {
    if (redis.status === 'ready' || !NEEDS_REDIS.test(request.url)) {
      done();
      return;
    }
    sendError(reply, 503, 'Redis is not reachable; the API answers again as soon as it is (see /readyz)');
  });
  fastify.addHook('onClose', async () => {
    await stopHeartbeat();
    if (owned) await closeRedis(redis);
  });
}

/**
 * The API's connection options. Auto-pipelining triples the pings taken a second
 * (`bench/pings.bench.ts`), but each pipeline copies every script defined on the connection
 * (BullMQ's and the store's, about 70) into itself: for the lone GET behind `GET /api/status`
 * that cost a third of the request's CPU (`bench/api.bench.ts`), so plain GETs are sent directly.
 */
const API_CONNECTION = {
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  connectionName: 'datamon-api',
  enableAutoPipelining: true,
  autoPipeliningIgnoredCommands: ['get'],
};

/** Routes that read or write Redis (the page, its files, /api/meta, the live stream, which reconnects by itself, and the health routes do not). */
const NEEDS_REDIS = /^\/(api\/(?!meta\b|events\b)|metrics\b|admin\/queues\/api\/|ping\/)/;

/** How long start-up waits for Redis (with it down the API starts anyway, and answers 503). */
const READY_WAIT_MS = 2_000;

function readyWithin(redis: RedisClient, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
  });
}

export default fp(redisPlugin, { name: 'datamon-redis', fastify: '5.x' });
