import { type BulkJobOptions, type Job, type JobSchedulerTemplateOptions, type JobsOptions, Queue, QueueEvents } from 'bullmq';
import { closeRedis, createRedisConnection, effectivePrefix, type RedisClient, type RedisSettings } from '@datamon/store';
import type { ConnectionReport } from './connection-report.ts';
import {
  type AlertsJobs,
  type ChecksJobs,
  type DataOf,
  type Delivery,
  type DeliveryJobs,
  type JobName,
  QUEUE_NAMES,
  type QueueKey,
  type QueueName,
  type RecoveryJobs,
  type TicketsJobs,
} from './contracts.ts';
import { jobIds } from './ids.ts';
import { DEFAULT_JOB_OPTIONS, DELIVERY_JOB_OPTIONS, RECOVERY_JOB_OPTIONS } from './options.ts';
import type { TicketDue } from '@datamon/core';

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
  /** Ticket events (retried like Chat). */
  tickets: Producer<TicketsJobs>;
  /** Recovery actions (one at a time per pipeline). */
  recovery: Producer<RecoveryJobs>;
  /** Every queue by its BullMQ name (Bull Board, queue-depth gauges, clean-up). */
  all: ReadonlyMap<QueueName, Queue<unknown, unknown, string>>;
  /** The Redis connection the queues share (closed by `close()` only if `createQueues` made it). */
  connection: RedisClient;
  /** Deletes every job and scheduler of every queue (tests, `demo` reset). */
  obliterate(): Promise<void>;
  /** Closes the queues, then the connection if it was made here. */
  close(): Promise<void>;
}

export interface QueueDeps {
  /** A connection to share (the caller closes it); by default one is made from the `redis` settings. */
  connection?: RedisClient;
  /** Receives every queue's `error` events; without it they are ignored (never thrown). */
  report?: ConnectionReport;
}

/**
 * BullMQ's key prefix: every queue key lives under the store's prefix (`datamon:checks:wait`,
 * and `{datamon}:checks:wait` on a cluster, in the store's slot): `effectivePrefix`.
 *
 * @param connection - the queue's connection (a cluster connection hash-tags the prefix)
 */
export function queuePrefix(config: { redis: Pick<RedisSettings, 'prefix' | 'cluster'> }, connection?: RedisClient): string {
  return effectivePrefix(config.redis, connection);
}

/**
 * Opens every queue under the prefix (`queuePrefix`), each with the shared default job options.
 *
 * @param config - the effective config's `redis` section (where Redis is, `redis.prefix`)
 * @param deps - a connection to share and where errors are reported
 */
export function createQueues(config: { redis: RedisSettings }, deps: QueueDeps = {}): DatamonQueues {
  const owned = !deps.connection;
  const connection = deps.connection ?? createRedisConnection(config.redis);
  if (owned) connection.on('error', deps.report?.listener('redis') ?? ignore);
  const all = new Map<QueueName, Queue<unknown, unknown, string>>();
  const open = (key: QueueKey) => {
    const name = QUEUE_NAMES[key];
    const queue = new Queue<unknown, unknown, string>(name, { connection, prefix: queuePrefix(config, connection), defaultJobOptions: DEFAULT_JOB_OPTIONS });
    queue.on('error', deps.report?.listener(`queue ${name}`) ?? ignore);
    all.set(name, queue);
    return queue;
  };
  const queues = {
    checks: new Producer<ChecksJobs>(open('checks')),
    alerts: new Producer<AlertsJobs>(open('alerts')),
    chat: new Producer<DeliveryJobs>(open('chat')),
    email: new Producer<DeliveryJobs>(open('email')),
    tickets: new Producer<TicketsJobs>(open('tickets')),
    recovery: new Producer<RecoveryJobs>(open('recovery')),
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
export function createQueueEvents(config: { redis: RedisSettings }, key: QueueKey, deps: QueueDeps = {}): QueueEvents {
  const name = QUEUE_NAMES[key];
  const connection = deps.connection ?? createRedisConnection(config.redis);
  if (!deps.connection) connection.on('error', deps.report?.listener('redis') ?? ignore);
  const events = new QueueEvents(name, { connection, prefix: queuePrefix(config, connection) });
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

/**
 * Enqueues the ticket events an incident decision owes, once each: the job id is the event's
 * delivery id (the webhook's `X-Datamon-Delivery`), so a replayed decision adds nothing twice.
 */
export async function enqueueTicketEvents(queues: Pick<DatamonQueues, 'tickets'>, incident: { id: string; pipelineId: string }, due: readonly TicketDue[]): Promise<void> {
  await queues.tickets.addBulk(
    due.map((entry) => ({
      name: 'ticket' as const,
      data: { incidentId: incident.id, pipelineId: incident.pipelineId, event: entry.event, deliveryId: entry.deliveryId, by: entry.by },
      opts: { jobId: jobIds.ticket(entry.deliveryId), ...DELIVERY_JOB_OPTIONS },
    })),
  );
}

/**
 * Runs an incident's recovery action: `trigger` names the run (`critical-<ms>`, `recheck-2`, or
 * `manual-<ms>`), so one decision replayed adds it once. The job itself counts attempts and
 * takes the pipeline's run lock. A manual run while another is queued or running for the
 * incident is not added: `deduplicated` says so (the API answers 409).
 */
export async function enqueueRecovery(queues: Pick<DatamonQueues, 'recovery'>, data: DataOf<RecoveryJobs, 'recover'>, trigger: string) {
  const jobId = jobIds.recover(data.incidentId, trigger);
  const job = await queues.recovery.add('recover', data, {
    jobId,
    ...RECOVERY_JOB_OPTIONS,
    ...(data.manual ? { deduplication: { id: `recover-manual|${data.incidentId}` } } : {}),
  });
  return { job, deduplicated: job.id !== jobId };
}

/** The re-check of a pipeline after its recovery action ran (`attempt`: which run it follows). */
export async function enqueueRecoveryRecheck(queues: Pick<DatamonQueues, 'checks'>, incident: { id: string; pipelineId: string }, attempt: number, delayMs: number, now: Date) {
  return queues.checks.add(
    'run-pipeline',
    { pipelineId: incident.pipelineId, requestedAt: now.toISOString(), requestedBy: 'recovery', recoveryOf: incident.id },
    { jobId: jobIds.recoveryRecheck(incident.id, attempt), delay: Math.max(0, delayMs) },
  );
}

function ignore(): void {}
