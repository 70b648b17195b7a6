import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateFileArrival, type FileObservation } from '../src/rules/index.ts';

const ZONE = 'Europe/London';
// 2026-03-30 is British Summer Time (UTC+1): 12:00 local is 11:00Z.
const at = (isoUtc: string) => new Date(isoUtc);
const morning = (now: Date, file: FileObservation) =>
  evaluateFileArrival({
    fileName: 'productivity_20260330_1131.csv',
    location: '/data/reports',
    file,
    now,
    zone: ZONE,
    expected: '11:31',
    deadline: '12:00',
  });
const missing: FileObservation = { present: false };

describe('when the morning CSV is missing before its expected time', () => {
  it('reports PENDING and says when it is expected', () => {
    const outcome = morning(at('2026-03-30T09:00:00Z'), missing);
    assert.equal(outcome.status, 'PENDING');
    assert.equal(outcome.message, 'productivity_20260330_1131.csv is expected at 11:31 (deadline 12:00)');
    assert.equal(outcome.value, null);
  });
});

describe('when the morning CSV is missing between its expected time and its deadline', () => {
  it('reports PENDING at the expected time and just before the deadline', () => {
    assert.equal(morning(at('2026-03-30T10:31:00Z'), missing).status, 'PENDING');
    const outcome = morning(at('2026-03-30T10:59:59.999Z'), missing);
    assert.equal(outcome.status, 'PENDING');
    assert.match(outcome.message, /not there yet in \/data\/reports.*12:00 deadline/);
  });
});

describe('when the morning CSV is missing after its deadline', () => {
  it('reports CRITICAL and names the file exactly at the deadline', () => {
    const outcome = morning(at('2026-03-30T11:00:00Z'), missing);
    assert.equal(outcome.status, 'CRITICAL');
    assert.equal(outcome.message, 'productivity_20260330_1131.csv is missing in /data/reports: expected at 11:31, deadline 12:00 has passed');
    assert.equal(outcome.threshold, 'deadline 12:00');
  });
  it('stays CRITICAL just after the deadline and late in the day', () => {
    assert.equal(morning(at('2026-03-30T11:00:00.001Z'), missing).status, 'CRITICAL');
    assert.equal(morning(at('2026-03-30T22:59:00Z'), missing).status, 'CRITICAL');
  });
});

describe('when the morning CSV is there', () => {
  it('reports OK whatever the time, with its data rows', () => {
    for (const now of ['2026-03-30T06:00:00Z', '2026-03-30T10:45:00Z', '2026-03-30T15:00:00Z']) {
      const outcome = morning(at(now), { present: true, dataRows: 1234 });
      assert.equal(outcome.status, 'OK');
      assert.equal(outcome.value, 1234);
      assert.equal(outcome.message, 'productivity_20260330_1131.csv arrived in /data/reports with 1,234 data rows');
    }
  });
  it('reports WARNING when it has no data rows, before or after the deadline', () => {
    for (const now of ['2026-03-30T09:00:00Z', '2026-03-30T12:00:00Z']) {
      const outcome = morning(at(now), { present: true, dataRows: 0 });
      assert.equal(outcome.status, 'WARNING');
      assert.equal(outcome.value, 0);
      assert.match(outcome.message, /no data rows/);
    }
  });
});

describe('deadlines are local times across clock changes', () => {
  it('uses 12:00 GMT in winter and 12:00 BST in summer', () => {
    const winter = (iso: string) =>
      evaluateFileArrival({ fileName: 'f.csv', location: null, file: missing, now: at(iso), zone: ZONE, expected: '11:31', deadline: '12:00' }).status;
    assert.equal(winter('2026-03-28T11:59:59Z'), 'PENDING');
    assert.equal(winter('2026-03-28T12:00:00Z'), 'CRITICAL');
    assert.equal(winter('2026-03-29T10:59:59Z'), 'PENDING');
    assert.equal(winter('2026-03-29T11:00:00Z'), 'CRITICAL');
  });
});
