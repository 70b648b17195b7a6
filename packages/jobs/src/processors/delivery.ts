import type { ChatPayload, NotificationRecord } from '@datamon/core';
import type { Logger } from '@datamon/io';
import { DeliveryError, type Notifier } from '@datamon/notifiers';
import { mergeChatPayloads } from '@datamon/notifiers/render';
import type { DatamonStore } from '@datamon/store';
import { RateLimitError, UnrecoverableError } from 'bullmq';
import type { Delivery, DeliveryOutcome, MergedDelivery } from '../contracts.ts';
import { type ChatBurstDeps, type DeliverJob, gatherBurst, isMergeableChat, settleBurst } from './chat-burst.ts';

/** What a delivery job needs; passed in so tests run it without the alert role. */
export interface DeliveryDeps {
  /** The notifier of the job's channel (the queue is per channel). */
  notifier: Notifier;
  store: DatamonStore;
  now: () => Date;
  logger: Logger;
  /** Merges a burst of Chat incident cards into one message (see chat-burst.ts); none without it. */
  burst?: ChatBurstDeps;
  /**
   * Holds the whole queue back for `ms` (BullMQ's `queue.rateLimit`): a 429 from Chat means the
   * space is over its rate, so no message of that queue should go before Retry-After.
   */
  rateLimit?: (ms: number) => Promise<void>;
}

/** A 429 without Retry-After holds the queue this long. */
const DEFAULT_RATE_LIMIT_MS = 5_000;

/**
 * Sends one message and records the outcome of every notification it carries: `sent` or
 * `skipped`; a transient failure is recorded `retrying` and thrown (BullMQ retries the job); a
 * permanent one, or the last attempt, is recorded `failed` and not retried. A 429 on a queue
 * with a rate limit holds the whole queue until Retry-After and puts the job back without
 * spending an attempt. Only this channel's message is retried: each channel has its own queue.
 *
 * A Chat incident card claims the incident cards waiting behind it and sends them all as one
 * merged card (see chat-burst.ts); a retry resends the same set. BullMQ's limiter spaces the
 * Chat queue's jobs about a second apart across every worker. A notification already recorded
 * `sent` (a replayed job) is not sent again.
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
  if (!ownSent && deps.burst && isMergeableChat(job.data)) members = await gatherBurst(job, deps.burst);

  const due: Delivery[] = [...(ownSent ? [] : [own]), ...members.map((member) => member.data)];
  const payload = due.length === 1 ? (due[0] as Delivery).payload : mergeChatPayloads(due.map((entry) => entry.payload as ChatPayload));
  const record = (outcome: NotificationRecord['outcome'], error: string | null) => {
    const at = deps.now().toISOString();
    return Promise.all([
      ...due.map((entry) =>
        deps.store.notifications.record({
          id: entry.notificationId,
          incidentId: entry.incidentId,
          pipelineId: entry.pipelineId,
          ...(entry.checkinId ? { checkinId: entry.checkinId } : {}),
          channel: entry.channel,
          kind: entry.kind,
          attempts: attempt,
          at,
          outcome,
          error,
        }),
      ),
      // The incident's timeline says what each channel was told, and how it went (README
      // "Incident timeline"): the outcome, and the first failure of a message being retried.
      ...due
        .filter((entry) => entry.incidentId !== null && (outcome !== 'retrying' || attempt === 1))
        .map((entry) =>
          deps.store.incidents.addTimeline(entry.incidentId as string, [
            { at, event: 'notified', detail: `${entry.channel} ${entry.kind}: ${outcome}${error ? ` (${error})` : ''}`, by: null },
          ]),
        ),
    ]);
  };
  const ids = due.map((entry) => entry.notificationId);
  try {
    const result = await deps.notifier.send(payload);
    const error = result.rejected.length > 0 ? `recipients refused by the server: ${result.rejected.join(', ')}` : result.outcome === 'skipped' ? result.detail : null;
    await record(result.outcome, error);
    deps.logger.info({ notificationIds: ids, channel: own.channel, outcome: result.outcome, merged: due.length > 1 ? due.length : undefined }, 'notification delivered');
    return { outcome: result.outcome, notifications: due.length };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const permanent = err instanceof DeliveryError ? err.permanent : false;
    if (!permanent && deps.rateLimit && err instanceof DeliveryError && err.statusCode === 429) {
      await record('retrying', message);
      await deps.rateLimit(err.retryAfterMs ?? DEFAULT_RATE_LIMIT_MS);
      throw new RateLimitError();
    }
    const last = attempt >= (job.opts.attempts ?? 1);
    await record(permanent || last ? 'failed' : 'retrying', message);
    if (permanent) throw new UnrecoverableError(message);
    throw err;
  }
}
