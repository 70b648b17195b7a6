import type { DatamonConfig } from '@datamon/core';
import { closeRedis, createRedisConnection, DatamonStore } from '@datamon/store';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';

declare module 'fastify' {
  interface FastifyInstance {
    /** The API's command connection (also the BullMQ producers' connection). */
    redis: Redis;
    store: DatamonStore;
  }
}

export interface RedisPluginOptions {
  config: DatamonConfig;
  /** A connection to use instead of opening one; its owner closes it. */
  redis?: Redis | undefined;
}

/**
 * Redis and the store. The API's own connection fails a command after a couple of retries
 * instead of queueing it forever (the workers' setting): a request while Redis is down should
 * answer 503 in about a second, not hang until the client gives up.
 */
async function redisPlugin(fastify: FastifyInstance, options: RedisPluginOptions): Promise<void> {
  const owned = !options.redis;
  const redis = options.redis ?? createRedisConnection(options.config.redis.url, { maxRetriesPerRequest: 2, connectionName: 'datamon-api' });
  if (owned) {
    // Without a listener ioredis prints every reconnect failure as an unhandled error event.
    redis.on('error', (err) => fastify.log.warn({ err }, 'Redis connection error'));
  }
  fastify.decorate('redis', redis);
  fastify.decorate('store', new DatamonStore(redis, { prefix: options.config.redis.prefix, historyDays: options.config.monitoring.history_days }));
  fastify.addHook('onClose', async () => {
    if (owned) await closeRedis(redis);
  });
}

export default fp(redisPlugin, { name: 'datamon-redis', fastify: '5.x' });
