import type { ChatPayload, NotificationKind } from '@datamon/core';
import { chatPayloadFits, mergeChatPayloads } from '@datamon/notifiers/render';
import type { DatamonStore } from '@datamon/store';
import type { Job, JobType, Queue } from 'bullmq';
import type { DeliverJobData, MergedDelivery } from '../contracts.ts';

/**
 * Bursts of incident cards merged into one Chat message (README "Alerts": a space gets no more than about
 * one message a second).
 *
 * When the delivery worker takes a Chat job of an incident kind, it *claims* the other Chat
 * incident jobs waiting in the queue and sends one merged card for all of them. Claiming is
 * written so that every notification is still sent at least once and, in practice, once:
 *
 * 1. The claimed notifications are written into the taking job's data (`merged`) *first*. From
 *    then on this job answers for them: a crash at any later point retries this job with them.
 * 2. Each one is then claimed for good: a claim in the store names this job as its owner (two
 *    workers listing the same waiting job cannot both keep it), and its own job is removed from
 *    the queue. A removal that fails means another worker is delivering it: it is dropped from
 *    this job's set. A job already handled elsewhere (active, completed or failed) is dropped too.
 * 3. A notification already recorded `sent` is never sent again.
 *
 * A retry runs step 2 and 3 again over the same set (cheap and idempotent: a job this worker
 * removed is simply gone), so it resends the same merged set, less anything delivered meanwhile.
 * Check-in cards and daily summaries are never merged: each is a message of its own.
 */

export type DeliverJob = Job<DeliverJobData, unknown, string>;

const MERGEABLE_KINDS: ReadonlySet<NotificationKind> = new Set(['critical', 'warning', 'escalation', 'resolved']);

/** Waiting jobs looked at for a burst: a burst of a few hundred incidents still merges in batches. */
const SCAN_WAITING = 500;

/** States in which a job has not been taken by any worker, so removing it claims it. */
const UNTAKEN: ReadonlySet<string> = new Set(['waiting', 'wait', 'prioritized', 'delayed']);

/** Whether a delivery may be merged with others: a Chat card of an incident, not yet a merged set. */
export function isMergeableChat(data: DeliverJobData): boolean {
  return data.channel === 'chat' && data.payload.type === 'chat' && MERGEABLE_KINDS.has(data.kind) && data.merged === undefined;
}

export interface ChatBurstDeps {
  /** The `deliver-chat` queue. */
  queue: Queue<unknown, unknown, string>;
  store: DatamonStore;
}

/**
 * Claims, for `host`, the waiting Chat incident cards that fit in one message with its own, and
 * returns those it now answers for (empty: nothing to merge, its data is left as it was).
 */
export async function gatherBurst(host: DeliverJob, deps: ChatBurstDeps): Promise<MergedDelivery[]> {
  if (!isMergeableChat(host.data)) return [];
  const waiting = await deps.queue.getJobs(['wait', 'prioritized'] as JobType[], 0, SCAN_WAITING - 1, true);
  const candidates: MergedDelivery[] = [];
  for (const job of waiting) {
    if (!job?.id || job.id === host.id || job.name !== 'deliver') continue;
    const data = job.data as DeliverJobData;
    if (isMergeableChat(data)) candidates.push({ jobId: job.id, data });
  }
  const chosen = fitting(host.data.payload as ChatPayload, candidates);
  if (chosen.length === 0) return [];
  // First the record of what this job answers for, then the claims: see the protocol above.
  await host.updateData({ ...host.data, merged: chosen });
  return settleBurst(host, deps);
}

/**
 * Makes sure this job owns every notification of its merged set (claim marker, own job removed)
 * and drops those another worker has or that were already sent; writes the set back when it
 * shrank. Safe to run again (a retry): it returns the set this job must send now.
 */
export async function settleBurst(host: DeliverJob, deps: ChatBurstDeps): Promise<MergedDelivery[]> {
  const members = host.data.merged ?? [];
  const kept: MergedDelivery[] = [];
  for (const member of members) {
    if (await ownsClaim(host, member, deps)) kept.push(member);
  }
  if (kept.length !== members.length) await host.updateData({ ...host.data, merged: kept });
  return kept;
}

async function ownsClaim(host: DeliverJob, member: MergedDelivery, deps: ChatBurstDeps): Promise<boolean> {
  if (!(await deps.store.deliveryClaims.claim(member.data.notificationId, String(host.id)))) return false;
  const job = await deps.queue.getJob(member.jobId);
  // Gone: this job removed it on an earlier attempt (only the claim's owner removes it).
  if (job) {
    if (!UNTAKEN.has(await job.getState())) return false;
    try {
      await job.remove();
    } catch {
      return false; // locked: another worker is delivering it right now
    }
  }
  // Delivered by another worker between our look and our removal: its record says so.
  const record = await deps.store.notifications.get(member.data.notificationId);
  return record?.outcome !== 'sent';
}

/** The candidates, in queue order, that still make one message Chat shows whole with `own`. */
function fitting(own: ChatPayload, candidates: readonly MergedDelivery[]): MergedDelivery[] {
  const chosen: MergedDelivery[] = [];
  for (const candidate of candidates) {
    const payloads = [own, ...[...chosen, candidate].map((entry) => entry.data.payload as ChatPayload)];
    if (!chatPayloadFits(mergeChatPayloads(payloads))) break;
    chosen.push(candidate);
  }
  return chosen;
}
