import type { DatamonConfig, Ping } from '@datamon/core';
import { SourceUnavailableError } from '@datamon/checks';
import { closeRedis, createRedisConnection, DatamonStore, describeRedis, reconnectBackoff, type RedisClient } from '@datamon/store';
import { Cluster } from 'ioredis';

/** How long a command waits for Redis before saying it is not reachable. */
export const REDIS_CONNECT_TIMEOUT_MS = 2_000;

/**
 * Redis, if it answers within {@link REDIS_CONNECT_TIMEOUT_MS}; throws the connection's error
 * otherwise (each command says what it needed Redis for). Once connected, a blip is waited out
 * like in the roles.
 */
export async function connectRedisQuickly(config: Pick<DatamonConfig, 'redis'>): Promise<RedisClient> {
  const redis = createRedisConnection(config.redis, { lazyConnect: true, connectTimeout: REDIS_CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  keepRetrying(redis);
  return redis;
}

/** From now on a blip is waited out: commands wait, the connection (each node's, on a cluster) comes back. */
function keepRetrying(redis: RedisClient): void {
  if (redis instanceof Cluster) {
    redis.options.clusterRetryStrategy = reconnectBackoff;
    if (redis.options.redisOptions) redis.options.redisOptions.maxRetriesPerRequest = null;
    for (const node of redis.nodes()) node.options.maxRetriesPerRequest = null;
    return;
  }
  redis.options.maxRetriesPerRequest = null;
  redis.options.retryStrategy = reconnectBackoff;
  if (redis.options.sentinels) redis.options.sentinelRetryStrategy = reconnectBackoff;
}

/**
 * Heartbeat pings for `datamon check`, which otherwise runs without Redis: connected on the first
 * heartbeat pipeline only, and that pipeline is CRITICAL saying why when Redis does not answer.
 */
export function lazyPingSource(config: Pick<DatamonConfig, 'redis' | 'monitoring'>): { recent(pipelineId: string, limit: number): Promise<Ping[]>; close(): Promise<void> } {
  let connecting: Promise<{ redis: RedisClient; store: DatamonStore }> | null = null;
  const connect = async () => {
    const redis = await connectRedisQuickly(config).catch((err: unknown) => {
      throw new SourceUnavailableError('redis', `pings are kept in Redis at ${describeRedis(config.redis)}, which is not reachable (${err instanceof Error ? err.message : String(err)})`);
    });
    return { redis, store: new DatamonStore(redis, { prefix: config.redis.prefix, historyDays: config.monitoring.history_days }) };
  };
  return {
    async recent(pipelineId, limit) {
      connecting ??= connect();
      const { store } = await connecting;
      return store.pings.recent(pipelineId, limit);
    },
    async close() {
      const opened = await connecting?.catch(() => null);
      if (opened) await closeRedis(opened.redis);
    },
  };
}
