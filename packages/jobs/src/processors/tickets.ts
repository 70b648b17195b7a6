import type { DatamonConfig, TimelineEntry } from '@datamon/core';
import type { Logger } from '@datamon/io';
import { pipelineFacts } from '@datamon/notifiers/render';
import { TicketError, type TicketEvent, type TicketRef, type TicketTracker } from '@datamon/notifiers/tickets';
import { type DatamonStore, type TicketState, ticketRef } from '@datamon/store';
import { UnrecoverableError } from 'bullmq';
import type { JobOf, ResultOf, TicketsJobs } from '../contracts.ts';

/** What a ticket job needs; the alert role wires it, tests pass their own. */
export interface TicketJobDeps {
  config: Pick<DatamonConfig, 'pipelines' | 'dashboard' | 'monitoring' | 'checkins'>;
  store: DatamonStore;
  /** The configured ticket system, or null (`tickets.kind` empty: every job is skipped). */
  tracker: TicketTracker | null;
  now: () => Date;
  logger: Logger;
  /** Rebuilds the dashboard's snapshot once a ticket's key is known. */
  refreshSnapshot?: () => Promise<void>;
}

type TicketJob = JobOf<TicketsJobs, 'ticket'>;
type TicketResult = ResultOf<TicketsJobs, 'ticket'>;

/** The ticket of an incident whose create request has not been answered yet: a later event waits for it. */
class TicketNotReadyError extends Error {
  override readonly name = 'TicketNotReadyError';
}

/**
 * Tells an incident's ticket one event (README "Tickets and recovery"): `opened` creates it,
 * exactly once even across retries and restarts: the intent is stored before the create request,
 * and a retry that finds the intent looks the ticket up (`find`, e.g. Jira's search by the
 * incident's label) before creating another; its key is stored as soon as it is known. Later
 * events comment on it, and `resolved` closes it. A 429, 5xx or time-out is retried like a Chat
 * message (the job's backoff honours Retry-After); any other refusal is permanent, recorded on
 * the ticket and in the timeline, and not retried. Cards and emails never wait for this.
 */
export async function processTicketJob(job: TicketJob, deps: TicketJobDeps): Promise<TicketResult> {
  const { incidentId, event } = job.data;
  const { tracker, store } = deps;
  if (!tracker) return { outcome: 'skipped', key: null, reason: 'no ticket system is configured (tickets.kind)' };
  const incident = await store.incidents.get(incidentId);
  if (!incident) throw new UnrecoverableError(`incident ${incidentId} is not stored`);
  const facts = pipelineFacts(deps.config, incident.pipelineId, incident.pipelineName);
  const ticketEvent: TicketEvent = {
    event,
    deliveryId: job.data.deliveryId,
    incident,
    pipeline: { id: facts.id, name: facts.name, kind: facts.kind, action: facts.action },
    dashboardUrl: deps.config.dashboard.public_url,
    by: job.data.by,
  };
  const note = (detail: string) => store.incidents.addTimeline(incidentId, [{ at: deps.now().toISOString(), event: 'ticket', detail, by: null } satisfies TimelineEntry]);
  const state = await store.tickets.get(incidentId);
  try {
    const result = event === 'opened' ? await open(tracker, ticketEvent, state, deps, note) : await follow(tracker, ticketEvent, state, deps, note);
    return result;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const permanent = err instanceof TicketError && err.permanent;
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (permanent || last) {
      await note(`${event}: failed for good: ${message}`);
      if (event === 'opened') await store.tickets.set(incidentId, { ...stateOf(tracker, deps, 'failed'), error: message });
      deps.logger.warn({ incidentId, event, err: message }, 'ticket update failed');
      if (permanent) throw new UnrecoverableError(message);
    } else if (!(err instanceof TicketNotReadyError)) {
      await note(`${event}: retrying (${message})`);
    }
    throw err;
  }
}

function stateOf(tracker: TicketTracker, deps: TicketJobDeps, state: TicketState['state'], ref: TicketRef | null = null): TicketState {
  return { state, system: tracker.kind, key: ref?.key ?? null, url: ref?.url ?? null, error: null, at: deps.now().toISOString() };
}


async function open(tracker: TicketTracker, event: TicketEvent, state: TicketState | null, deps: TicketJobDeps, note: (detail: string) => Promise<void>): Promise<TicketResult> {
  const { store } = deps;
  const incidentId = event.incident.id;
  if (state && (state.state === 'open' || state.state === 'closed')) {
    // The incident re-opened (or this is a replay): its ticket exists; tell it, never make a second.
    const ref = ticketRef(state);
    await tracker.comment(ref, event);
    await store.tickets.set(incidentId, { ...state, state: 'open', at: deps.now().toISOString() });
    await note(ref ? `failing again: commented on ${ref.key}` : 'failing again: sent');
    return { outcome: 'sent', key: ref?.key ?? null };
  }
  // An earlier try stored its intent and may have created the ticket before it was interrupted.
  let ref = state?.state === 'opening' ? await tracker.find(incidentId) : null;
  const found = ref !== null;
  if (!found) {
    await store.tickets.set(incidentId, stateOf(tracker, deps, 'opening'));
    ref = await tracker.open(event);
  }
  await store.tickets.set(incidentId, stateOf(tracker, deps, 'open', ref));
  await note(ref ? `${found ? 'found' : 'opened'} ${ref.key} ${ref.url}` : `opened: sent to the ${tracker.kind}`);
  if (ref) await deps.refreshSnapshot?.();
  deps.logger.info({ incidentId, ticket: ref?.key ?? null, found }, 'ticket opened');
  return { outcome: 'sent', key: ref?.key ?? null };
}

async function follow(tracker: TicketTracker, event: TicketEvent, state: TicketState | null, deps: TicketJobDeps, note: (detail: string) => Promise<void>): Promise<TicketResult> {
  const incidentId = event.incident.id;
  if (!state || state.state === 'failed') return { outcome: 'skipped', key: null, reason: state ? 'its ticket could not be opened' : 'the incident has no ticket' };
  // A ticket system's ticket must exist before it can be told more; the webhook has none to wait for.
  if (state.state === 'opening' && tracker.kind !== 'webhook') throw new TicketNotReadyError(`the ticket of ${incidentId} is not created yet`);
  const ref = ticketRef(state);
  if (event.event === 'resolved') {
    await tracker.close(ref, event);
    await deps.store.tickets.set(incidentId, { ...state, state: 'closed', at: deps.now().toISOString() });
    await note(ref ? `closed ${ref.key}` : 'resolved: sent');
  } else {
    await tracker.comment(ref, event);
    await note(ref ? `${event.event}: commented on ${ref.key}` : `${event.event}: sent`);
  }
  return { outcome: 'sent', key: ref?.key ?? null };
}
