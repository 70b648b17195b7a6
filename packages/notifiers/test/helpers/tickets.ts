import assert from 'node:assert/strict';
import { TicketError, type TicketEvent } from '../../src/tickets/index.ts';
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
export async function ticketFailure(promise: Promise<unknown>): Promise<TicketError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof TicketError, `expected a TicketError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}
