import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCountQuery, buildFreshnessQuery } from '../src/index.ts';

describe('SQL built from a pipeline', () => {
  it('asks for MAX of the column, identifiers escaped', () => {
    assert.deepEqual(buildFreshnessQuery({ table: 'FactCalls', column: 'call_start', filters: {} }), {
      sql: 'SELECT MAX(`call_start`) AS newest FROM `FactCalls`',
      params: [],
    });
  });
  it('counts a day as a half-open range on the column, values as parameters', () => {
    const query = buildCountQuery(
      { table: 'warehouse.FactCalls', column: 'call_start', filters: { region: 'north', deleted_at: null } },
      { from: '2026-03-29 00:00:00', to: '2026-03-30 00:00:00' },
    );
    assert.equal(
      query.sql,
      'SELECT COUNT(*) AS n FROM `warehouse`.`FactCalls` WHERE `call_start` >= ? AND `call_start` < ? AND `region` = ? AND `deleted_at` IS NULL',
    );
    assert.deepEqual(query.params, ['2026-03-29 00:00:00', '2026-03-30 00:00:00', 'north']);
    assert.doesNotMatch(query.sql, /DATE\(/);
  });
  it('cannot be broken out of by a backtick in a name or a quote in a value', () => {
    const query = buildCountQuery({ table: 'T`; DROP TABLE x; --', column: null, filters: { "a` = 1 OR `b": "x' OR '1'='1" } }, null);
    assert.equal(query.sql, 'SELECT COUNT(*) AS n FROM `T``; DROP TABLE x; --` WHERE `a`` = 1 OR ``b` = ?');
    assert.deepEqual(query.params, ["x' OR '1'='1"]);
  });
  it('refuses a windowed count without a column', () => {
    assert.throws(() => buildCountQuery({ table: 'T', column: null, filters: {} }, { from: 'a', to: 'b' }), /needs a column/);
  });
});
