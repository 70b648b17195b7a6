import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STATUS_COLOUR, STATUS_ICON, countStatuses, overallStatus, severity } from '@datamon/core';

describe('the overall status', () => {
  it('is CRITICAL when any pipeline is CRITICAL', () => {
    assert.equal(overallStatus(['OK', 'WARNING', 'CRITICAL', 'PENDING']), 'CRITICAL');
  });
  it('is WARNING when the worst is WARNING', () => {
    assert.equal(overallStatus(['OK', 'PENDING', 'WARNING']), 'WARNING');
  });
  it('is OK when everything is OK or PENDING: PENDING never raises it', () => {
    assert.equal(overallStatus(['OK', 'PENDING']), 'OK');
    assert.equal(overallStatus(['PENDING']), 'OK');
    assert.equal(overallStatus([]), 'OK');
  });
});

describe('status presentation', () => {
  it('uses the contract icons and colours', () => {
    assert.deepEqual(STATUS_ICON, { OK: '✅', WARNING: '⚠️', CRITICAL: '🔴', PENDING: '⏳' });
    assert.deepEqual(STATUS_COLOUR, { OK: '#188038', WARNING: '#f29900', CRITICAL: '#d93025', PENDING: '#5f6368' });
  });
  it('maps statuses to the check command exit codes', () => {
    assert.deepEqual(['OK', 'PENDING', 'WARNING', 'CRITICAL'].map((s) => severity(s as never)), [0, 0, 1, 2]);
  });
  it('counts each status', () => {
    assert.deepEqual(countStatuses(['OK', 'OK', 'PENDING', 'CRITICAL']), { OK: 2, WARNING: 0, CRITICAL: 1, PENDING: 1 });
  });
});
