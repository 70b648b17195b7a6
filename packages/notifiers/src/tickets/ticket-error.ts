import { HttpDeliveryError } from '@datamon/io';
import type { TicketKind } from './ticket-tracker.ts';

/**
 * A ticket system call that failed, saying whether retrying can help: 429, 5xx, time-outs and
 * network errors are transient (with the server's Retry-After when it gave one); other 4xx, a
 * redirect, an unusable answer or a settings problem are permanent. It is an `HttpDeliveryError`,
 * so whatever retries outbound HTTP retries it the same way. Its message never carries the token
 * nor an Authorization header, and URLs in it have no query.
 */
export class TicketError extends HttpDeliveryError {
  readonly tracker: TicketKind;

  constructor(tracker: TicketKind, message: string, options: { permanent: boolean; statusCode?: number | null; retryAfterMs?: number | null }) {
    super(message, { permanent: options.permanent, statusCode: options.statusCode ?? null, retryAfterMs: options.retryAfterMs ?? null });
    this.name = 'TicketError';
    this.tracker = tracker;
  }
}
