// @ts-check
/**
 * The API client: every request carries the signed-in credentials (kept in sessionStorage, so
 * only this tab has them) and asks for a Bearer challenge, which keeps the browser's own
 * basic-auth dialog from popping up over the page's sign-in form.
 */

const STORAGE_KEY = 'datamon.authorization';

export class ApiError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    /** The HTTP status; 0 when the API could not be reached. */
    this.status = status;
  }
}

/**
 * The stored Authorization header value, or null when signed out.
 * @returns {string | null}
 */
export function storedAuthorization() {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** @param {string | null} value none signs out */
export function storeAuthorization(value) {
  if (value) sessionStorage.setItem(STORAGE_KEY, value);
  else sessionStorage.removeItem(STORAGE_KEY);
}

/**
 * The header for a user name and password (UTF-8 safe, unlike a bare btoa).
 * @param {string} username
 * @param {string} password
 */
export function basicAuthorization(username, password) {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/**
 * Headers for a request, with the given or stored credentials.
 * @param {string | null} [authorization]
 * @returns {Record<string, string>}
 */
export function requestHeaders(authorization = storedAuthorization()) {
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json', 'X-Requested-With': 'datamon-dashboard' };
  if (authorization) headers.Authorization = authorization;
  return headers;
}

/**
 * One JSON request. Errors come back as ApiError with the server's `message`.
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, authorization?: string | null, signal?: AbortSignal }} [options]
 * @returns {Promise<unknown>} the parsed body, for the caller to type by the route it asked
 */
export async function api(method, path, options = {}) {
  const headers = requestHeaders(options.authorization === undefined ? storedAuthorization() : options.authorization);
  /** @type {RequestInit} */
  // /api/status has an ETag: it is revalidated rather than refetched (a 304 while the snapshot
  // is unchanged, and the browser hands back the copy it holds). Nothing else is kept.
  const init = { method, headers, cache: method === 'GET' && path === '/api/status' ? 'no-cache' : 'no-store', signal: options.signal };
  // Every change is JSON, a body or not: the server takes no other kind (no cross-site form can send it).
  if (options.body !== undefined || method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body ?? {});
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'cannot reach the datamon API');
  }
  const text = await response.text();
  let data;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = data && typeof data.message === 'string' ? data.message : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message);
  }
  return data;
}
