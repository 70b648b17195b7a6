import type { DatamonConfig } from '@datamon/core';
import type { Logger } from '@datamon/io';
import { ConnectionReport, createQueues, type DatamonQueues, sleep, startHeartbeat } from '@datamon/jobs';
import {
  closeRedis,
  createRedisConnection,
  DatamonStore,
  describeRedis,
  describeStateVersion,
  ensureStateVersion,
  isRedisUnavailable,
  type RedisClient,
  StateVersionError,
  type StateVersionOutcome,
  watchStateVersion,
} from '@datamon/store';
import type { Worker } from 'bullmq';

/** A running process role (`datamon start --role ...`). */
export interface RoleHandle {
  name: string;
  /**
   * Resolves once Redis holds a state layout this build works on (stamped or upgraded at start
   * when needed; it waits for Redis). Rejects with a StateVersionError when Redis holds a newer
   * one: the role then takes no work, and whoever started it stops it (`datamon start` exits 3).
   */
  readonly stateVersion: Promise<StateVersionOutcome>;
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
 * their blocking reads), one connection report, the store, the queues, the state version check
 * (README "Versions and upgrades"), the role's heartbeat (the watchman's "is it alive?"), and a
 * stack of things to close, closed last-opened-first so nothing is used after it has been closed.
 */
export class RoleRuntime {
  readonly redis: RedisClient;
  readonly report: ConnectionReport;
  readonly store: DatamonStore;
  readonly queues: DatamonQueues;
  /** The state version check, begun at construction (see RoleHandle.stateVersion). */
  readonly stateVersion: Promise<StateVersionOutcome>;
  private accepted = false;
  private readonly stopping = new AbortController();
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
    this.stateVersion = this.checkStateVersion();
    // A role says it is alive only once it may work: a refused one must not look like a live one.
    let stopHeartbeat: (() => Promise<void>) | null = null;
    this.onClose('heartbeat', async () => stopHeartbeat?.());
    this.stateVersion.then(
      () => {
        if (this.closing === null) stopHeartbeat = startHeartbeat(this.store, role, logger, now);
      },
      () => undefined,
    );
    // Redis back without its data (no persistence): stamp it again, so the next release to start
    // there knows what it holds.
    this.report.onRecover(() => {
      if (this.accepted && this.closing === null) void this.restamp();
    });
  }

  private async restamp(): Promise<void> {
    try {
      const outcome = await ensureStateVersion(this.store);
      if (outcome.outcome !== 'current') this.logger.info({ stateVersion: outcome.version, from: outcome.from }, describeStateVersion(outcome));
    } catch (err) {
      if (err instanceof StateVersionError) this.logger.error({ stored: err.stored, known: err.known }, `stop this process: ${err.message}`);
      else if (!isRedisUnavailable(err)) this.logger.warn({ err }, 'could not check the state version in Redis again');
    }
  }

  /** True once the state version check passed: until then (and after a refusal) the role takes no work. */
  get stateAccepted(): boolean {
    return this.accepted;
  }

  /**
   * `work` (a job processor, a reconcile) made to wait for the state version check, so nothing is
   * read or written under a layout this build does not know; after a refusal it rejects with the
   * StateVersionError.
   */
  gated<Args extends unknown[], Result>(work: (...args: Args) => Promise<Result>): (...args: Args) => Promise<Result> {
    return async (...args) => {
      await this.stateVersion;
      return work(...args);
    };
  }

  private checkStateVersion(): Promise<StateVersionOutcome> {
    const checking = watchStateVersion(this.store, {
      signal: this.stopping.signal,
      onRetry: (err) => {
        if (!isRedisUnavailable(err) && !this.report.unreachable) this.logger.warn({ err }, 'could not read the state version in Redis; retrying');
      },
    });
    checking.then(
      (outcome) => {
        this.accepted = true;
        this.logger[outcome.outcome === 'current' ? 'debug' : 'info']({ stateVersion: outcome.version, from: outcome.from }, describeStateVersion(outcome));
      },
      (err: unknown) => {
        if (err instanceof StateVersionError) this.logger.error({ stored: err.stored, known: err.known }, `refusing to start: ${err.message}`);
      },
    );
    return checking;
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
      this.stopping.abort();
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
