import type { DefaultJobOptions, JobSchedulerTemplateOptions, JobsOptions, WorkerOptions } from 'bullmq';
import { HttpDeliveryError } from '@datamon/io';
import { DeliveryError } from '@datamon/notifiers';
import { type RuntimeSettings, runtimeSettings } from './settings.ts';

/**
 * The options of every job and worker, in one place: whoever adds a job (a role, the API, the
 * CLI) adds it with these, so a run-now from the dashboard is retried and kept like a scheduled
 * check.
 */

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
 * Delivery attempts: with {@link deliveryBackoff} (5 s doubling, capped at 5 min, never less than
 * the server's Retry-After) twelve attempts span about half an hour, so a Chat space or mail
 * server that is down for ten minutes still gets the message, once.
 */
export const DELIVERY_ATTEMPTS = 12;
const MAX_DELIVERY_DELAY_MS = 5 * 60_000;

/** Options of every delivery job (on top of {@link DEFAULT_JOB_OPTIONS}). */
export const DELIVERY_JOB_OPTIONS: JobsOptions = {
  attempts: DELIVERY_ATTEMPTS,
  backoff: { type: 'delivery' },
};

/**
 * A recovery job: once (the action's own `max_attempts` decides re-runs). A job interrupted by a
 * shutdown is put back and runs again on another worker: its attempt was not counted.
 */
export const RECOVERY_JOB_OPTIONS: JobsOptions = { attempts: 3, backoff: { type: 'fixed', delay: 1_000 } };

/** The first retry's delay; `DATAMON_DELIVERY_BACKOFF_MS` shortens it (tests). */
function firstDeliveryDelayMs(): number {
  const fromEnv = Number(process.env.DATAMON_DELIVERY_BACKOFF_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 5_000;
}

/**
 * Backoff of a failed delivery or ticket call: exponential, capped, and at least what
 * Retry-After asked for.
 */
export function deliveryBackoff(attemptsMade: number, err: unknown): number {
  const exponential = Math.min(MAX_DELIVERY_DELAY_MS, firstDeliveryDelayMs() * 2 ** Math.max(0, attemptsMade - 1));
  const asked = (err instanceof DeliveryError || err instanceof HttpDeliveryError) && err.retryAfterMs !== null ? err.retryAfterMs : 0;
  return Math.max(exponential, Math.min(asked, 60 * 60_000));
}

/**
 * Google Chat takes about one message a second per space (README "Alerts"): BullMQ's limiter holds the
 * `deliver-chat` queue to one job a second across every worker on this Redis.
 */
export const CHAT_LIMITER = { max: 1, duration: 1_000 } as const satisfies NonNullable<WorkerOptions['limiter']>;

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
