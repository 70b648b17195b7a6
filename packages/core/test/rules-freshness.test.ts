import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateFreshness } from '../src/rules/index.ts';

const NOW = new Date('2026-03-30T10:00:00Z');
const HOUR = 3_600_000;
const ageOf = (hours: number, extraMs = 0) => new Date(NOW.getTime() - hours * HOUR - extraMs);
const check = (newest: Date | null) =>
  evaluateFreshness({ subject: 'FactCalls.call_start', newest, now: NOW, warningHours: 12, criticalHours: 24 });

describe('freshness rule (warning over 12 h, critical over 24 h)', () => {
  it('is OK just below the warning bound', () => {
    const outcome = check(ageOf(12, -1));
    assert.equal(outcome.status, 'OK');
    assert.equal(outcome.threshold, 'warning over 12 h');
  });
  it('is OK exactly at the warning bound ("older than" is strict)', () => {
    assert.equal(check(ageOf(12)).status, 'OK');
  });
  it('is WARNING just above the warning bound', () => {
    const outcome = check(ageOf(12, 1000));
    assert.equal(outcome.status, 'WARNING');
    assert.equal(outcome.threshold, 'warning over 12 h');
  });
  it('is WARNING just below and exactly at the critical bound', () => {
    assert.equal(check(ageOf(24, -1)).status, 'WARNING');
    assert.equal(check(ageOf(24)).status, 'WARNING');
  });
  it('is CRITICAL just above the critical bound', () => {
    const outcome = check(ageOf(24, 1000));
    assert.equal(outcome.status, 'CRITICAL');
    assert.equal(outcome.threshold, 'critical over 24 h');
  });
  it('says how old the newest row is against the bound it crossed', () => {
    const outcome = check(ageOf(26));
    assert.equal(outcome.message, 'newest FactCalls.call_start is 26.0 h old (critical over 24 h)');
    assert.equal(outcome.value, 26);
  });
  it('never prints an age that looks equal to the bound it is over', () => {
    const outcome = check(ageOf(24, 60_000));
    assert.equal(outcome.status, 'CRITICAL');
    assert.match(outcome.message, /is 24\.02 h old \(critical over 24 h\)/);
  });
  it('gives minutes for data less than an hour old', () => {
    assert.equal(check(ageOf(0, 4 * 60_000)).message, 'newest FactCalls.call_start is 4 min old (warning over 12 h)');
  });
  it('reports CRITICAL when there are no rows at all', () => {
    const outcome = check(null);
    assert.equal(outcome.status, 'CRITICAL');
    assert.equal(outcome.value, null);
    assert.match(outcome.message, /no rows/);
  });
  it('is OK but points at database.timezone when the newest row is in the future', () => {
    const outcome = check(new Date(NOW.getTime() + HOUR));
    assert.equal(outcome.status, 'OK');
    assert.match(outcome.message, /1\.0 h in the future .*database\.timezone/);
  });
});
