import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PIPELINE_KINDS } from '@datamon/core';
import { CHECK_KINDS, checkRegistry, createRegistry, DuplicateCheckKindError, UnknownCheckKindError } from '../src/index.ts';

describe('the check kind registry', () => {
  it('implements every pipeline kind the config accepts, once', () => {
    assert.deepEqual([...checkRegistry.kinds()].sort(), [...PIPELINE_KINDS].sort());
    assert.equal(CHECK_KINDS.length, PIPELINE_KINDS.length);
  });
  it('throws on an unknown kind, listing the known ones', () => {
    assert.throws(() => checkRegistry.get('ftp_poll'), (err: unknown) => {
      assert.ok(err instanceof UnknownCheckKindError);
      assert.match(err.message, /unknown check kind "ftp_poll" \(known: mysql_freshness, mysql_count, file_arrival, sheet_updated\)/);
      return true;
    });
  });
  it('refuses two kinds with the same name', () => {
    const [first] = CHECK_KINDS;
    assert.ok(first);
    assert.throws(() => createRegistry([first, first]), DuplicateCheckKindError);
  });
});
