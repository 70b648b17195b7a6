import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countWindowRange, describeCounted, describeFilters, formatNearBound } from '../src/rules/index.ts';

const ZONE = 'Europe/London';

describe('count windows are local days', () => {
  it('makes 2026-03-29 (clocks go forward) a 23-hour today', () => {
    const range = countWindowRange('today', new Date('2026-03-29T12:00:00Z'), ZONE);
    assert.equal(range?.start.toISOString(), '2026-03-29T00:00:00.000Z');
    assert.equal(range?.end.toISOString(), '2026-03-29T23:00:00.000Z');
  });
  it('makes 2026-10-25 (clocks go back) a 25-hour yesterday seen from the 26th', () => {
    const range = countWindowRange('yesterday', new Date('2026-10-26T09:00:00Z'), ZONE);
    assert.equal(range?.start.toISOString(), '2026-10-24T23:00:00.000Z');
    assert.equal(range?.end.toISOString(), '2026-10-26T00:00:00.000Z');
  });
  it('has no range for "all"', () => {
    assert.equal(countWindowRange('all', new Date(), ZONE), null);
  });
});

describe('what a count counted, in words', () => {
  it('names the table, the window with its date, and the filters', () => {
    const now = new Date('2026-03-30T08:00:00Z');
    assert.equal(describeCounted('FactCalls', 'yesterday', 'call_start', {}, now, ZONE), 'in FactCalls with call_start yesterday, 2026-03-29');
    assert.equal(describeCounted('DimOperators', 'all', null, { is_active: 1 }, now, ZONE), 'in DimOperators with is_active = 1');
    assert.equal(describeCounted('T', 'today', 'at', { kind: 'x' }, now, ZONE), "in T with kind = 'x' and at today, 2026-03-30");
    assert.equal(describeFilters({ region: 'north', closed_at: null }), "region = 'north' and closed_at is null");
  });
});

describe('numbers next to their bound', () => {
  it('adds decimals only when the rounded figure would equal the bound', () => {
    assert.equal(formatNearBound(26, 24), '26.0');
    assert.equal(formatNearBound(24, 24), '24.0');
    assert.equal(formatNearBound(24.01, 24), '24.01');
    assert.equal(formatNearBound(60.2, 60, 0), '60.2');
  });
});
