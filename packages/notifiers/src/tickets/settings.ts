import type { DatamonConfig } from '@datamon/core';
import { redactUrl } from '@datamon/io';
import { TicketError } from './ticket-error.ts';
import type { TicketKind } from './ticket-tracker.ts';

/**
 * Checks shared by the ticket systems' settings. Each problem starts with its key path
 * (`tickets.url: ...`) and never shows a secret (a webhook URL's query is one).
 */

export type TicketConfig = DatamonConfig['tickets'];

/** `tickets.url`: present and http(s); `what` says what it should be for this kind. */
export function urlProblems(settings: TicketConfig, kind: TicketKind, what: string): string[] {
  const url = settings.url.trim();
  if (url === '') return [`tickets.url: required for kind ${kind} (${what})`];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [`tickets.url: "${redactUrl(url)}" is not a URL (${what})`];
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return [`tickets.url: "${redactUrl(url)}" is not an http(s) URL (${what})`];
  return [];
}

/** `tickets.token`: present. */
export function tokenProblems(settings: TicketConfig, kind: TicketKind, what: string): string[] {
  return settings.token.trim() === '' ? [`tickets.token: required for kind ${kind} (${what})`] : [];
}

/**
 * Throws a permanent `TicketError` naming every settings problem: a tracker built from bad
 * settings fails each call (recorded, not retried) instead of stopping the process, so cards and
 * emails still go out.
 */
export function assertNoProblems(kind: TicketKind, system: string, problems: readonly string[]): void {
  if (problems.length > 0) throw new TicketError(kind, `${system}: ${problems.join('; ')}`, { permanent: true });
}
