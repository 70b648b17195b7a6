import { hostname } from 'node:os';
import {
  type BulkJobOptions,
  type DefaultJobOptions,
  type Job,
  type JobSchedulerTemplateOptions,
  type JobsOptions,
  Queue,
  QueueEvents,
  Worker,
  type WorkerOptions,
} from 'bullmq';
import {
  type AlertJobs,
  type CheckJobs,
  type CheckResult,
  type DatamonConfig,
  type JobName,
  type NotificationJobs,
  QUEUE_NAMES,
  type QueueName,
  type Status,
} from '@datamon/core';
import { closeRedis, createRedisConnection } from '@datamon/store';
import type { Redis } from 'ioredis';
import type { ConnectionReport } from './connection-report.ts';
import { type RuntimeSettings, runtimeSettings } from './settings.ts';

/**
 * The BullMQ edge shared by every process role: queue names and key prefix, typed producers,
 * the one set of worker options, and workers and event listeners that never crash on `error`.
 */

// ---------------------------------------------------------------------------------------------
// Job maps

/**
 * Jobs the check workers give each other: a large quick check is split into parts so that every
 * check-worker process takes a share of one round. Not part of core's public contract: only the
 * check worker produces and consumes them.
 */
export interface InternalCheckJobs {
  'quick-check-part': { scheduledFor: string; pipelineIds: string[] };
}

/** Everything that travels on the `checks` queue. */
export type ChecksQueueJobs = CheckJobs & InternalCheckJobs;

/** What a quick check (or one part of it) did. */
export interface QuickCheckSummary {
  scheduledFor: string;
  /** Pipelines checked by this job itself. */
  checked: number;
  /** Parts it was split into (0: it checked everything itself). */
  parts: number;
  /** Alert evaluations it enqueued. */
  evaluations: number;
}

/** What a check-in job did. */
export interface CheckinJobSummary {
  checkinRunId: string | null;
  overall: Status | null;
  late: boolean;
  /** Set when the run was skipped, saying why. */
  skipped?: string;
}

/** The return value of each `checks` job: `run-pipeline` returns the result itself (API `?wait=1`). */
export interface CheckJobResults {
  'quick-check': QuickCheckSummary;
  'quick-check-part': QuickCheckSummary;
  checkin: CheckinJobSummary;
  'run-pipeline': CheckResult;
}

/** Jobs of one name, typed from its map: `job.name` narrows `job.data`. */
export type JobOf<Jobs, Results, N extends JobName<Jobs>> = Job<Jobs[N], N extends keyof Results ? Results[N] : unknown, N>;

/** Any job of a map, as a union discriminated by `name`. */
export type AnyJobOf<Jobs, Results = Record<string, unknown>> = { [N in JobName<Jobs>]: JobOf<Jobs, Results, N> }[JobName<Jobs>];

/** One entry of `addBulk`: the name decides the payload type. */
export type BulkEntry<Jobs> = { [N in JobName<Jobs>]: { name: N; data: Jobs[N]; opts?: BulkJobOptions } }[JobName<Jobs>];

// ---------------------------------------------------------------------------------------------
// Options every process shares

/**
 * How long finished jobs are kept. Long enough that a deterministic job id added again within a
 * day (a retried producer) still finds its twin and is ignored; bounded so Redis does not grow.
 */
export const JOB_RETENTION = {
  removeOnComplete: { age: 24 * 3600, count: 5_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5_000 },
} as const satisfies Pick<DefaultJobOptions, 'removeOnComplete' | 'removeOnFail'>;

/**
 * Default options of every job datamon adds. Jobs are idempotent (results are stored once per
 * job, follow-up jobs have deterministic ids), so retrying an infrastructure failure is safe.
 */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions & JobSchedulerTemplateOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2_000 },
  ...JOB_RETENTION,
};

/**
 * The worker options every process uses. Stall detection is a contract between processes: a
 * job whose worker died is retried once its lock (`lockDuration`) has expired and another
 * worker's stalled check (`stalledInterval`) sees it, so all workers must agree on them.
 */
export function sharedWorkerOptions(settings: RuntimeSettings = runtimeSettings()): Pick<
  WorkerOptions,
  'lockDuration' | 'stalledInterval' | 'maxStalledCount' | 'removeOnComplete' | 'removeOnFail'
> {
  return {
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: settings.maxStalledCount,
    ...JOB_RETENTION,
  };
}

/** BullMQ's key prefix: every queue key lives under `redis.prefix` (`datamon:checks:wait`, ...). */
export function queuePrefix(config: Pick<DatamonConfig, 'redis'>): string {
  return config.redis.prefix;
}

// ---------------------------------------------------------------------------------------------
// Producers

/**
 * A typed producer over one BullMQ queue: `add('evaluate', data)` only compiles when `data` is
 * `AlertJobs['evaluate']`. `queue` is the raw BullMQ queue for everything else (counts, Bull
 * Board, `getJob`, schedulers).
 */
export class Producer<Jobs> {
  constructor(readonly queue: Queue<unknown, unknown, string>) {}

  get name(): string {
    return this.queue.name;
  }

  /** Adds one job; with `opts.jobId`, adding it again while it exists does nothing. */
  async add<N extends JobName<Jobs>>(name: N, data: Jobs[N], opts?: JobsOptions): Promise<Job<Jobs[N], unknown, N>> {
    return (await this.queue.add(name, data, opts)) as Job<Jobs[N], unknown, N>;
  }

  /** Adds many jobs in one round trip. */
  async addBulk(entries: BulkEntry<Jobs>[]): Promise<Job<unknown, unknown, string>[]> {
    if (entries.length === 0) return [];
    return this.queue.addBulk(entries);
  }

  /**
   * Creates or updates the job scheduler `schedulerId` (idempotent: upserting it again, from any
   * number of processes, leaves one). The template's `scheduledFor` is a placeholder: workers made
   * with {@link createRoleWorker} see the slot of each run instead (see {@link scheduledSlotOf}).
   */
  async upsertScheduler<N extends JobName<Jobs>>(
    schedulerId: string,
    repeat: { pattern: string; tz: string },
    template: { name: N; data: Jobs[N]; opts?: JobSchedulerTemplateOptions },
  ): Promise<void> {
    await this.queue.upsertJobScheduler(schedulerId, repeat, { opts: DEFAULT_JOB_OPTIONS, ...template });
  }
}

/** The three queues of SPEC's runtime, typed by core's job maps. */
export interface DatamonQueues {
  checks: Producer<CheckJobs>;
  alerts: Producer<AlertJobs>;
  notifications: Producer<NotificationJobs>;
  /** The Redis connection the queues share (closed by `close()` only if `createQueues` made it). */
  connection: Redis;
  /** Closes the queues, then the connection if it was made here. */
  close(): Promise<void>;
}

export interface QueueDeps {
  /** A connection to share (the caller closes it); by default one is made from `redis.url`. */
  connection?: Redis;
  /** Receives every queue's `error` events; without it they are ignored (never thrown). */
  report?: ConnectionReport;
}

/**
 * Opens the `checks`, `alerts` and `notifications` queues under `redis.prefix`. The API uses it
 * to enqueue `run-pipeline` and `checkin` jobs; every role uses it to produce.
 *
 * @param config - the effective config (`redis.url`, `redis.prefix`)
 * @param deps - a connection to share and where errors are reported
 */
export function createQueues(config: Pick<DatamonConfig, 'redis'>, deps: QueueDeps = {}): DatamonQueues {
  const owned = !deps.connection;
  const connection = deps.connection ?? createRedisConnection(config.redis.url);
  if (owned) connection.on('error', deps.report?.listener('redis') ?? ignore);
  const open = (name: QueueName) => {
    const queue = new Queue<unknown, unknown, string>(name, {
      connection,
      prefix: queuePrefix(config),
      defaultJobOptions: DEFAULT_JOB_OPTIONS,
    });
    queue.on('error', deps.report?.listener(`queue ${name}`) ?? ignore);
    return queue;
  };
  const checks = new Producer<CheckJobs>(open(QUEUE_NAMES.checks));
  const alerts = new Producer<AlertJobs>(open(QUEUE_NAMES.alerts));
  const notifications = new Producer<NotificationJobs>(open(QUEUE_NAMES.notifications));
  return {
    checks,
    alerts,
    notifications,
    connection,
    async close() {
      await Promise.allSettled([checks.queue.close(), alerts.queue.close(), notifications.queue.close()]);
      if (owned) await closeRedis(connection);
    },
  };
}

/**
 * A QueueEvents listener for one queue (what `job.waitUntilFinished` needs). It holds a blocking
 * connection of its own; `close()` also closes the connection it made.
 */
export function createQueueEvents(config: Pick<DatamonConfig, 'redis'>, name: QueueName, deps: QueueDeps = {}): QueueEvents {
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
// Workers

/** The instant a job was planned for: a scheduler's slot, else the payload's `scheduledFor`. */
export function scheduledSlotOf(job: Job<unknown, unknown, string>): string | null {
  if (job.repeatJobKey) {
    const fromOpts = job.opts.prevMillis;
    const millis = typeof fromOpts === 'number' ? fromOpts : Number(job.id?.split(':').pop());
    if (Number.isFinite(millis) && millis > 0) return new Date(millis).toISOString();
  }
  const data = job.data as { scheduledFor?: unknown } | null;
  return typeof data?.scheduledFor === 'string' && data.scheduledFor !== '' ? data.scheduledFor : null;
}

export interface RoleWorkerOptions {
  connection: Redis;
  config: Pick<DatamonConfig, 'redis'>;
  concurrency: number;
  settings?: RuntimeSettings;
  report?: ConnectionReport;
  /** Shown as `processedBy` on each job (Bull Board); the host and pid by default. */
  workerName?: string;
  /** At most this many jobs per duration (the delivery worker keeps Chat under a message a second). */
  limiter?: WorkerOptions['limiter'];
  /** Backoff for jobs whose `backoff.type` is custom (deliveries honour Retry-After). */
  backoffStrategy?: NonNullable<WorkerOptions['settings']>['backoffStrategy'];
}

/**
 * A BullMQ worker for one queue with the shared options, an `error` listener, and scheduler-made
 * jobs' `scheduledFor` filled in with the slot they were made for (a scheduler's job template is
 * the same for every run, so the payload cannot carry it).
 *
 * @param name - the queue
 * @param processor - handles one job; `job.name` narrows `job.data` to its payload type
 */
export function createRoleWorker<Jobs, Results>(
  name: QueueName,
  processor: (job: AnyJobOf<Jobs, Results>) => Promise<Results[keyof Results]>,
  options: RoleWorkerOptions,
): Worker<unknown, unknown, string> {
  const worker = new Worker<unknown, unknown, string>(
    name,
    async (job) => {
      const slot = scheduledSlotOf(job);
      if (job.repeatJobKey && slot && isRecord(job.data) && 'scheduledFor' in job.data) job.data.scheduledFor = slot;
      // The queue's payloads were typed when they were added (Producer); this is their way back.
      return processor(job as unknown as AnyJobOf<Jobs, Results>);
    },
    {
      connection: options.connection,
      prefix: queuePrefix(options.config),
      concurrency: options.concurrency,
      name: options.workerName ?? `${hostname()}:${process.pid}`,
      ...sharedWorkerOptions(options.settings),
      ...(options.limiter ? { limiter: options.limiter } : {}),
      ...(options.backoffStrategy ? { settings: { backoffStrategy: options.backoffStrategy } } : {}),
    },
  );
  worker.on('error', options.report?.listener(`worker ${name}`) ?? ignore);
  return worker;
}

// ---------------------------------------------------------------------------------------------
// Helpers

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function ignore(): void {}
