import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSheetTimestamp } from '../src/rules/index.ts';

const ZONE = 'Europe/London';
const iso = (cell: unknown) => parseSheetTimestamp(cell, ZONE)?.toISOString() ?? null;

describe('reading a timestamp written in a sheet cell', () => {
  it('reads an ISO timestamp with Z or an offset as that instant', () => {
    assert.equal(iso('2026-07-01T10:15:00Z'), '2026-07-01T10:15:00.000Z');
    assert.equal(iso('2026-07-01T10:15:00+02:00'), '2026-07-01T08:15:00.000Z');
  });
  it('reads "YYYY-MM-DD HH:MM[:SS]" as wall-clock in the monitoring zone', () => {
    assert.equal(iso('2026-07-01 10:15'), '2026-07-01T09:15:00.000Z');
    assert.equal(iso('2026-12-01 10:15:30'), '2026-12-01T10:15:30.000Z');
    assert.equal(iso('  2026-07-01T10:15  '), '2026-07-01T09:15:00.000Z');
  });
  it('reads a date-formatted cell (a serial day number) as wall-clock in the zone', () => {
    // 46204.5 = 2026-07-01 12:00 in the spreadsheet epoch (1899-12-30).
    assert.equal(iso(46204.5), '2026-07-01T11:00:00.000Z');
  });
  it('refuses what is not a date and time', () => {
    for (const cell of ['', 'yesterday', '2026-07-01', '01/07/2026 10:15', null, true, -3, Number.NaN]) {
      assert.equal(iso(cell), null, `cell ${JSON.stringify(cell)}`);
    }
  });
});
