import type { DatamonConfig, Ping } from '@datamon/core';
import { SourceUnavailableError } from '@datamon/checks';
import { redactUrl } from '@datamon/io';
import { closeRedis, createRedisConnection, DatamonStore } from '@datamon/store';
import type { Redis } from 'ioredis';

/** How long a command waits for Redis before saying it is not reachable. */
export const REDIS_CONNECT_TIMEOUT_MS = 2_000;

/**
 * Redis, if it answers within {@link REDIS_CONNECT_TIMEOUT_MS}; throws the connection's error
 * otherwise (each command says what it needed Redis for). Once connected, a blip is waited out
 * like in the roles.
 */
export async function connectRedisQuickly(config: Pick<DatamonConfig, 'redis'>): Promise<Redis> {
  const redis = createRedisConnection(config.redis.url, { lazyConnect: true, connectTimeout: REDIS_CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  redis.options.maxRetriesPerRequest = null;
  redis.options.retryStrategy = (attempt) => Math.min(250 * 2 ** Math.min(attempt, 5), 5_000);
  return redis;
}

/**
 * Heartbeat pings for `datamon check`, which otherwise runs without Redis: connected on the first
 * heartbeat pipeline only, and that pipeline is CRITICAL saying why when Redis does not answer.
 */
export function lazyPingSource(config: Pick<DatamonConfig, 'redis' | 'monitoring'>): { recent(pipelineId: string, limit: number): Promise<Ping[]>; close(): Promise<void> } {
  let connecting: Promise<{ redis: Redis; store: DatamonStore }> | null = null;
  const connect = async () => {
    const redis = await connectRedisQuickly(config).catch((err: unknown) => {
      throw new SourceUnavailableError('redis', `pings are kept in Redis at ${redactUrl(config.redis.url)}, which is not reachable (${err instanceof Error ? err.message : String(err)})`);
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
