import type { DatamonConfig, IncidentRecord, TicketEventName, TicketRef } from '@datamon/core';

/** A ticket in the ticket system (`DATA-12`, `#12`, and its page) and the events it is told: core's. */
export type { TicketEventName, TicketRef };

/** Something that happened to an incident that its ticket is told about (SPEC "Tickets"). */
export interface TicketEvent {
  event: TicketEventName;
  /** Stable per event: the same on every retry (webhook X-Datamon-Delivery). */
  deliveryId: string;
  incident: IncidentRecord;
  pipeline: { id: string; name: string; kind: string | null; action: string };
  dashboardUrl: string;
  /** Who acknowledged (acknowledged events). */
  by?: string | null;
}

/**
 * One ticket system. Every method either resolves or throws a `TicketError` whose `permanent`
 * says whether retrying can help (and `retryAfterMs` how long the system asked us to wait).
 */
export interface TicketTracker {
  readonly kind: 'jira' | 'github' | 'webhook';
  /** Creates the ticket (webhook: posts `opened`, returns null: there is no ticket to refer to). */
  open(event: TicketEvent): Promise<TicketRef | null>;
  /** Finds a ticket an earlier, interrupted `open` of this incident may have created (null: none). Webhook: always null. */
  find(incidentId: string): Promise<TicketRef | null>;
  comment(ref: TicketRef | null, event: TicketEvent): Promise<void>;
  close(ref: TicketRef | null, event: TicketEvent): Promise<void>;
}

/** A ticket system's name as `tickets.kind` spells it. */
export type TicketKind = TicketTracker['kind'];

/** The `tickets` config section, plus the zone people read times in (`monitoring.timezone`). */
export type TicketSettings = DatamonConfig['tickets'] & { zone: string };
