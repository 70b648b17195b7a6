import type { LogSink } from '@datamon/io';
import { redactUrl } from '@datamon/io';
import { isRedisUnavailable, type RedisClient } from '@datamon/store';

/** Repeats of one non-connection error message are logged at most this often. */
const REPEAT_ERROR_EVERY_MS = 60_000;

/**
 * Turns the `error` events of every Redis client, Queue, Worker and QueueEvents of a role into
 * a readable log: an unreachable Redis is ONE warning (every client emits an error per
 * reconnection attempt, which would flood the log while Redis is down), and one line again
 * when it answers. Other errors are logged, the same one at most once a minute. Nothing here
 * ever throws: an emitter with an `error` listener never crashes the process.
 */
export class ConnectionReport {
  private down = false;
  private readonly lastLogged = new Map<string, number>();
  private readonly recoverListeners: (() => void)[] = [];

  constructor(
    private readonly logger: LogSink,
    private readonly redisUrl: string,
  ) {}

  /** An `error` listener for one emitter, named in the log. */
  listener(source: string): (err: Error) => void {
    return (err) => this.error(source, err);
  }

  /** Watches a Redis client's own events: its `ready` is how "Redis answers again" is known. */
  watch(redis: RedisClient, source = 'redis'): void {
    redis.on('error', this.listener(source));
    redis.on('ready', () => this.ready());
  }

  /** True while Redis is known to be unreachable. */
  get unreachable(): boolean {
    return this.down;
  }

  error(source: string, err: Error): void {
    if (isRedisUnavailable(err)) {
      if (this.down) return;
      this.down = true;
      this.logger.warn(
        { redis: redactUrl(this.redisUrl), source, reason: err.message },
        'Redis is unreachable: retrying until it answers (jobs wait, nothing is lost)',
      );
      return;
    }
    const now = Date.now();
    const key = `${source}:${err.message}`;
    const last = this.lastLogged.get(key);
    if (last !== undefined && now - last < REPEAT_ERROR_EVERY_MS) return;
    this.lastLogged.set(key, now);
    this.logger.error({ err, source }, 'queue error');
  }

  ready(): void {
    if (!this.down) return;
    this.down = false;
    this.logger.info({ redis: redactUrl(this.redisUrl) }, 'Redis answers again: carrying on');
    for (const listener of this.recoverListeners) listener();
  }

  /** Calls `listener` each time Redis answers again after being unreachable. */
  onRecover(listener: () => void): void {
    this.recoverListeners.push(listener);
  }
}
