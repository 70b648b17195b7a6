import got, { type Got, RequestError, HTTPError } from 'got';
import { redactUrl, redactUrlsInText } from './redact-url.ts';

/**
 * The one outbound HTTP client (STYLE 6): timeouts, no redirects, and no retries of its own:
 * callers decide whether an error is transient (`HttpDeliveryError.permanent`), and the queue
 * retries with backoff that honours Retry-After.
 */
export function createHttpClient(options: { timeoutMs?: number; userAgent?: string } = {}): Got {
  return got.extend({
    timeout: { request: options.timeoutMs ?? 10_000 },
    retry: { limit: 0 },
    followRedirect: false,
    throwHttpErrors: true,
    headers: { 'user-agent': options.userAgent ?? 'datamon' },
  });
}

/** An outbound HTTP failure that says whether retrying can help, and never carries a URL's query. */
export class HttpDeliveryError extends Error {
  readonly permanent: boolean;
  readonly statusCode: number | null;
  /** Milliseconds the server asked us to wait (Retry-After), when it did. */
  readonly retryAfterMs: number | null;

  constructor(message: string, opts: { permanent: boolean; statusCode: number | null; retryAfterMs: number | null }) {
    super(message);
    this.name = 'HttpDeliveryError';
    this.permanent = opts.permanent;
    this.statusCode = opts.statusCode;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(header: string | string[] | undefined, now: Date = new Date()): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now.getTime());
}

/**
 * Classifies any error from the client: 429, 5xx, timeouts and network errors are transient;
 * other 4xx are permanent (retrying will not help).
 */
export function classifyHttpError(err: unknown, now: Date = new Date()): HttpDeliveryError {
  if (err instanceof HTTPError) {
    const status = err.response.statusCode;
    const transient = status === 429 || status >= 500;
    const body = typeof err.response.body === 'string' ? err.response.body.slice(0, 200) : '';
    return new HttpDeliveryError(
      `HTTP ${status} from ${redactUrl(err.request.requestUrl)}${body ? `: ${redactUrlsInText(body)}` : ''}`,
      { permanent: !transient, statusCode: status, retryAfterMs: parseRetryAfter(err.response.headers['retry-after'], now) },
    );
  }
  if (err instanceof RequestError) {
    const url = redactUrl(err.request?.requestUrl ?? err.options?.url?.toString());
    return new HttpDeliveryError(`${err.code ?? 'request error'} calling ${url}: ${redactUrlsInText(err.message)}`, {
      permanent: false,
      statusCode: null,
      retryAfterMs: null,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new HttpDeliveryError(redactUrlsInText(message), { permanent: false, statusCode: null, retryAfterMs: null });
}
