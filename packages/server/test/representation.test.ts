import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { strongEtag } from '../src/etag.ts';
import { acceptedEncoding, cachedRepresentations, compressText, type Encoding } from '../src/representation.ts';

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
  const text = JSON.stringify({ pipelines: Array.from({ length: 200 }, (_, index) => ({ id: `p${index}`, status: 'OK' })) });

  it('compresses a text once per encoding however often it is asked for, and again once it changes', () => {
    const calls: Encoding[] = [];
    const representationOf = cachedRepresentations((input, encoding) => {
      calls.push(encoding);
      return compressText(input, encoding);
    });
    for (let i = 0; i < 5; i += 1) {
      assert.equal(brotliDecompressSync(representationOf(text, 'br').body as Buffer).toString('utf8'), text);
      assert.equal(gunzipSync(representationOf(text, 'gzip').body as Buffer).toString('utf8'), text);
      assert.equal(representationOf(text, null).body, text);
    }
    assert.deepEqual(calls, ['br', 'gzip']);
    const changed = `${text} `;
    assert.equal(brotliDecompressSync(representationOf(changed, 'br').body as Buffer).toString('utf8'), changed);
    assert.deepEqual(calls, ['br', 'gzip', 'br']);
  });

  it('gives every representation the strong tag of the text', () => {
    const representationOf = cachedRepresentations();
    assert.equal(representationOf(text, 'gzip').etag, strongEtag(text));
    assert.equal(representationOf(text, null).etag, strongEtag(text));
  });
});
