import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { strongEtag } from '../src/etag.ts';
import { acceptedEncoding, cachedRepresentations, compressBytes, type Encoding } from '../src/representation.ts';

describe('acceptedEncoding', () => {
  it('takes br before gzip, honours q-values, and reads * and x-gzip as gzip', () => {
    assert.equal(acceptedEncoding('gzip, deflate, br'), 'br');
    assert.equal(acceptedEncoding('br;q=0.5, gzip'), 'gzip');
    assert.equal(acceptedEncoding('br;q=0, gzip;q=0.1'), 'gzip');
    assert.equal(acceptedEncoding('X-GZIP'), 'gzip');
    assert.equal(acceptedEncoding('*'), 'gzip');
    assert.equal(acceptedEncoding('identity'), null);
    assert.equal(acceptedEncoding('deflate'), null);
    assert.equal(acceptedEncoding(undefined), null);
  });
});

describe('cachedRepresentations', () => {
  const text = JSON.stringify({ pipelines: Array.from({ length: 200 }, (_, index) => ({ id: `p${index}`, status: 'OK', message: 'zählt' })) });
  const bytes = Buffer.from(text);

  it('compresses the bytes once per encoding however often they are asked for, and again once they change', () => {
    const calls: Encoding[] = [];
    const representationOf = cachedRepresentations((input, encoding) => {
      calls.push(encoding);
      return compressBytes(input, encoding);
    });
    for (let i = 0; i < 5; i += 1) {
      // Each poll reads the snapshot again: equal bytes in another Buffer.
      const read = Buffer.from(text);
      assert.equal(brotliDecompressSync(representationOf(read, 'br').body).toString('utf8'), text);
      assert.equal(gunzipSync(representationOf(read, 'gzip').body).toString('utf8'), text);
      assert.equal(representationOf(read, null).body.toString('utf8'), text);
    }
    assert.deepEqual(calls, ['br', 'gzip']);
    const changed = `${text} `;
    assert.equal(brotliDecompressSync(representationOf(Buffer.from(changed), 'br').body).toString('utf8'), changed);
    assert.deepEqual(calls, ['br', 'gzip', 'br']);
  });

  it('keeps a copy of the bytes, not the buffer it was given (a Redis client reads into a shared pool)', () => {
    const pool = Buffer.from(`${text}${'x'.repeat(64 * 1024)}`);
    const read = pool.subarray(0, Buffer.byteLength(text));
    const { body } = cachedRepresentations()(read, null);
    assert.equal(body.toString('utf8'), text);
    assert.notEqual(body.buffer, pool.buffer, 'the 64 KiB pool is not kept alive by the snapshot');
  });

  it('gives every representation the strong tag of the bytes, the same as of their text', () => {
    const representationOf = cachedRepresentations();
    assert.equal(representationOf(bytes, 'gzip').etag, strongEtag(text));
    assert.equal(representationOf(bytes, null).etag, strongEtag(bytes));
  });
});
