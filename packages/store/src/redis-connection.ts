import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection as every datamon process makes it. `maxRetriesPerRequest: null` is what
 * BullMQ workers need, and it makes a restarted Redis a pause rather than a crash: commands
 * wait in the offline queue and the client reconnects with capped backoff.
 */
export function createRedisConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (attempt) => Math.min(250 * 2 ** Math.min(attempt, 5), 5_000),
    ...options,
  });
}
