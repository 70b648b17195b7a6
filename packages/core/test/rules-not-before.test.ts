import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateNotBefore } from '../src/rules/index.ts';

const ZONE = 'Europe/London';
const at = (iso: string) => evaluateNotBefore({ notBefore: '09:00', now: new Date(iso), zone: ZONE });

describe('not_before 09:00 in Europe/London', () => {
  it('is PENDING just before 09:00 local and says until when', () => {
    const outcome = at('2026-11-27T08:59:59.999Z');
    assert.equal(outcome?.status, 'PENDING');
    assert.equal(outcome?.message, 'not checked before 09:00 (it is 08:59)');
  });
  it('lets the check run exactly at 09:00 and just after', () => {
    assert.equal(at('2026-11-27T09:00:00Z'), null);
    assert.equal(at('2026-11-27T09:00:00.001Z'), null);
  });
  it('follows summer time: 09:00 BST is 08:00Z', () => {
    assert.equal(at('2026-07-01T07:59:59Z')?.status, 'PENDING');
    assert.equal(at('2026-07-01T08:00:00Z'), null);
  });
  it('lets a pipeline without not_before run at any time', () => {
    assert.equal(evaluateNotBefore({ notBefore: null, now: new Date('2026-11-27T00:00:00Z'), zone: ZONE }), null);
  });
});
