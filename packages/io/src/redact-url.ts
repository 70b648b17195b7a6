/**
 * A URL safe to log: query string and credentials removed. Google Chat webhook URLs carry their
 * key and token in the query, and HTTP client errors carry the full URL.
 */
export function redactUrl(url: string | URL | undefined | null): string {
  if (url === undefined || url === null || url === '') return '';
  try {
    const parsed = new URL(String(url));
    const hadQuery = parsed.search !== '';
    parsed.search = '';
    parsed.hash = '';
    parsed.username = '';
    parsed.password = '';
    return parsed.toString() + (hadQuery ? '?[redacted]' : '');
  } catch {
    const text = String(url);
    const cut = text.indexOf('?');
    return cut === -1 ? text : `${text.slice(0, cut)}?[redacted]`;
  }
}

/** Replaces every URL's query string inside free text (error messages quote URLs). */
export function redactUrlsInText(text: string): string {
  return text.replace(/(https?:\/\/[^\s?"'<>]+)\?[^\s"'<>]*/g, '$1?[redacted]');
}
