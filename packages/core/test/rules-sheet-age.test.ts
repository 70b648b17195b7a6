import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateSheetAge } from '../src/rules/index.ts';

const NOW = new Date('2026-11-27T14:00:00Z');
const MIN = 60_000;
const sheet = (ageMs: number) =>
  evaluateSheetAge({
    subject: 'sheet productivity',
    updatedAt: new Date(NOW.getTime() - ageMs),
    now: NOW,
    zone: 'Europe/London',
    warningMinutes: 60,
    criticalMinutes: 120,
  });

describe('sheet age rule (warning over 60 min, critical over 120 min)', () => {
  it('is OK just below and exactly at the warning bound', () => {
    assert.equal(sheet(60 * MIN - 1000).status, 'OK');
    assert.equal(sheet(60 * MIN).status, 'OK');
  });
  it('is WARNING just above the warning bound, below and at the critical bound', () => {
    assert.equal(sheet(60 * MIN + 1000).status, 'WARNING');
    assert.equal(sheet(120 * MIN - 1000).status, 'WARNING');
    assert.equal(sheet(120 * MIN).status, 'WARNING');
  });
  it('is CRITICAL just above the critical bound', () => {
    const outcome = sheet(120 * MIN + 1000);
    assert.equal(outcome.status, 'CRITICAL');
    assert.equal(outcome.threshold, 'critical over 120 min');
    assert.match(outcome.message, /^sheet productivity last updated 120\.0\d? min ago, at 11:59 \(critical over 120 min\)$/);
  });
  it('says how long ago and at what local time', () => {
    const outcome = sheet(75 * MIN);
    assert.equal(outcome.message, 'sheet productivity last updated 75 min ago, at 12:45 (warning over 60 min)');
    assert.equal(outcome.value, 75);
  });
  it('gives the date when the update was on another day', () => {
    assert.match(sheet(24 * 60 * MIN).message, /at 2026-11-26 14:00/);
  });
});
