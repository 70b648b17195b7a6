import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateCount } from '../src/rules/index.ts';

const operators = (count: number) =>
  evaluateCount({ count, what: 'in DimOperators with is_active = 1', criticalBelow: 200, warningBelow: 237 });
const calls = (count: number) => evaluateCount({ count, what: 'in FactCalls with call_start yesterday', criticalBelow: 1, warningBelow: 1000 });
const firstCalls = (count: number) => evaluateCount({ count, what: 'in FactFirstCalls', criticalBelow: 1, warningBelow: null });

describe('count rule for operators (critical below 200, warning below 237)', () => {
  it('is CRITICAL just below the critical bound', () => {
    const outcome = operators(199);
    assert.equal(outcome.status, 'CRITICAL');
    assert.equal(outcome.message, '199 rows in DimOperators with is_active = 1 (critical below 200)');
  });
  it('is WARNING exactly at the critical bound ("below" is strict)', () => {
    assert.equal(operators(200).status, 'WARNING');
  });
  it('is WARNING just above the critical bound and just below the warning bound', () => {
    assert.equal(operators(201).status, 'WARNING');
    const outcome = operators(236);
    assert.equal(outcome.status, 'WARNING');
    assert.equal(outcome.threshold, 'warning below 237');
  });
  it('is OK exactly at and just above the warning bound', () => {
    assert.equal(operators(237).status, 'OK');
    const outcome = operators(241);
    assert.equal(outcome.status, 'OK');
    assert.equal(outcome.message, '241 rows in DimOperators with is_active = 1 (warning below 237)');
    assert.equal(outcome.value, 241);
  });
});

describe('count rule for call volume (critical at 0, warning below 1000)', () => {
  it('is CRITICAL at 0 and says so plainly', () => {
    const outcome = calls(0);
    assert.equal(outcome.status, 'CRITICAL');
    assert.equal(outcome.message, '0 rows in FactCalls with call_start yesterday (critical at 0)');
  });
  it('is WARNING from 1 to 999 and OK from 1000', () => {
    assert.equal(calls(1).status, 'WARNING');
    assert.equal(calls(1).message, '1 row in FactCalls with call_start yesterday (warning below 1,000)');
    assert.equal(calls(999).status, 'WARNING');
    assert.equal(calls(1000).status, 'OK');
    assert.equal(calls(1001).status, 'OK');
  });
});

describe('count rule without a warning bound', () => {
  it('is CRITICAL below the critical bound and OK from it', () => {
    assert.equal(firstCalls(0).status, 'CRITICAL');
    assert.equal(firstCalls(1).status, 'OK');
    assert.equal(firstCalls(2).message, '2 rows in FactFirstCalls (critical at 0)');
  });
  it('groups thousands in big counts', () => {
    assert.match(firstCalls(1_234_567).message, /^1,234,567 rows/);
  });
});
