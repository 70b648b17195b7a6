import type { ChatPayload, NotificationChannel, NotificationJobs, NotificationRecord } from '@datamon/core';
import type { Logger } from '@datamon/io';
import { DeliveryError, mergeChatPayloads, type Notifier } from '@datamon/notifiers';
import type { DatamonStore } from '@datamon/store';
import { type JobsOptions, UnrecoverableError } from 'bullmq';
import { type ChatBurstDeps, type DeliverJob, gatherBurst, isMergeableChat, type MergedDelivery, settleBurst } from './chat-burst.ts';
import type { ChatPace } from './chat-pace.ts';

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

/** What a delivery job needs; passed in so tests can run it without the alert role. */
export interface DeliveryDeps {
  notifiers: Record<NotificationChannel, Notifier>;
  store: DatamonStore;
  now: () => Date;
  logger: Logger;
  /** Merges a burst of Chat incident cards into one message (see chat-burst.ts); none without it. */
  burst?: ChatBurstDeps;
  /** Keeps Chat messages about a second apart; unpaced without it. */
  chatPace?: ChatPace;
}

/** What one delivery job did. */
export interface DeliveryOutcome {
  outcome: 'sent' | 'skipped';
  /** Notifications this message carried (more than 1: a merged burst; 0: all had been sent). */
  notifications: number;
}

type Deliver = NotificationJobs['deliver'];

/**
 * Sends one message and records the outcome of every notification it carries: `sent` or
 * `skipped`; a transient failure is recorded `retrying` and thrown (BullMQ retries the job); a
 * permanent one, or the last attempt, is recorded `failed` and not retried. Only this channel's
 * message is retried: each channel's message is its own job.
 *
 * A Chat incident card first waits for the space's turn (about one message a second), then
 * claims the incident cards waiting behind it and sends them all as one merged card (see
 * chat-burst.ts); a retry resends the same set. A notification already recorded `sent` (a
 * replayed job) is not sent again.
 */
export async function processDelivery(job: DeliverJob, deps: DeliveryDeps): Promise<DeliveryOutcome> {
  const attempt = job.attemptsMade + 1;
  const { merged: _merged, ...own } = job.data;
  // A set claimed earlier is sent again whatever happens (without the burst deps, as it stands).
  const claimed = job.data.merged ?? [];
  let members: MergedDelivery[] = claimed.length > 0 && deps.burst ? await settleBurst(job, deps.burst) : claimed;
  const ownSent = (await deps.store.notifications.get(own.notificationId))?.outcome === 'sent';
  if (ownSent && members.length === 0) {
    deps.logger.info({ notificationId: own.notificationId }, 'notification already sent; not sending it again');
    return { outcome: 'sent', notifications: 0 };
  }
  // A disabled channel sends nothing, so it needs no turn.
  if (own.channel === 'chat' && deps.notifiers.chat.disabledReason === null) await deps.chatPace?.turn();
  if (!ownSent && deps.burst && isMergeableChat(job.data)) members = await gatherBurst(job, deps.burst);

  const due: Deliver[] = [...(ownSent ? [] : [own]), ...members.map((member) => member.data)];
  const payload = due.length === 1 ? (due[0] as Deliver).payload : mergeChatPayloads(due.map((entry) => entry.payload as ChatPayload));
  const record = (outcome: NotificationRecord['outcome'], error: string | null) => {
    const at = deps.now().toISOString();
    return Promise.all(
      due.map((entry) =>
        deps.store.notifications.record({
          id: entry.notificationId,
          incidentId: entry.incidentId,
          pipelineId: entry.pipelineId,
          channel: entry.channel,
          kind: entry.kind,
          attempts: attempt,
          at,
          outcome,
          error,
        }),
      ),
    );
  };
  const ids = due.map((entry) => entry.notificationId);
  try {
    const result = await deps.notifiers[own.channel].send(payload);
    const error = result.rejected.length > 0 ? `recipients refused by the server: ${result.rejected.join(', ')}` : result.outcome === 'skipped' ? result.detail : null;
    await record(result.outcome, error);
    deps.logger.info({ notificationIds: ids, channel: own.channel, outcome: result.outcome, merged: due.length > 1 ? due.length : undefined }, 'notification delivered');
    return { outcome: result.outcome, notifications: due.length };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const permanent = err instanceof DeliveryError ? err.permanent : false;
    const last = attempt >= (job.opts.attempts ?? 1);
    await record(permanent || last ? 'failed' : 'retrying', message);
    if (permanent) throw new UnrecoverableError(message);
    throw err;
  }
}
