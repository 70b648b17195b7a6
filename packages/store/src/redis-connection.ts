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

/**
 * Closes a Redis connection: politely when it is up, at once when it is not. QUIT on a client
 * that is reconnecting waits behind its offline queue (a SUBSCRIBE made while Redis was away,
 * say), which with `maxRetriesPerRequest: null` is forever.
 */
export async function closeRedis(redis: Redis, timeoutMs = 2_000): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  const quit = redis.quit().then(
    () => true,
    () => true,
  );
  const quitInTime = await Promise.race([quit, new Promise<false>((resolve) => setTimeout(resolve, timeoutMs, false).unref())]);
  if (!quitInTime) redis.disconnect();
}

/** Error codes and messages that mean "Redis is not reachable right now", not "something is wrong". */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
const UNREACHABLE_MESSAGES = [/connection is closed/i, /connect ETIMEDOUT/i, /stream isn't writeable/i, /socket closed unexpectedly/i, /ECONNREFUSED/, /enableOfflineQueue/i];
const UNREACHABLE_NAMES = new Set(['MaxRetriesPerRequestError']);

/**
 * Whether an error means Redis cannot be reached (down, restarting, network): the one test every
 * role and the API use, to say so once instead of logging a failure per command.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (UNREACHABLE_NAMES.has(err.name)) return true;
  const code = (err as NodeJS.ErrnoException).code;
  if (code && UNREACHABLE_CODES.has(code)) return true;
  return UNREACHABLE_MESSAGES.some((pattern) => pattern.test(err.message));
}
