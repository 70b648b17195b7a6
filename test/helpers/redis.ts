import { randomUUID } from 'node:crypto';
import { createRedisConnection, DatamonStore } from '@datamon/store';

export const TEST_REDIS_URL = process.env.DATAMON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A store under a prefix of its own; `cleanup` deletes every key under it and disconnects. */
export function testStore(options: { historyDays?: number } = {}) {
  const prefix = `test-${randomUUID()}`;
  const redis = createRedisConnection(TEST_REDIS_URL);
  const store = new DatamonStore(redis, { prefix, historyDays: options.historyDays ?? 90 });
  return {
    prefix,
    redis,
    store,
    async cleanup() {
      await store.clear();
      redis.disconnect();
    },
  };
}
