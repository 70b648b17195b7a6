import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import negotiate from '@fastify/accept-negotiator';
import { strongEtag } from './etag.ts';

/** The encodings datamon sends, best first: here and through the compression plugin. */
export const ENCODINGS = ['br', 'gzip'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/**
 * The encoding a request's `Accept-Encoding` takes, or null for the bytes as they are. `*` and
 * `x-gzip` count as gzip, as in @fastify/compress.
 */
export function acceptedEncoding(header: string | undefined): Encoding | null {
  if (!header) return null;
  return negotiate(header.toLowerCase().replace(/\*|x-gzip/gu, 'gzip'), [...ENCODINGS]);
}

export type Compressor = (bytes: Buffer, encoding: Encoding) => Buffer;

/** Brotli at quality 5 (a snapshot is compressed once and sent many times) and gzip at its default. */
export const compressBytes: Compressor = (bytes, encoding) =>
  encoding === 'br'
    ? brotliCompressSync(bytes, {
        params: { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
      })
    : gzipSync(bytes);

export interface Representation {
  /** The strong tag of the bytes (a compressed copy is sent under its weak form). */
  etag: string;
  /** What goes on the wire: the bytes, or the bytes in `encoding`. */
  body: Buffer;
  encoding: Encoding | null;
}

/**
 * The representations of a body, remembering the last one: its tag is hashed once and each
 * encoding compressed once, however many clients poll between two snapshots. Compressing per
 * request cost the API process CPU and left it with tens of MB of fragmented malloc heap after
 * a busy hour (brotli's encoder state is malloc'd). The bytes go out as a Buffer: a string would
 * be encoded to UTF-8 again on every write.
 *
 * @param compress - how bytes are compressed (tests count the calls)
 */
export function cachedRepresentations(compress: Compressor = compressBytes): (bytes: Buffer, encoding: Encoding | null) => Representation {
  let last: { bytes: Buffer; etag: string; encoded: Partial<Record<Encoding, Buffer>> } = { bytes: Buffer.alloc(0), etag: strongEtag(''), encoded: {} };
  return (bytes, encoding) => {
    // A copy: a Buffer from the Redis client may be a view into its shared read pool, which it
    // would keep alive.
    if (!bytes.equals(last.bytes)) last = { bytes: Buffer.from(bytes), etag: strongEtag(bytes), encoded: {} };
    if (encoding === null) return { etag: last.etag, body: last.bytes, encoding };
    const body = (last.encoded[encoding] ??= compress(last.bytes, encoding));
    return { etag: last.etag, body, encoding };
  };
}
