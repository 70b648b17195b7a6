import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import negotiate from '@fastify/accept-negotiator';
import { strongEtag } from './etag.ts';

/** The encodings datamon sends, best first (as the compression plugin has them). */
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

export type Compressor = (text: string, encoding: Encoding) => Buffer;

/** Brotli at quality 5 (a snapshot is compressed once and sent many times) and gzip at its default. */
export const compressText: Compressor = (text, encoding) =>
  encoding === 'br'
    ? brotliCompressSync(text, {
        params: { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: Buffer.byteLength(text) },
      })
    : gzipSync(text);

export interface Representation {
  /** The strong tag of the text (a compressed copy is sent under its weak form). */
  etag: string;
  /** What goes on the wire: the text, or its bytes in `encoding`. */
  body: string | Buffer;
  encoding: Encoding | null;
}

/**
 * The text's representations, remembering the last text: its tag is hashed once and each
 * encoding compressed once, however many clients poll between two snapshots. Compressing per
 * request cost the API process CPU and left it with tens of MB of fragmented malloc heap after
 * a busy hour (brotli's encoder state is malloc'd).
 *
 * @param compress - how a text is compressed (tests count the calls)
 */
export function cachedRepresentations(compress: Compressor = compressText): (text: string, encoding: Encoding | null) => Representation {
  let last: { text: string; etag: string; encoded: Partial<Record<Encoding, Buffer>> } = { text: '', etag: strongEtag(''), encoded: {} };
  return (text, encoding) => {
    if (text !== last.text) last = { text, etag: strongEtag(text), encoded: {} };
    if (encoding === null) return { etag: last.etag, body: text, encoding };
    const body = (last.encoded[encoding] ??= compress(text, encoding));
    return { etag: last.etag, body, encoding };
  };
}
