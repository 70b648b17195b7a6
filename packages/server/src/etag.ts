import { createHash } from 'node:crypto';

/**
 * A strong entity tag for these exact bytes: a SHA-256 of the text, so every API process gives
 * the same tag for the same snapshot.
 *
 * @param body - the body as it is sent (a string is hashed as its UTF-8 bytes)
 */
export function strongEtag(body: string | Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/**
 * The tag of `If-None-Match` that names this one, by weak comparison (RFC 9110 §13.1.2), as the
 * client wrote it (`W/"..."` for a compressed copy), or null: with one, the client holds this
 * very representation and the answer is `304 Not Modified`, confirming the tag it holds.
 *
 * @param header - the request's `If-None-Match`, if any
 * @param etag - the current tag
 */
export function heldEtag(header: string | undefined, etag: string): string | null {
  if (!header) return null;
  if (header.trim() === '*') return etag;
  const opaque = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);
  return header.split(',').map((listed) => listed.trim()).find((tag) => opaque(tag) === opaque(etag)) ?? null;
}
