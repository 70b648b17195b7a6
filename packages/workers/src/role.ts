import type { DatamonConfig } from '@datamon/core';
import type { Logger } from '@datamon/io';
import { ConnectionReport, createQueues, type DatamonQueues, sleep, startHeartbeat } from '@datamon/jobs';
import { closeRedis, createRedisConnection, DatamonStore, describeRedis, type RedisClient } from '@datamon/store';
import type { Worker } from 'bullmq';

/** A running process role (`datamon start --role ...`). */
export interface RoleHandle {
  name: string;
  /** Stops taking work, lets running work finish (bounded), and closes every connection. */
  close(): Promise<void>;
}

/** What every role is started with. */
export interface RoleDeps {
  config: DatamonConfig;
  logger: Logger;
  /** The clock (tests pin it); `new Date()` by default. */
  now?: () => Date;
}

/**
 * Starts one role. It must return promptly even when Redis is down (the role keeps retrying in
 * the background and says so once), so that a stop signal can always reach its handle.
 */
export type RoleStarter<Handle extends RoleHandle = RoleHandle, Deps extends RoleDeps = RoleDeps> = (deps: Deps) => Promise<Handle>;

/**
 * The plumbing a role shares: one Redis connection (its queues share it; workers duplicate it for
 * their blocking reads), one connection report, the store, the queues, the role's heartbeat (the
 * watchman's "is it alive?"), and a stack of things to close, closed last-opened-first so nothing
 * is used after it has been closed.
 */
export class RoleRuntime {
  readonly redis: RedisClient;
  readonly report: ConnectionReport;
  readonly store: DatamonStore;
  readonly queues: DatamonQueues;
  private readonly closers: { what: string; close: () => Promise<void> }[] = [];
  private closing: Promise<void> | null = null;

  constructor(
    readonly config: DatamonConfig,
    readonly logger: Logger,
    /** The role's name in its heartbeat (`scheduler`, `checks`, `alerts`). */
    readonly role: string,
    now: () => Date = () => new Date(),
  ) {
    this.redis = createRedisConnection(config.redis);
    this.report = new ConnectionReport(logger, describeRedis(config.redis));
    this.report.watch(this.redis);
    this.store = new DatamonStore(this.redis, { prefix: config.redis.prefix, historyDays: config.monitoring.history_days });
    this.onClose('redis connection', () => closeRedis(this.redis));
    this.queues = createQueues(config, { connection: this.redis, report: this.report });
    this.onClose('queues', () => this.queues.close());
    this.onClose('heartbeat', startHeartbeat(this.store, role, logger, now));
  }

  /** Registers something to close; what is registered last is closed first. */
  onClose(what: string, close: () => Promise<void>): void {
    this.closers.push({ what, close });
  }

  /**
   * Registers a BullMQ worker to close: it stops taking jobs and lets running ones finish for up
   * to `graceMs`. With Redis unreachable nothing can finish, so it does not wait. Past the grace
   * period its connections are cut: the jobs still running are left to another worker (their
   * lock expires and they run again, stored once by job id).
   */
  onCloseWorker(what: string, worker: Worker<unknown, unknown, string>, graceMs: number): void {
    this.onClose(what, async () => {
      const closing = worker.close(this.report.unreachable);
      const finished = await Promise.race([closing.then(() => true), sleep(graceMs).then(() => false)]);
      if (!finished) {
        this.logger.warn({ worker: what, graceMs }, 'jobs still running at the end of the grace period; another worker will take them over');
        await worker.disconnect().catch(() => undefined);
        await Promise.race([closing.catch(() => undefined), sleep(1_000)]);
      }
    });
  }

  /** Resolves once every given worker is connected and taking jobs (never rejects). */
  static ready(...workers: Worker<unknown, unknown, string>[]): Promise<void> {
    return Promise.all(workers.map((worker) => worker.waitUntilReady())).then(
      () => undefined,
      () => undefined,
    );
  }

  /** Closes everything once (later calls wait for the first), logging what fails. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const closer of [...this.closers].reverse()) {
        try {
          await closer.close();
        } catch (err) {
          this.logger.warn({ err, what: closer.what }, 'could not close cleanly');
        }
      }
    })();
    return this.closing;
  }
}
