/** How much of a command's output is kept by default: what a heartbeat ping body holds (SPEC 9). */
export const OUTPUT_TAIL_BYTES = 10_000;

/**
 * The last `limit` bytes of a stream of chunks (a command's stdout and stderr as they arrive),
 * in bounded memory however much is written.
 */
export class OutputTail {
  readonly limit: number;
  #chunks: Buffer[] = [];
  #held = 0;
  #seen = 0;

  constructor(limit: number = OUTPUT_TAIL_BYTES) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`an output tail needs a whole number of bytes, not ${limit}`);
    this.limit = limit;
  }

  /** Adds a chunk; a string is taken as UTF-8. */
  push(chunk: Buffer | Uint8Array | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (bytes.length === 0) return;
    this.#seen += bytes.length;
    // A chunk larger than the whole tail only matters for its end (copied: the caller may reuse its buffer).
    const kept = bytes.length > this.limit ? Buffer.from(bytes.subarray(bytes.length - this.limit)) : Buffer.from(bytes);
    this.#chunks.push(kept);
    this.#held += kept.length;
    // Drops whole chunks that are entirely before the tail; the first kept one may start before it.
    while (this.#chunks.length > 0 && this.#held - (this.#chunks[0] as Buffer).length >= this.limit) {
      this.#held -= (this.#chunks.shift() as Buffer).length;
    }
    // Many small chunks: join them now and then so the list stays short.
    if (this.#chunks.length > 256) {
      const joined = this.bytes();
      this.#chunks = [joined];
      this.#held = joined.length;
    }
  }

  /** Every byte ever pushed, kept or not. */
  get bytesSeen(): number {
    return this.#seen;
  }

  /** Whether bytes were dropped from the start. */
  get truncated(): boolean {
    return this.#seen > this.limit;
  }

  /** The kept bytes, exactly: the last `limit` bytes pushed (fewer when less was pushed). */
  bytes(): Buffer {
    const all = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks, this.#held);
    return all.length > this.limit ? all.subarray(all.length - this.limit) : all;
  }

  /**
   * The tail as text. When the cut fell inside a multi-byte UTF-8 character, the bytes of that
   * character are left out rather than shown as a replacement character.
   */
  toString(): string {
    return decodeTail(this.bytes(), this.truncated);
  }
}

/** UTF-8 text of bytes whose start may have been cut mid-character. */
export function decodeTail(bytes: Buffer, cut: boolean): string {
  let start = 0;
  if (cut) {
    // Continuation bytes are 10xxxxxx; a character has at most three of them.
    while (start < 3 && start < bytes.length && ((bytes[start] as number) & 0xc0) === 0x80) start += 1;
  }
  return bytes.subarray(start).toString('utf8');
}
