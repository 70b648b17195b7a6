import { TicketError, type TicketEvent } from '../../src/tickets/index.ts';
import { failureOf } from './failure.ts';
import { incident } from './fixtures.ts';

/** A ticket event about the CRITICAL ETL Calls incident of `incident()` (its first delivery). */
export function ticketEvent(name: TicketEvent['event'], overrides: Partial<TicketEvent> = {}): TicketEvent {
  const record = incident();
  return {
    event: name,
    deliveryId: `${record.id}:${name}:1`,
    incident: record,
    pipeline: { id: 'etl_calls', name: 'ETL Calls', kind: 'sql_freshness', action: 'Check the FactCalls load job, then re-run it.' },
    dashboardUrl: 'https://datamon.example.com/',
    ...overrides,
  };
}

/** The TicketError `promise` fails with; fails the test if it succeeds or fails otherwise. */
export const ticketFailure = (promise: Promise<unknown>): Promise<TicketError> => failureOf(promise, TicketError);
