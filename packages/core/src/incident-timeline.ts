import Type, { type Static } from 'typebox';
import type { IncidentDecision, IncidentInput } from './incident-rule.ts';
import type { IncidentRecord } from './incident.ts';
import { InstantSchema, NullableStringSchema } from './result.ts';

/**
 * What follows from one incident decision besides its messages (README "Tickets and recovery",
 * "Incident timeline"), pure: the timeline entries it adds, the ticket events it owes and whether
 * the pipeline's recovery action should run. The caller (jobs/incidents.ts) stores the entries
 * with the incident and enqueues the rest with ids that make a replayed decision add nothing twice.
 */

/** Every event an incident's timeline records (SPEC 14). */
export const TIMELINE_EVENTS = ['opened', 'worsened', 'improved', 'notified', 'escalated', 'acknowledged', 'silenced', 'maintenance', 'ticket', 'recovery', 'resolved'] as const;
export type TimelineEventName = (typeof TIMELINE_EVENTS)[number];

/** One line of an incident's timeline: when, what, in words, and who (a person, or null: datamon). */
export const TimelineEntrySchema = Type.Object({
  at: InstantSchema,
  event: Type.Enum([...TIMELINE_EVENTS]),
  detail: Type.String(),
  by: NullableStringSchema,
});
export type TimelineEntry = Static<typeof TimelineEntrySchema>;

/** A timeline keeps this many entries (the newest): a flapping incident cannot grow it without end. */
export const TIMELINE_LIMIT = 500;

/** What an incident's ticket is told (SPEC 13). */
export type TicketEventName = 'opened' | 'escalated' | 'acknowledged' | 'resolved';

/** One ticket event owed; `deliveryId` is the same however often the decision is replayed. */
export interface TicketDue {
  event: TicketEventName;
  deliveryId: string;
  by: string | null;
}

export interface FollowUpSettings {
  /** `tickets.when` when a ticket system is configured, else null (no tickets). */
  ticketsWhen: 'critical' | 'warning' | null;
  /** Whether the pipeline has a `recovery` action. */
  hasRecovery: boolean;
}

export interface IncidentFollowUps {
  timeline: TimelineEntry[];
  tickets: TicketDue[];
  /**
   * The recovery action should run now: the incident has just become CRITICAL, is not blocked by
   * an upstream pipeline (whose own action is what helps) and is not in a maintenance window.
   */
  recover: boolean;
}

/** A ticket is owed for the incident: it reached the level `tickets.when` asks for and is its own root cause. */
export function ticketQualifies(incident: IncidentRecord, when: 'critical' | 'warning'): boolean {
  return (when === 'warning' || incident.worstStatus === 'CRITICAL') && !incident.blockedBy;
}

/** Its recovery action may run now: open, CRITICAL, its own root cause, outside maintenance. */
export function recoveryDue(incident: IncidentRecord): boolean {
  return incident.closedAt === null && incident.status === 'CRITICAL' && !incident.blockedBy && incident.held !== 'maintenance';
}

/**
 * What a decision adds to the timeline and owes to tickets and recovery.
 *
 * @param previous - the pipeline's latest incident before the event (what the rule was given)
 * @param decision - what the rule decided
 * @param input - the rule's input (the event, the silence and maintenance in force)
 * @param now - the evaluation's time
 */
export function incidentFollowUps(previous: IncidentRecord | null, decision: IncidentDecision, input: IncidentInput, now: Date, settings: FollowUpSettings): IncidentFollowUps {
  const next = decision.next;
  const none: IncidentFollowUps = { timeline: [], tickets: [], recover: false };
  if (!next) return none;
  const at = now.toISOString();
  const before = previous !== null && previous.id === next.id ? previous : null;
  const timeline: TimelineEntry[] = [];
  const add = (event: TimelineEventName, detail: string, by: string | null = null) => timeline.push({ at, event, detail, by });
  const wasOpen = before !== null && before.closedAt === null;
  const isOpen = next.closedAt === null;

  if (isOpen && !wasOpen) {
    const blocked = next.blockedBy ? ` · blocked by ${next.blockedBy}: no alert of its own` : '';
    add('opened', `${before ? `re-opened (${next.reopenCount} times) ` : ''}${next.status}: ${next.message}${blocked}`);
  } else if (isOpen && before && before.status !== next.status) {
    add(next.status === 'CRITICAL' ? 'worsened' : 'improved', `${before.status} → ${next.status}: ${next.message}`);
  }
  const escalations = next.escalations - (before?.escalations ?? 0);
  if (escalations > 0) add('escalated', `${next.escalations === 1 ? 'escalated' : `reminder ${next.escalations}`}: CRITICAL and not acknowledged`);
  if (next.acknowledged && !(before?.acknowledged ?? false)) add('acknowledged', 'acknowledged: escalations stop', next.acknowledgedBy);
  if (input.event.type === 'silence' && isOpen) {
    add('silenced', input.silencedUntil ? `silenced until ${input.silencedUntil}` : 'silence ended');
  }
  if (next.held === 'maintenance' && before?.held !== 'maintenance') add('maintenance', `in a maintenance window${input.maintenanceUntil ? ` until ${input.maintenanceUntil}` : ''}: messages held`);
  else if (before?.held === 'maintenance' && next.held !== 'maintenance' && isOpen) add('maintenance', 'maintenance window over');
  if (!isOpen && wasOpen) add('resolved', next.resolution ?? 'OK again');

  return { timeline, tickets: ticketsDue(before, next, settings), recover: settings.hasRecovery && recoveryDue(next) && !(wasOpen && before !== null && recoveryDue(before)) };
}

function ticketsDue(before: IncidentRecord | null, next: IncidentRecord, settings: FollowUpSettings): TicketDue[] {
  const when = settings.ticketsWhen;
  if (when === null) return [];
  const due: TicketDue[] = [];
  const qualifies = ticketQualifies(next, when);
  const qualified = before !== null && ticketQualifies(before, when);
  const isOpen = next.closedAt === null;
  const reopened = isOpen && before !== null && before.closedAt !== null;
  if (isOpen && qualifies && (!qualified || reopened)) due.push({ event: 'opened', deliveryId: `${next.id}:opened:${next.reopenCount}`, by: null });
  if (next.escalations > (before?.escalations ?? 0)) due.push({ event: 'escalated', deliveryId: `${next.id}:escalated:${next.escalations}`, by: null });
  if (next.acknowledged && !(before?.acknowledged ?? false)) due.push({ event: 'acknowledged', deliveryId: `${next.id}:acknowledged`, by: next.acknowledgedBy });
  // Sent whenever it closes: the ticket job knows whether a ticket was ever opened.
  if (!isOpen && before !== null && before.closedAt === null) due.push({ event: 'resolved', deliveryId: `${next.id}:resolved:${Date.parse(next.closedAt ?? '')}`, by: null });
  return due;
}
