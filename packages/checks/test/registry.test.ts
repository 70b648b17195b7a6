import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHECK_KINDS, checkRegistry, createRegistry, DuplicateCheckKindError, UnknownCheckKindError } from '../src/index.ts';

describe('the check kind registry', () => {
  it('lists each built-in kind once, each with its fields schema and its group', () => {
    assert.deepEqual(checkRegistry.kinds(), ['mysql_freshness', 'mysql_count', 'file_arrival', 'sheet_updated', 'heartbeat']);
    for (const kind of CHECK_KINDS) {
      assert.equal(kind.fields.type, 'object', `${kind.kind} has a fields schema`);
      assert.ok(kind.group.length > 0, `${kind.kind} has a group`);
    }
  });
  it('throws on an unknown kind, listing the known ones', () => {
    assert.throws(() => checkRegistry.get('ftp_poll'), (err: unknown) => {
      assert.ok(err instanceof UnknownCheckKindError);
      assert.match(err.message, /unknown check kind "ftp_poll" \(known: mysql_freshness, mysql_count, file_arrival, sheet_updated, heartbeat\)/);
      return true;
    });
  });
  it('refuses two kinds with the same name', () => {
    const [first] = CHECK_KINDS;
    assert.ok(first);
    assert.throws(() => createRegistry([first, first]), DuplicateCheckKindError);
  });
});
