import { classifyHttpError, redactUrl } from '@datamon/io';
import { scrubSecrets } from '../errors/delivery-error.ts';
import type { HttpClient } from '../notifier.ts';
import { TicketError } from './ticket-error.ts';
import type { TicketKind } from './ticket-tracker.ts';

/**
 * The one seam between the ticket clients and the network: every call goes through the project's
 * HTTP client (time-out, no redirects, no retries of its own) and every failure comes out as a
 * `TicketError` that says whether retrying helps, with the secrets scrubbed from its message.
 */

/** A response that failed, as much of it as a system needs to tell a rate limit from a refusal. */
export interface FailedResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** How one ticket system is called. */
export interface TicketConnection {
  tracker: TicketKind;
  /** How the system is named in messages: "Jira", "GitHub", "Ticket webhook". */
  system: string;
  http: HttpClient;
  /** Sent with every request (authentication, API version). */
  headers: Record<string, string>;
  /** Scrubbed from every error message: servers sometimes echo what they were sent. */
  secrets: readonly string[];
  /** What to check when the system refuses permanently with this status, or null. */
  hint?: (statusCode: number) => string | null;
  /** How long to wait when a refusal is really a rate limit (GitHub answers some with 403), or null. */
  rateLimitWait?: (response: FailedResponse, now: Date) => number | null;
  now: () => Date;
}

export interface TicketRequest {
  method: 'GET' | 'POST' | 'PATCH';
  url: URL;
  /** Sent as it is: the webhook signs these exact bytes. */
  body?: string;
  headers?: Record<string, string>;
}

/** `base` (which may have a path: a Jira context path, a GitHub Enterprise `/api/v3`) joined with `path`. */
export function endpoint(base: string, path: string, query: Record<string, string> = {}): URL {
  const url = new URL(`${base.replace(/\/+$/, '')}${path}`);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url;
}

/** Sends a request and returns the answer's body; throws a `TicketError` for anything but a 2xx. */
export async function send(connection: TicketConnection, request: TicketRequest): Promise<string> {
  let response: { statusCode: number; body: string };
  try {
    response = await connection.http(request.url, {
      method: request.method,
      headers: { ...connection.headers, ...request.headers },
      body: request.body,
    });
  } catch (err) {
    throw failure(connection, err);
  }
  if (response.statusCode >= 300) {
    // Redirects are not followed (the Authorization header would travel to wherever they
    // point): a system answering one is misconfigured.
    throw new TicketError(
      connection.tracker,
      `${connection.system}: HTTP ${response.statusCode} (a redirect, not followed) from ${redactUrl(request.url)}; check tickets.url`,
      { permanent: true, statusCode: response.statusCode },
    );
  }
  return response.body;
}

/** Sends `json` (if any) as a JSON body and returns the parsed JSON answer (null for an empty one). */
export async function sendJson(connection: TicketConnection, request: Omit<TicketRequest, 'body'>, json?: unknown): Promise<unknown> {
  const text = await send(connection, {
    ...request,
    ...(json === undefined ? {} : { body: JSON.stringify(json), headers: { ...request.headers, 'Content-Type': 'application/json' } }),
  });
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // A 2xx page that is not JSON is a login page or a proxy: the URL is wrong, retrying will not help.
    throw new TicketError(connection.tracker, `${connection.system}: the answer from ${redactUrl(request.url)} is not JSON; check tickets.url`, { permanent: true });
  }
}

/** A permanent error for an answer that lacks what the system documents (`what`). */
export function unexpectedAnswer(connection: TicketConnection, url: URL, what: string): TicketError {
  return new TicketError(connection.tracker, `${connection.system}: the answer from ${redactUrl(url)} has no ${what}; check tickets.url`, { permanent: true });
}

function failure(connection: TicketConnection, err: unknown): TicketError {
  const now = connection.now();
  const classified = classifyHttpError(err, now);
  let { permanent, retryAfterMs } = classified;
  const response = failedResponse(err);
  if (permanent && response && connection.rateLimitWait) {
    const wait = connection.rateLimitWait(response, now);
    if (wait !== null) {
      permanent = false;
      retryAfterMs = wait;
    }
  }
  const hint = permanent && classified.statusCode !== null ? connection.hint?.(classified.statusCode) ?? null : null;
  const message = `${connection.system}: ${classified.message}${hint ? `; ${hint}` : ''}`;
  return new TicketError(connection.tracker, scrubSecrets(message, connection.secrets), {
    permanent,
    statusCode: classified.statusCode,
    retryAfterMs,
  });
}

/** The response of an HTTP error from the client, read by shape (its class belongs to the client). */
function failedResponse(err: unknown): FailedResponse | null {
  if (typeof err !== 'object' || err === null || !('response' in err)) return null;
  const response = (err as { response?: unknown }).response;
  if (typeof response !== 'object' || response === null) return null;
  const { statusCode, headers, body } = response as { statusCode?: unknown; headers?: unknown; body?: unknown };
  if (typeof statusCode !== 'number') return null;
  return {
    statusCode,
    headers: typeof headers === 'object' && headers !== null ? (headers as FailedResponse['headers']) : {},
    body: typeof body === 'string' ? body : '',
  };
}

/** A header's first value. */
export function headerValue(headers: FailedResponse['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The object's `name` field when it is a non-empty string. */
export function stringField(value: unknown, name: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const field = (value as Record<string, unknown>)[name];
  return typeof field === 'string' && field !== '' ? field : null;
}

/** The object's `name` field when it is an array (empty otherwise). */
export function arrayField(value: unknown, name: string): unknown[] {
  if (typeof value !== 'object' || value === null) return [];
  const field = (value as Record<string, unknown>)[name];
  return Array.isArray(field) ? field : [];
}
