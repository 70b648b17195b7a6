import {
  type DatamonConfig,
  graphOf,
  dependencyInput,
  dependencyNeighbourhood,
  evaluateIncident,
  type IncidentDecision,
  type IncidentEvent,
  type IncidentSettings,
  incidentFollowUps,
  incidentSettings,
  maintenanceUntil,
  type IncidentRecord,
  type IncidentInput,
} from '@datamon/core';
import { renderIncidentNotification } from '@datamon/notifiers/render';
import { type DatamonStore, pipelineLock, ticketRef } from '@datamon/store';
import { type DatamonQueues, enqueueDeliveries, enqueueRecovery, enqueueTicketEvents } from './producers.ts';

/**
 * The one way an incident changes (README "Alerts", "Dependencies", "Tickets and recovery", "Incident timeline"): an event — a check result, a tick, an
 * acknowledgement, a silence set or ended — goes through core's pure incident rule under the
 * pipeline's lock; the messages the rule decides are enqueued, then the incident is saved. The
 * alert worker's jobs and the API's write routes both call this, so neither writes an incident
 * beside the rule.
 */

export interface IncidentEventDeps {
  config: Pick<DatamonConfig, 'pipelines' | 'escalation' | 'monitoring' | 'dashboard' | 'checkins' | 'maintenance' | 'tickets'>;
  store: DatamonStore;
  queues: Pick<DatamonQueues, 'chat' | 'email' | 'tickets' | 'recovery'>;
  /** The rule's settings; from the config by default. */
  rule?: IncidentSettings;
}

export interface AppliedIncidentEvent {
  decision: IncidentDecision;
  /** The root blocking the pipeline after the event, or null. */
  blockedBy: string | null;
  /** Messages handed to the delivery queues. */
  enqueued: number;
}

/** The pipeline an event is about is neither configured nor known from a stored incident. */
export class UnknownPipelineError extends Error {
  override readonly name = 'UnknownPipelineError';
  constructor(readonly pipelineId: string) {
    super(`unknown pipeline "${pipelineId}"`);
  }
}

/**
 * Applies one event to one pipeline's incident.
 *
 * Enqueue before persisting: a crash in between replays the same decision with the same ids, and
 * BullMQ drops the duplicates. The messages carry the incident's ticket once it has one; the
 * ticket events and the recovery action the decision owes are enqueued the same way
 * (core's `incidentFollowUps`), and its timeline entries are saved with the incident. The
 * pipeline's next due time (an escalation, a held message, a silence's end) is indexed for the tick.
 *
 * @param pipelineId - the pipeline (a removed one is still known by its stored incident)
 * @param event - what happened
 * @param now - the event's time
 */
export async function applyIncidentEvent(deps: IncidentEventDeps, pipelineId: string, event: IncidentEvent, now: Date): Promise<AppliedIncidentEvent> {
  const { store, config } = deps;
  const rule = deps.rule ?? incidentSettings(config);
  return store.withLock(pipelineLock(pipelineId), async () => {
    const [latest, silencedUntil, windows] = await Promise.all([
      store.incidents.latest(pipelineId),
      store.silences.until(pipelineId, now),
      store.maintenanceWindows(config, now, 0),
    ]);
    const configured = config.pipelines.find((pipeline) => pipeline.id === pipelineId);
    const pipeline = configured ? { id: configured.id, name: configured.name } : latest ? { id: pipelineId, name: latest.pipelineName } : null;
    if (!pipeline) throw new UnknownPipelineError(pipelineId);
    const { blockedBy: root, affects } = await dependenciesOf(deps, pipelineId, latest, event, now);
    const open = latest !== null && latest.closedAt === null ? latest : null;
    // Only a result that may close it needs to know whether a recovery action helped.
    const recovered = open !== null && event.type === 'result' && event.result.status === 'OK' && (await store.recovery.get(open.id)).succeeded;
    const input: IncidentInput = {
      pipeline,
      silencedUntil: silencedUntil?.toISOString() ?? null,
      maintenanceUntil: maintenanceUntil(pipelineId, windows),
      blockedBy: root,
      affects,
      recovered,
      event,
    };
    const decision = evaluateIncident(latest, input, now, rule);
    const next = decision.next;
    const ticket = next && decision.notifications.length > 0 && config.tickets.kind !== '' ? ticketRef(await store.tickets.get(next.id)) : null;
    const enqueued = await enqueueDeliveries(
      deps.queues,
      decision.notifications.map((notification) => ({
        notificationId: notification.id,
        channel: notification.channel,
        kind: notification.kind,
        incidentId: notification.incidentId,
        pipelineId: notification.pipelineId,
        payload: renderIncidentNotification(notification, config, ticket),
      })),
    );
    const follow = incidentFollowUps(latest, decision, input, now, {
      ticketsWhen: config.tickets.kind === '' ? null : config.tickets.when,
      hasRecovery: Boolean(configured?.recovery),
    });
    if (next) {
      await enqueueTicketEvents(deps.queues, next, follow.tickets);
      if (follow.recover) await enqueueRecovery(deps.queues, { incidentId: next.id, pipelineId, manual: false, requestedBy: 'datamon' }, `critical-${Date.parse(next.criticalSince ?? now.toISOString())}`);
      if (decision.changed) await store.incidents.save(next, follow.timeline);
      else await store.incidents.addTimeline(next.id, follow.timeline);
      await store.incidents.setDue(pipelineId, decision.nextDueAt);
    }
    return { decision, enqueued, blockedBy: root };
  });
}

/**
 * What blocks the pipeline and what it blocks, from the latest results of the pipelines around
 * it (README "Dependencies"); nothing to read when it has no dependencies.
 */
async function dependenciesOf(
  deps: IncidentEventDeps,
  pipelineId: string,
  latest: IncidentRecord | null,
  event: IncidentEvent,
  now: Date,
): Promise<{ blockedBy: string | null; affects: string[] }> {
  const graph = graphOf(deps.config.pipelines);
  if (!graph.any) return { blockedBy: null, affects: [] };
  const around = dependencyNeighbourhood(graph, pipelineId);
  if (around.length === 1) return { blockedBy: null, affects: [] };
  const states = await deps.store.results.latestMany(around);
  const stateOf = (id: string) => {
    if (event.type === 'result' && id === pipelineId) return { status: event.result.status, since: event.result.checkedAt };
    const state = states[id];
    return state ? { status: state.status, since: state.since } : null;
  };
  const blockedNow = latest && latest.closedAt === null ? (latest.blockedBy ?? null) : null;
  return dependencyInput(graph, pipelineId, stateOf, blockedNow, event.type === 'result' ? event.result.checkedAt : null, now);
}
