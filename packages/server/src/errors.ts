import { STATUS_CODES } from 'node:http';
import { isRedisUnavailable } from '@datamon/store';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** The one error body of the API (README "HTTP API"): `{error, message, statusCode}`. */
export interface ErrorBody {
  /** The HTTP reason phrase, e.g. "Not Found": stable, for programs. */
  error: string;
  /** What went wrong and, where it helps, what to do: for people. */
  message: string;
  statusCode: number;
}

/**
 * An error a route throws to answer with a given status. Everything that is not one of these (or a
 * Fastify 4xx) becomes a 500 whose message hides the internals.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/**
 * The error body for a status code: the only place an error body is made.
 *
 * @param statusCode - the HTTP status
 * @param message - what went wrong, written for the person reading it
 */
export function errorBody(statusCode: number, message: string): ErrorBody {
  return { error: STATUS_CODES[statusCode] ?? 'Error', message, statusCode };
}

/** Sends an error body: for hooks that answer directly rather than throw. */
export function sendError(reply: FastifyReply, statusCode: number, message: string, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(statusCode).headers(headers).type('application/json; charset=utf-8').send(errorBody(statusCode, message));
}

export const notFound = (message: string): HttpError => new HttpError(404, message);
export const conflict = (message: string): HttpError => new HttpError(409, message);


/**
 * The app's error handler: every failure leaves as `{error, message, statusCode}`. Validation
 * failures (params, query, body) are 400 with Fastify's precise message ("querystring/hours must
 * be <= 2160"); unexpected errors are logged with their stack and answered without it.
 */
export function handleError(error: FastifyError | HttpError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof HttpError) return sendError(reply, error.statusCode, error.message, { ...error.headers });
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return sendError(reply, 400, fastifyError.message);
  const statusCode = fastifyError.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return sendError(reply, statusCode, fastifyError.message);
  }
  if (isRedisUnavailable(error)) {
    // Said once per outage by the connection report, not once per request.
    request.server.redisReport?.error('api', error);
    return sendError(reply, 503, 'Redis is not reachable; the API answers again as soon as it is (see /readyz)');
  }
  request.log.error({ err: error, method: request.method, url: loggablePath(request.url) }, 'request failed');
  return sendError(reply, 500, 'internal error; the server log has the details');
}

/** The 404 for a path no route serves. */
export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, 404, `no route ${request.method} ${loggablePath(request.url)}`);
}

/** A request's path without its query, and with a ping key masked: what logs and messages may show. */
export function loggablePath(url: string): string {
  return (url.split('?')[0] ?? '').replace(/^\/ping\/[^/]+/, '/ping/********');
}
