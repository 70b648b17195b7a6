import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskSecrets, maskSecretsInTail, OutputTail } from '@datamon/io';

describe('an output tail', () => {
  it('keeps everything while less than its limit was written', () => {
    const tail = new OutputTail(16);
    tail.push('hello ');
    tail.push(Buffer.from('world'));
    assert.equal(tail.toString(), 'hello world');
    assert.equal(tail.bytesSeen, 11);
    assert.equal(tail.truncated, false);
  });

  it('keeps 10,000 bytes by default', () => {
    assert.equal(new OutputTail().limit, 10_000);
  });

  it('keeps only the last bytes of many chunks, in order', () => {
    const tail = new OutputTail(10);
    for (let i = 0; i < 1000; i += 1) tail.push(String(i % 10));
    assert.equal(tail.toString(), '0123456789');
    assert.equal(tail.bytesSeen, 1000);
    assert.equal(tail.truncated, true);
  });

  it('keeps the end of one chunk larger than the limit', () => {
    const tail = new OutputTail(5);
    tail.push('abc');
    tail.push('0123456789');
    assert.equal(tail.toString(), '56789');
    assert.equal(tail.bytes().length, 5);
  });

  it('keeps exactly the limit when a cut falls inside a chunk', () => {
    const tail = new OutputTail(6);
    tail.push('abcd');
    tail.push('efgh');
    assert.equal(tail.toString(), 'cdefgh');
  });

  it('never shows a broken character where the cut fell inside one', () => {
    const tail = new OutputTail(5);
    // "é" is 2 bytes and "€" 3: the last 5 bytes of "aé€x" start inside "é".
    tail.push('aé€x');
    assert.equal(tail.bytes().length, 5);
    assert.equal(tail.toString(), '€x');
    assert.ok(!tail.toString().includes('\uFFFD'));
  });

  it('decodes a character split across two chunks', () => {
    const tail = new OutputTail(100);
    const euro = Buffer.from('€');
    tail.push(euro.subarray(0, 1));
    tail.push(euro.subarray(1));
    assert.equal(tail.toString(), '€');
  });

  it('does not keep a reference to a buffer the caller reuses', () => {
    const tail = new OutputTail(10);
    const buffer = Buffer.from('abc');
    tail.push(buffer);
    buffer.write('xyz');
    assert.equal(tail.toString(), 'abc');
  });

  it('refuses a limit that is not a whole number of bytes', () => {
    assert.throws(() => new OutputTail(-1), RangeError);
    assert.throws(() => new OutputTail(1.5), RangeError);
  });
});

describe('masking secrets', () => {
  it('replaces every occurrence of each secret', () => {
    assert.equal(maskSecrets('token=abcd1234 again abcd1234', ['abcd1234']), 'token=******** again ********');
  });

  it('masks the longest secret first, so one inside another is masked whole', () => {
    assert.equal(maskSecrets('pw: hunter2-extra', ['hunter2', 'hunter2-extra']), 'pw: ********');
  });

  it('leaves secrets shorter than 4 characters alone', () => {
    assert.equal(maskSecrets('a cat sat', ['at', '']), 'a cat sat');
  });

  it('masks a secret whose start was cut off at the beginning of a tail', () => {
    assert.equal(maskSecretsInTail('cret-value done; s3cret-value', ['s3cret-value']), '******** done; ********');
    assert.equal(maskSecretsInTail('lue done', ['s3cret-value']), 'lue done');
  });
});
