/**
 * got's errors read by shape rather than `instanceof`, so this package needs only got's types
 * (the client itself comes from @datamon/io). Nothing here quotes a URL's query or a header.
 */

interface GotLikeError {
  name?: string;
  code?: string;
  message?: string;
  response?: { statusCode?: number; body?: unknown };
  options?: { url?: unknown; timeout?: { request?: number } };
}

/** The status and body of an HTTP error answer, or null for a network-level failure. */
export function httpErrorResponse(err: unknown): { statusCode: number; body: string } | null {
  const e = err as GotLikeError | null;
  if (e?.name !== 'HTTPError' || typeof e.response?.statusCode !== 'number') return null;
  const body = e.response.body;
  return { statusCode: e.response.statusCode, body: typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '' };
}

/** A network-level failure in words: a timeout with its limit, or the host and the error code. */
export function describeRequestError(err: unknown): string {
  const e = (err ?? {}) as GotLikeError;
  if (e.code === 'ETIMEDOUT' || e.name === 'TimeoutError') {
    const limit = e.options?.timeout?.request;
    return `no answer within ${limit ?? 'the timeout in'} ms (timeout)`;
  }
  if (e.code && e.options?.url) {
    let host = 'the server';
    try {
      host = new URL(String(e.options.url)).host;
    } catch {
      // keep the generic word
    }
    return `cannot reach ${host} (${e.code})`;
  }
  return e.code ?? e.message ?? String(err);
}
