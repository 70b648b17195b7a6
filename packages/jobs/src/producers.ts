import { type BulkJobOptions, type Job, type JobSchedulerTemplateOptions, type JobsOptions, Queue, QueueEvents } from 'bullmq';
import type { DatamonConfig } from '@datamon/core';
import { closeRedis, createRedisConnection } from '@datamon/store';
import type { Redis } from 'ioredis';
import type { ConnectionReport } from './connection-report.ts';
import { type AlertsJobs, type ChecksJobs, type DataOf, type Delivery, type DeliveryJobs, type JobName, QUEUE_NAMES, type QueueKey, type QueueName } from './contracts.ts';
import { jobIds } from './ids.ts';
import { DEFAULT_JOB_OPTIONS, DELIVERY_JOB_OPTIONS } from './options.ts';

/**
 * The producing side of every queue: typed producers over BullMQ queues with the shared default
 * options, and the one function per kind of job that people start (run a pipeline, run a
 * check-in) or that the alert rule decides (deliver a message). The API, the CLI and the roles
 * all enqueue through here.
 */

/** One entry of `addBulk`: the name decides the payload type. */
export type BulkEntry<Jobs> = { [N in JobName<Jobs>]: { name: N; data: DataOf<Jobs, N>; opts?: BulkJobOptions } }[JobName<Jobs>];

/**
 * A typed producer over one BullMQ queue: `add('evaluate', data)` only compiles when `data` is
 * the `evaluate` job's payload. `queue` is the raw BullMQ queue for everything else (counts,
 * Bull Board, `getJob`, schedulers).
 */
export class Producer<Jobs> {
  constructor(readonly queue: Queue<unknown, unknown, string>) {}

  get name(): string {
    return this.queue.name;
  }

  /** Adds one job; with `opts.jobId`, adding it again while it exists does nothing. */
  async add<N extends JobName<Jobs>>(name: N, data: DataOf<Jobs, N>, opts?: JobsOptions): Promise<Job<DataOf<Jobs, N>, unknown, N>> {
    return (await this.queue.add(name, data, opts)) as Job<DataOf<Jobs, N>, unknown, N>;
  }

  /** Adds many jobs in one round trip. */
  async addBulk(entries: BulkEntry<Jobs>[]): Promise<Job<unknown, unknown, string>[]> {
    if (entries.length === 0) return [];
    return this.queue.addBulk(entries);
  }

  /**
   * Creates or updates the job scheduler `schedulerId` (idempotent: upserting it again, from any
   * number of processes, leaves one). A template's `scheduledFor` is a placeholder: the processor
   * sees the slot of each run (`scheduledSlotOf`).
   */
  async upsertScheduler<N extends JobName<Jobs>>(
    schedulerId: string,
    repeat: { pattern: string; tz: string },
    template: { name: N; data: DataOf<Jobs, N>; opts?: JobSchedulerTemplateOptions },
  ): Promise<void> {
    await this.queue.upsertJobScheduler(schedulerId, repeat, { opts: DEFAULT_JOB_OPTIONS, ...template });
  }
}

/** Every queue of the runtime, typed by its job map. */
export interface DatamonQueues {
  checks: Producer<ChecksJobs>;
  alerts: Producer<AlertsJobs>;
  /** Chat deliveries (about one a second, bursts merged). */
  chat: Producer<DeliveryJobs>;
  email: Producer<DeliveryJobs>;
  /** Every queue by its BullMQ name (Bull Board, queue-depth gauges, clean-up). */
  all: ReadonlyMap<QueueName, Queue<unknown, unknown, string>>;
  /** The Redis connection the queues share (closed by `close()` only if `createQueues` made it). */
  connection: Redis;
  /** Deletes every job and scheduler of every queue (tests, `demo` reset). */
  obliterate(): Promise<void>;
  /** Closes the queues, then the connection if it was made here. */
  close(): Promise<void>;
}

export interface QueueDeps {
  /** A connection to share (the caller closes it); by default one is made from `redis.url`. */
  connection?: Redis;
  /** Receives every queue's `error` events; without it they are ignored (never thrown). */
  report?: ConnectionReport;
}

/** BullMQ's key prefix: every queue key lives under `redis.prefix` (`datamon:checks:wait`, ...). */
export function queuePrefix(config: Pick<DatamonConfig, 'redis'>): string {
  return config.redis.prefix;
}

/**
 * Opens every queue under `redis.prefix`, each with the shared default job options.
 *
 * @param config - the effective config (`redis.url`, `redis.prefix`)
 * @param deps - a connection to share and where errors are reported
 */
export function createQueues(config: Pick<DatamonConfig, 'redis'>, deps: QueueDeps = {}): DatamonQueues {
  const owned = !deps.connection;
  const connection = deps.connection ?? createRedisConnection(config.redis.url);
  if (owned) connection.on('error', deps.report?.listener('redis') ?? ignore);
  const all = new Map<QueueName, Queue<unknown, unknown, string>>();
  const open = (key: QueueKey) => {
    const name = QUEUE_NAMES[key];
    const queue = new Queue<unknown, unknown, string>(name, { connection, prefix: queuePrefix(config), defaultJobOptions: DEFAULT_JOB_OPTIONS });
    queue.on('error', deps.report?.listener(`queue ${name}`) ?? ignore);
    all.set(name, queue);
    return queue;
  };
  const queues = {
    checks: new Producer<ChecksJobs>(open('checks')),
    alerts: new Producer<AlertsJobs>(open('alerts')),
    chat: new Producer<DeliveryJobs>(open('chat')),
    email: new Producer<DeliveryJobs>(open('email')),
  };
  return {
    ...queues,
    all,
    connection,
    async obliterate() {
      for (const queue of all.values()) await queue.obliterate({ force: true });
    },
    async close() {
      await Promise.allSettled([...all.values()].map((queue) => queue.close()));
      if (owned) await closeRedis(connection);
    },
  };
}

/**
 * A QueueEvents listener for one queue (what `job.waitUntilFinished` needs). It holds a blocking
 * connection of its own; `close()` also closes the connection it made.
 */
export function createQueueEvents(config: Pick<DatamonConfig, 'redis'>, key: QueueKey, deps: QueueDeps = {}): QueueEvents {
  const name = QUEUE_NAMES[key];
  const connection = deps.connection ?? createRedisConnection(config.redis.url);
  if (!deps.connection) connection.on('error', deps.report?.listener('redis') ?? ignore);
  const events = new QueueEvents(name, { connection, prefix: queuePrefix(config) });
  events.on('error', deps.report?.listener(`queue-events ${name}`) ?? ignore);
  if (!deps.connection) {
    // BullMQ leaves a connection it was given open (it may be shared); this one is ours alone.
    const closeEvents = events.close.bind(events);
    events.close = async () => {
      await closeEvents();
      await closeRedis(connection);
    };
  }
  return events;
}

// ---------------------------------------------------------------------------------------------
// What people start, and what the incident rule decides: one function each.

/** A job asked for by a person, and whether it was already there (nothing new was added). */
export interface Requested<J> {
  job: J;
  deduplicated: boolean;
}

/**
 * Checks one pipeline now (the dashboard's "Run now", `POST /api/pipelines/:id/run`). While a
 * run of the pipeline is queued or running, asking again gets that run: two thousand requests
 * are one check, not two thousand warehouse queries.
 */
export async function enqueueRunPipeline(queues: Pick<DatamonQueues, 'checks'>, pipelineId: string, requestedBy: string, now: Date) {
  const requestedAt = now.toISOString();
  const jobId = jobIds.runPipeline(pipelineId);
  const job = await queues.checks.add('run-pipeline', { pipelineId, requestedAt, requestedBy }, { jobId, deduplication: { id: `run-pipeline|${pipelineId}` } });
  return { job, deduplicated: job.id !== jobId };
}

/** Checks of one heartbeat that pings start are at least this far apart: a burst of pings is judged about once a second. */
export const PING_CHECK_SPACING_MS = 1_000;

/**
 * Checks a heartbeat pipeline because a ping arrived (README "Heartbeats"): at once, or, when its
 * last check started less than {@link PING_CHECK_SPACING_MS} ago, that long after it. Never shared
 * with a run already running, which may have read the pings before this one was stored (the
 * store's claim says whether one is queued and not started, which this ping joins).
 *
 * @param lastCheckStartedAt - from `store.pings.record`
 */
export async function enqueuePingCheck(queues: Pick<DatamonQueues, 'checks'>, pipelineId: string, now: Date, lastCheckStartedAt: string | null = null) {
  const since = lastCheckStartedAt === null ? Number.POSITIVE_INFINITY : now.getTime() - Date.parse(lastCheckStartedAt);
  const delay = since >= PING_CHECK_SPACING_MS ? 0 : PING_CHECK_SPACING_MS - Math.max(0, since);
  return queues.checks.add('run-pipeline', { pipelineId, requestedAt: now.toISOString(), requestedBy: 'ping' }, { jobId: jobIds.runPipeline(pipelineId), ...(delay > 0 ? { delay } : {}) });
}

/**
 * Runs a check-in now, by hand (`POST /api/checkins/:id/run`, `datamon checkin run`). At most one
 * run per check-in and minute, and none while one is queued or running: asking again gets that
 * run, so its card and email go once however often the button is pressed.
 */
export async function enqueueManualCheckin(queues: Pick<DatamonQueues, 'checks'>, checkinId: string, requestedBy: string, now: Date) {
  const scheduledFor = now.toISOString();
  const jobId = jobIds.manualCheckin(checkinId, now);
  const earlier = await queues.checks.queue.getJob(jobId);
  if (earlier) return { job: earlier, deduplicated: true };
  const job = await queues.checks.add('checkin', { checkinId, scheduledFor, late: false, manual: true, requestedBy }, { jobId, deduplication: { id: `checkin-manual|${checkinId}` } });
  return { job, deduplicated: job.id !== jobId };
}

/**
 * Enqueues each delivery on its channel's queue, once: the job id is the notification's, so a
 * decision replayed after a crash adds nothing twice.
 *
 * @returns how many deliveries were handed over
 */
export async function enqueueDeliveries(queues: Pick<DatamonQueues, 'chat' | 'email'>, deliveries: readonly Delivery[]): Promise<number> {
  const entries = (channel: 'chat' | 'email'): BulkEntry<DeliveryJobs>[] =>
    deliveries
      .filter((delivery) => delivery.channel === channel)
      .map((data) => ({ name: 'deliver', data, opts: { jobId: jobIds.delivery(data.notificationId), ...DELIVERY_JOB_OPTIONS } }));
  await Promise.all([queues.chat.addBulk(entries('chat')), queues.email.addBulk(entries('email'))]);
  return deliveries.length;
}

function ignore(): void {}
