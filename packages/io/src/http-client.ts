import type * as gotModule from 'got';
import type { Got, OptionsOfTextResponseBody, Response } from 'got';
import { redactUrl, redactUrlsInText } from './redact-url.ts';

type GotModule = typeof gotModule;

/** got, once something has called out: a process that never does (an idle check worker) never loads it. */
let loaded: GotModule | null = null;
let loading: Promise<GotModule> | null = null;

function loadGot(): Promise<GotModule> {
  loading ??= import('got').then((module) => (loaded = module));
  return loading;
}

/** One request's options: got's, for a text answer (`body` a string; `rawBody` the bytes). */
export type HttpOptions = Omit<OptionsOfTextResponseBody, 'url' | 'prefixUrl'>;
export type HttpResponse = Response<string>;

/** The one outbound HTTP client: got's calling conventions, got itself loaded on the first request. */
export interface HttpClient {
  (url: string | URL, options?: HttpOptions): Promise<HttpResponse>;
  get(url: string | URL, options?: HttpOptions): Promise<HttpResponse>;
  post(url: string | URL, options?: HttpOptions): Promise<HttpResponse>;
  /** The answer parsed as JSON (got's `.json()`: `Accept: application/json`, a ParseError if it is not). */
  json<T>(url: string | URL, options?: HttpOptions): Promise<T>;
}

/**
 * The one outbound HTTP client (STYLE 6): timeouts, no redirects, and no retries of its own:
 * callers decide whether an error is transient (`HttpDeliveryError.permanent`), and the queue
 * retries with backoff that honours Retry-After.
 */
export function createHttpClient(options: { timeoutMs?: number; userAgent?: string } = {}): HttpClient {
  let instance: Promise<Got> | null = null;
  const client = (): Promise<Got> => {
    instance ??= loadGot().then(({ default: got }) =>
      got.extend({
        timeout: { request: options.timeoutMs ?? 10_000 },
        retry: { limit: 0 },
        followRedirect: false,
        throwHttpErrors: true,
        headers: { 'user-agent': options.userAgent ?? 'datamon' },
      }),
    );
    return instance;
  };
  const request = async (url: string | URL, init: HttpOptions = {}): Promise<HttpResponse> => (await client())(url, init);
  return Object.assign(request, {
    get: (url: string | URL, init: HttpOptions = {}) => request(url, { ...init, method: 'GET' }),
    post: (url: string | URL, init: HttpOptions = {}) => request(url, { ...init, method: 'POST' }),
    json: async <T>(url: string | URL, init: HttpOptions = {}): Promise<T> => (await client())(url, init).json<T>(),
  });
}

/** Whether `err` is one of got's request errors (HTTP, network, timeout, parse). */
export function isRequestError(err: unknown): err is InstanceType<GotModule['RequestError']> {
  return loaded !== null && err instanceof loaded.RequestError;
}

function isHttpError(err: unknown): err is InstanceType<GotModule['HTTPError']> {
  return loaded !== null && err instanceof loaded.HTTPError;
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
  if (isHttpError(err)) {
    const status = err.response.statusCode;
    const transient = status === 429 || status >= 500;
    const body = typeof err.response.body === 'string' ? err.response.body.slice(0, 200) : '';
    return new HttpDeliveryError(
      `HTTP ${status} from ${redactUrl(err.request.requestUrl)}${body ? `: ${redactUrlsInText(body)}` : ''}`,
      { permanent: !transient, statusCode: status, retryAfterMs: parseRetryAfter(err.response.headers['retry-after'], now) },
    );
  }
  if (isRequestError(err)) {
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
