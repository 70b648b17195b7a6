import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkinStatus, evaluateWatch, monitorNoticeDue, overallOfSnapshot, roundInterval, type WatchInput } from '../src/index.ts';

const NOW = new Date('2026-11-28T10:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const healthy: WatchInput = {
  now: NOW,
  startedAt: ago(3_600_000),
  lastRoundAt: ago(60_000),
  quickCheck: { pattern: '*/5 * * * *', zone: 'Europe/London' },
  heartbeats: { scheduler: ago(5_000), checks: ago(5_000), alerts: ago(5_000) },
  pausedQueues: [],
};

describe('no verdict without a check', () => {
  it('is CHECKING, not OK, while a pipeline was never checked', () => {
    assert.equal(overallOfSnapshot(['OK', null, 'PENDING']), 'CHECKING');
    assert.equal(overallOfSnapshot(['OK', 'PENDING']), 'OK');
  });
  it('still says CRITICAL or WARNING when it knows of one', () => {
    assert.equal(overallOfSnapshot([null, 'CRITICAL']), 'CRITICAL');
    assert.equal(overallOfSnapshot([null, 'WARNING', 'OK']), 'WARNING');
  });
  it('calls a check-in with a pipeline still waiting PENDING ("waiting"), never OK', () => {
    assert.equal(checkinStatus(['OK', 'PENDING']), 'PENDING');
    assert.equal(checkinStatus(['OK', 'OK']), 'OK');
    assert.equal(checkinStatus(['PENDING', 'WARNING']), 'WARNING');
  });
});

describe('the watchman', () => {
  it('is healthy while rounds complete and every role reports', () => {
    const report = evaluateWatch(healthy);
    assert.equal(report.healthy, true);
    assert.equal(report.since, null);
    assert.equal(report.roundIntervalSeconds, 300);
    assert.equal(report.lastRoundAgeSeconds, 60);
  });

  it('finds rounds stopped only after two intervals', () => {
    assert.equal(evaluateWatch({ ...healthy, lastRoundAt: ago(600_000) }).healthy, true, 'exactly two intervals is still on time');
    const late = evaluateWatch({ ...healthy, lastRoundAt: ago(600_001) });
    assert.equal(late.healthy, false);
    assert.deepEqual(late.problems.map((problem) => [problem.kind, problem.since]), [['rounds', ago(600_001).toISOString()]]);
  });

  it('counts a round never completed from when watching started', () => {
    assert.equal(evaluateWatch({ ...healthy, lastRoundAt: null, startedAt: ago(60_000) }).healthy, true);
    assert.equal(evaluateWatch({ ...healthy, lastRoundAt: null, startedAt: ago(601_000) }).problems[0]?.message, 'no quick-check round has completed yet (one is due every 5 min)');
  });

  it('finds a role gone once its heartbeat is over a minute old, naming it and since when', () => {
    assert.equal(evaluateWatch({ ...healthy, heartbeats: { ...healthy.heartbeats, checks: ago(60_000) } }).healthy, true);
    const report = evaluateWatch({ ...healthy, heartbeats: { ...healthy.heartbeats, checks: ago(60_001) } });
    assert.deepEqual(report.problems, [{ kind: 'role', subject: 'checks', since: ago(60_001).toISOString(), message: 'no check worker has reported for over a minute' }]);
    assert.equal(report.since, ago(60_001).toISOString());
    assert.deepEqual(report.roles.map((role) => role.up), [true, false, true]);
  });

  it('gives a role never heard of a minute from when watching started', () => {
    const { scheduler: _gone, ...others } = healthy.heartbeats;
    assert.equal(evaluateWatch({ ...healthy, heartbeats: others, startedAt: ago(30_000) }).healthy, true);
    assert.equal(evaluateWatch({ ...healthy, heartbeats: others, startedAt: ago(61_000) }).problems[0]?.message, 'no scheduler has reported');
  });

  it('finds a paused queue', () => {
    assert.equal(evaluateWatch({ ...healthy, pausedQueues: [{ queue: 'checks', by: null, at: null }] }).problems[0]?.message, 'the checks queue is paused: none of its jobs run until it is resumed');
    const onPurpose = evaluateWatch({ ...healthy, pausedQueues: [{ queue: 'checks', by: 'admin token #1', at: ago(300_000).toISOString() }] });
    assert.deepEqual([onPurpose.problems[0]?.message, onPurpose.since], ['the checks queue is paused by admin token #1, on purpose: none of its jobs run until it is resumed', ago(300_000).toISOString()]);
  });

  it('knows the interval of a schedule that is not regular', () => {
    assert.equal(roundInterval('0 9-17 * * *', 'Europe/London', new Date('2026-11-28T08:00:00Z')), 16 * 3_600_000);
  });
});

describe('the cards about the monitor itself', () => {
  const down = evaluateWatch({ ...healthy, heartbeats: { ...healthy.heartbeats, checks: ago(120_000) } });
  const up = evaluateWatch(healthy);
  it('tells once when checking stops, and once when it is back', () => {
    const first = monitorNoticeDue(null, down, NOW);
    assert.deepEqual(first, { state: 'degraded', since: ago(120_000).toISOString() });
    assert.equal(monitorNoticeDue(first, down, NOW), null);
    assert.deepEqual(monitorNoticeDue(first, up, NOW), { state: 'ok', since: NOW.toISOString() });
  });
  it('says nothing for a monitor that was never degraded', () => {
    assert.equal(monitorNoticeDue(null, up, NOW), null);
    assert.equal(monitorNoticeDue({ state: 'ok', since: NOW.toISOString() }, up, NOW), null);
  });
});
