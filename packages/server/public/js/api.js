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
    this.status = status;
  }
}

/** The stored Authorization header value, or null when signed out. */
export function storedAuthorization() {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function storeAuthorization(value) {
  if (value) sessionStorage.setItem(STORAGE_KEY, value);
  else sessionStorage.removeItem(STORAGE_KEY);
}

/** The header for a user name and password (UTF-8 safe, unlike a bare btoa). */
export function basicAuthorization(username, password) {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

/** Headers for a request, with the given or stored credentials. */
export function requestHeaders(authorization = storedAuthorization()) {
  const headers = { Accept: 'application/json', 'X-Requested-With': 'datamon-dashboard' };
  if (authorization) headers.Authorization = authorization;
  return headers;
}

/**
 * One JSON request. Errors come back as ApiError with the server's `message`.
 * @param {string} method
 * @param {string} path
 * @param {{ body?: unknown, authorization?: string | null, signal?: AbortSignal }} [options]
 */
export async function api(method, path, options = {}) {
  const headers = requestHeaders(options.authorization === undefined ? storedAuthorization() : options.authorization);
  const init = { method, headers, cache: 'no-store', signal: options.signal };
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
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
