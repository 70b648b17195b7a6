import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dailyUptime, formatUptime, localDay, uptimePercent, type Status, type UptimeSample } from '../src/index.ts';

const sample = (pipelineId: string, status: Status, checkedAt: string): UptimeSample => ({ pipelineId, status, checkedAt });

describe('uptimePercent', () => {
  it('is the OK share of the results with PENDING left out', () => {
    assert.equal(uptimePercent(['OK', 'OK', 'OK', 'CRITICAL']), 75);
    assert.equal(uptimePercent(['OK', 'PENDING', 'PENDING', 'WARNING']), 50);
  });
  it('counts WARNING as down, like CRITICAL', () => {
    assert.equal(uptimePercent(['OK', 'WARNING']), 50);
  });
  it('has no figure when every result is PENDING or there are none', () => {
    assert.equal(uptimePercent(['PENDING', 'PENDING']), null);
    assert.equal(uptimePercent([]), null);
  });
  it('is 100 with only OK results', () => {
    assert.equal(uptimePercent(['OK', 'PENDING', 'OK']), 100);
  });
});

describe('formatUptime', () => {
  it('shows one decimal and never rounds a failure up to 100%', () => {
    assert.equal(formatUptime(100), '100%');
    assert.equal(formatUptime(99.96), '99.9%');
    assert.equal(formatUptime(97.916), '97.9%');
    assert.equal(formatUptime(0), '0.0%');
    assert.equal(formatUptime(null), 'n/a');
  });
});

describe('localDay', () => {
  it('is 23 hours long on the spring clock change in London', () => {
    const day = localDay('2026-03-29', 'Europe/London');
    assert.equal(day.start.toISOString(), '2026-03-29T00:00:00.000Z');
    assert.equal(day.end.toISOString(), '2026-03-29T23:00:00.000Z');
  });
  it('starts at local midnight in summer time', () => {
    assert.equal(localDay('2026-03-30', 'Europe/London').start.toISOString(), '2026-03-29T23:00:00.000Z');
  });
  it('refuses something that is not a date', () => {
    assert.throws(() => localDay('30/03/2026', 'Europe/London'), /not a date/);
  });
});

describe('dailyUptime for 2026-03-30 in London', () => {
  const results = [
    // The day before in London (23:30 UTC on the 29th is 00:30 on the 30th, so this one counts).
    sample('etl_calls', 'CRITICAL', '2026-03-29T22:59:00Z'),
    sample('etl_calls', 'OK', '2026-03-29T23:30:00Z'),
    sample('etl_calls', 'OK', '2026-03-30T06:00:00Z'),
    sample('etl_calls', 'CRITICAL', '2026-03-30T07:00:00Z'),
    sample('etl_calls', 'OK', '2026-03-30T08:00:00Z'),
    sample('morning_csv', 'PENDING', '2026-03-30T09:00:00Z'),
    sample('morning_csv', 'PENDING', '2026-03-30T10:30:00Z'),
    sample('morning_csv', 'WARNING', '2026-03-30T11:30:00Z'),
    // The next day in London.
    sample('morning_csv', 'CRITICAL', '2026-03-30T23:00:00Z'),
    sample('removed_pipeline', 'CRITICAL', '2026-03-30T08:00:00Z'),
  ];
  const incidents = [
    { pipelineId: 'etl_calls', openedAt: '2026-03-30T07:00:00Z' },
    { pipelineId: 'etl_calls', openedAt: '2026-03-29T22:59:00Z' },
    { pipelineId: 'morning_csv', openedAt: '2026-03-30T11:30:00Z' },
  ];
  const day = dailyUptime({
    date: '2026-03-30',
    zone: 'Europe/London',
    pipelineIds: ['etl_calls', 'morning_csv', 'operators'],
    results,
    incidents,
  });

  it('counts only results of that local day, in the pipelines asked for, in their order', () => {
    assert.deepEqual(day.pipelines.map((p) => [p.pipelineId, p.checks]), [['etl_calls', 4], ['morning_csv', 3], ['operators', 0]]);
  });
  it('gives each pipeline its uptime with PENDING left out', () => {
    assert.equal(day.pipelines[0]?.uptimePercent, 75);
    assert.equal(day.pipelines[1]?.uptimePercent, 0);
    assert.equal(day.pipelines[2]?.uptimePercent, null, 'no results: no figure, not 0% or 100%');
  });
  it('gives status counts, the last status and when it was taken', () => {
    assert.deepEqual(day.pipelines[1]?.counts, { OK: 0, WARNING: 1, CRITICAL: 0, PENDING: 2 });
    assert.equal(day.pipelines[0]?.lastStatus, 'OK');
    assert.equal(day.pipelines[0]?.lastCheckedAt, '2026-03-30T08:00:00Z');
    assert.equal(day.pipelines[2]?.lastStatus, null);
  });
  it('counts incidents opened that local day, per pipeline and in all', () => {
    assert.deepEqual(day.pipelines.map((p) => p.incidentsOpened), [1, 1, 0]);
    assert.equal(day.incidentsOpened, 2);
  });
  it('gives the day an overall uptime and the overall of the last statuses', () => {
    assert.equal(day.uptimePercent, 60);
    assert.equal(day.overall, 'WARNING');
    assert.equal(day.date, '2026-03-30');
    assert.equal(day.timezone, 'Europe/London');
  });
  it('does not depend on the order of the results', () => {
    const reversed = dailyUptime({ date: '2026-03-30', zone: 'Europe/London', pipelineIds: ['etl_calls'], results: [...results].reverse(), incidents });
    assert.equal(reversed.pipelines[0]?.lastStatus, 'OK');
  });
});
