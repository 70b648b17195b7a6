import type { NotificationChannel, NotificationJobs, NotificationRecord } from '@datamon/core';
import type { Logger } from '@datamon/io';
import { DeliveryError, type Notifier } from '@datamon/notifiers';
import type { DatamonStore } from '@datamon/store';
import { type Job, type JobsOptions, UnrecoverableError } from 'bullmq';

/**
 * Delivery attempts: with the backoff below (5 s doubling, capped at 5 min, never less than the
 * server's Retry-After) twelve attempts span about half an hour, so a Chat space or mail server
 * that is down for ten minutes still gets the message, once.
 */
export const DELIVERY_ATTEMPTS = 12;
const MAX_DELAY_MS = 5 * 60_000;

/** The first retry's delay; `DATAMON_DELIVERY_BACKOFF_MS` shortens it (tests). */
function firstDelayMs(): number {
  const fromEnv = Number(process.env.DATAMON_DELIVERY_BACKOFF_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 5_000;
}

export const deliveryJobOptions: JobsOptions = {
  attempts: DELIVERY_ATTEMPTS,
  backoff: { type: 'delivery' },
};

/** Backoff of a failed delivery: exponential, capped, and at least what Retry-After asked for. */
export function deliveryBackoff(attemptsMade: number, err: unknown): number {
  const exponential = Math.min(MAX_DELAY_MS, firstDelayMs() * 2 ** Math.max(0, attemptsMade - 1));
  const asked = err instanceof DeliveryError && err.retryAfterMs !== null ? err.retryAfterMs : 0;
  return Math.max(exponential, Math.min(asked, 60 * 60_000));
}

/** What a delivery job needs; passed in so tests can run it without BullMQ. */
export interface DeliveryDeps {
  notifiers: Record<NotificationChannel, Notifier>;
  store: DatamonStore;
  now: () => Date;
  logger: Logger;
}

type DeliverJob = Job<NotificationJobs['deliver'], unknown, 'deliver'>;

/**
 * Sends one message and records the outcome: `sent` or `skipped`; a transient failure is
 * recorded `retrying` and thrown (BullMQ retries it); a permanent one, or the last attempt, is
 * recorded `failed` and not retried. Only this channel's message is retried: each channel's
 * message is its own job.
 */
export async function processDelivery(job: DeliverJob, deps: DeliveryDeps): Promise<{ outcome: string }> {
  const data = job.data;
  const attempt = job.attemptsMade + 1;
  const base: Omit<NotificationRecord, 'outcome' | 'error' | 'at'> = {
    id: data.notificationId,
    incidentId: data.incidentId,
    pipelineId: data.pipelineId,
    channel: data.channel,
    kind: data.kind,
    attempts: attempt,
  };
  const record = (outcome: NotificationRecord['outcome'], error: string | null) =>
    deps.store.notifications.record({ ...base, at: deps.now().toISOString(), outcome, error });
  try {
    const result = await deps.notifiers[data.channel].send(data.payload);
    const error = result.rejected.length > 0 ? `recipients refused by the server: ${result.rejected.join(', ')}` : result.outcome === 'skipped' ? result.detail : null;
    await record(result.outcome, error);
    deps.logger.info({ notificationId: data.notificationId, channel: data.channel, outcome: result.outcome }, 'notification delivered');
    return { outcome: result.outcome };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const permanent = err instanceof DeliveryError ? err.permanent : false;
    const last = attempt >= (job.opts.attempts ?? 1);
    await record(permanent || last ? 'failed' : 'retrying', message);
    if (permanent) throw new UnrecoverableError(message);
    throw err;
  }
}
