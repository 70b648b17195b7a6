import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fillDateTemplate, instantToWallClock, localDayRange, localTimeOn, wallClockToInstant } from '@datamon/core';

const LONDON = 'Europe/London';

describe('local days in Europe/London', () => {
  it('are 23 hours long on the spring clock change (2026-03-29)', () => {
    const { start, end } = localDayRange(new Date('2026-03-29T12:00:00Z'), LONDON);
    assert.equal(start.toISOString(), '2026-03-29T00:00:00.000Z');
    assert.equal(end.toISOString(), '2026-03-29T23:00:00.000Z');
  });
  it('are 25 hours long on the autumn clock change (2026-10-25)', () => {
    const { start, end } = localDayRange(new Date('2026-10-25T12:00:00Z'), LONDON);
    assert.equal(start.toISOString(), '2026-10-24T23:00:00.000Z');
    assert.equal(end.toISOString(), '2026-10-26T00:00:00.000Z');
  });
  it('give yesterday as the day before the local day, not 24 hours earlier', () => {
    const { start, end } = localDayRange(new Date('2026-03-30T00:30:00+01:00'), LONDON, -1);
    assert.equal(start.toISOString(), '2026-03-29T00:00:00.000Z');
    assert.equal(end.toISOString(), '2026-03-29T23:00:00.000Z');
  });
  it('place 11:45 at the right UTC instant in summer and winter', () => {
    assert.equal(localTimeOn(new Date('2026-07-01T09:00:00Z'), LONDON, '11:45').toISOString(), '2026-07-01T10:45:00.000Z');
    assert.equal(localTimeOn(new Date('2026-12-01T09:00:00Z'), LONDON, '11:45').toISOString(), '2026-12-01T11:45:00.000Z');
  });
});

describe('warehouse wall-clock values', () => {
  it('round-trip through the warehouse zone', () => {
    const instant = wallClockToInstant('2026-07-01 07:12:00', LONDON);
    assert.equal(instant.toISOString(), '2026-07-01T06:12:00.000Z');
    assert.equal(instantToWallClock(instant, LONDON), '2026-07-01 07:12:00');
  });
});

describe('date templates', () => {
  it('use the local date, not the UTC one', () => {
    assert.equal(fillDateTemplate('productivity_{YYYYMMDD}_1131.csv', new Date('2026-06-30T23:30:00Z'), LONDON), 'productivity_20260701_1131.csv');
  });
});
