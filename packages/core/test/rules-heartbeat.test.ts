import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateHeartbeat, pairPings, type HeartbeatInput, type Ping, type PingType } from '../src/rules/heartbeat.ts';
import { nextRun } from '../src/schedule.ts';
import { localDate } from '../src/time.ts';

const ZONE = 'Europe/London';
const DAILY = '0 2 * * *';
// January is GMT, so local times equal UTC; 2026-01-14 is a Wednesday.

function ping(at: string, type: PingType = 'success', extra: Partial<Ping> = {}): Ping {
  return { at, type, exitCode: null, rid: null, durationMs: null, body: '', ...extra };
}

function daily(pings: readonly Ping[], now: string, extra: Partial<HeartbeatInput> = {}) {
  return evaluateHeartbeat({
    pings,
    now: new Date(now),
    zone: ZONE,
    schedule: DAILY,
    periodMinutes: null,
    graceMinutes: 60,
    maxRuntimeMinutes: 240,
    ...extra,
  });
}

function every30(pings: readonly Ping[], now: string, extra: Partial<HeartbeatInput> = {}) {
  return daily(pings, now, { schedule: null, periodMinutes: 30, ...extra });
}

// Last night's run: started 02:00, succeeded 02:14.
const lastNight = [ping('2026-01-14T02:00:00Z', 'start'), ping('2026-01-14T02:14:00Z', 'success', { exitCode: 0 })];

describe('row 1: no ping', () => {
  it('is PENDING, waiting for the first ping', () => {
    const outcome = daily([], '2026-01-14T12:00:00Z');
    assert.deepEqual(outcome, {
      status: 'PENDING',
      value: null,
      threshold: 'schedule 0 2 * * * + 60 min grace',
      message: 'waiting for the first ping',
      due: null,
      lastSuccessAt: null,
      running: null,
    });
  });
  it('does not count log pings or pings after now', () => {
    const outcome = daily([ping('2026-01-14T01:00:00Z', 'log'), ping('2026-01-14T13:00:00Z')], '2026-01-14T12:00:00Z');
    assert.equal(outcome.status, 'PENDING');
    assert.equal(outcome.message, 'waiting for the first ping');
  });
});

describe('row 2: a run in progress beyond max runtime', () => {
  const tonight = [...lastNight, ping('2026-01-15T02:00:00Z', 'start')];
  it('is not over the limit at exactly max runtime', () => {
    const outcome = daily(tonight, '2026-01-15T06:00:00Z');
    assert.equal(outcome.status, 'PENDING');
    assert.deepEqual(outcome.running, { since: '2026-01-15T02:00:00Z', rid: null });
  });
  it('is CRITICAL just over it, naming the start and the limit', () => {
    const outcome = daily(tonight, '2026-01-15T06:00:00.001Z');
    assert.equal(outcome.status, 'CRITICAL');
    assert.equal(outcome.message, 'running since 02:00 (started 4 h ago, over the 240 min limit)');
    assert.equal(outcome.threshold, 'max runtime 240 min');
    assert.equal(daily(tonight, '2026-01-15T07:00:00Z').message, 'running since 02:00 (started 5 h ago, over the 240 min limit)');
  });
  it('wins over a failure and over a due slot still ahead', () => {
    const failedThenStuck = [ping('2026-01-14T01:00:00Z', 'fail', { exitCode: 2 }), ping('2026-01-14T02:00:00Z', 'start')];
    assert.equal(daily(failedThenStuck, '2026-01-14T06:30:00Z').message, 'running since 02:00 (started 4 h 30 min ago, over the 240 min limit)');
    const early = daily([ping('2026-01-14T02:14:00Z'), ping('2026-01-14T03:00:00Z', 'start')], '2026-01-14T08:00:00Z');
    assert.equal(early.status, 'CRITICAL');
    assert.equal(early.due, '2026-01-15T02:00:00.000Z');
  });
});

describe('row 3: the latest finish is a failure', () => {
  const failed = [
    ...lastNight,
    ping('2026-01-15T02:00:00Z', 'start'),
    ping('2026-01-15T02:10:00Z', 'fail', { exitCode: 3, body: '\n  connection refused  \nat line 12\n' }),
  ];
  it('is CRITICAL naming the exit code, the time and the first line', () => {
    const outcome = daily(failed, '2026-01-15T02:30:00Z');
    assert.equal(outcome.status, 'CRITICAL');
    assert.equal(outcome.message, 'exit code 3 at 02:10: connection refused');
    assert.equal(outcome.value, 600);
    assert.equal(outcome.lastSuccessAt, '2026-01-14T02:14:00Z');
    assert.equal(outcome.due, '2026-01-15T02:00:00.000Z');
  });
  it('is CRITICAL before the next due slot too', () => {
    assert.equal(daily([ping('2026-01-14T02:14:00Z', 'fail', { exitCode: 1 })], '2026-01-14T03:00:00Z').status, 'CRITICAL');
  });
  it('says "failed" without an exit code, leaves out an empty body and cuts a long line', () => {
    assert.equal(daily([ping('2026-01-14T02:10:00Z', 'fail')], '2026-01-14T03:00:00Z').message, 'failed at 02:10');
    const long = daily([ping('2026-01-14T02:10:00Z', 'fail', { exitCode: 255, body: 'x'.repeat(500) })], '2026-01-14T03:00:00Z');
    assert.equal(long.message, `exit code 255 at 02:10: ${'x'.repeat(199)}…`);
  });
  it('is unchanged by a log ping after the failure', () => {
    const logged = [...failed, ping('2026-01-15T02:20:00Z', 'log', { body: 'retrying later' })];
    assert.deepEqual(daily(logged, '2026-01-15T02:30:00Z'), daily(failed, '2026-01-15T02:30:00Z'));
  });
  it('is cleared by a success after it', () => {
    const retried = [...failed, ping('2026-01-15T02:20:00Z', 'start'), ping('2026-01-15T02:25:00Z', 'success', { exitCode: 0 })];
    const outcome = daily(retried, '2026-01-15T02:30:00Z');
    assert.equal(outcome.status, 'OK');
    assert.equal(outcome.message, 'last success 02:25 (took 5 min); next due 02:00');
    assert.equal(outcome.due, '2026-01-16T02:00:00.000Z');
  });
});

describe('row 4: before due', () => {
  it('is OK with the last success, its duration and the next slot', () => {
    const outcome = daily(lastNight, '2026-01-14T12:00:00Z');
    assert.deepEqual(outcome, {
      status: 'OK',
      value: 840,
      threshold: 'due 02:00 + 60 min grace',
      message: 'last success 02:14 (took 14 min); next due 02:00',
      due: '2026-01-15T02:00:00.000Z',
      lastSuccessAt: '2026-01-14T02:14:00Z',
      running: null,
    });
  });
  it('is still OK just before due', () => {
    assert.equal(daily(lastNight, '2026-01-15T01:59:59.999Z').status, 'OK');
  });
});

describe('row 5: due passed while a run is in progress within its limit', () => {
  it('is PENDING, even after the grace', () => {
    const running = [...lastNight, ping('2026-01-15T02:05:00Z', 'start', { rid: 'r1' })];
    const outcome = daily(running, '2026-01-15T03:25:00Z');
    assert.equal(outcome.status, 'PENDING');
    assert.equal(outcome.message, 'due at 02:00: running since 02:05 (started 1 h 20 min ago, within the 240 min limit)');
    assert.deepEqual(outcome.running, { since: '2026-01-15T02:05:00Z', rid: 'r1' });
  });
});

describe('row 6: from due to due + grace', () => {
  it('is PENDING exactly at due', () => {
    const outcome = daily(lastNight, '2026-01-15T02:00:00Z');
    assert.equal(outcome.status, 'PENDING');
    assert.equal(outcome.message, 'due at 02:00: waiting up to 60 min (grace)');
    assert.equal(outcome.threshold, 'due 02:00 + 60 min grace');
  });
  it('is still PENDING exactly at due + grace', () => {
    assert.equal(daily(lastNight, '2026-01-15T03:00:00Z').status, 'PENDING');
  });
});

describe('row 7: after due + grace', () => {
  it('is CRITICAL just after due + grace, naming the slot', () => {
    const outcome = daily(lastNight, '2026-01-15T03:00:00.001Z');
    assert.equal(outcome.status, 'CRITICAL');
    assert.equal(outcome.message, 'no successful run since the 02:00 slot');
    assert.equal(outcome.value, 840);
  });
});

describe('row 8: pings but no success ever', () => {
  it('counts due from the first ping', () => {
    const outcome = daily([ping('2026-01-14T10:00:00Z', 'start'), ping('2026-01-14T10:30:00Z', 'log')], '2026-01-14T11:00:00Z');
    assert.equal(outcome.status, 'OK');
    assert.equal(outcome.message, 'no success yet; next due 02:00');
    assert.equal(outcome.due, '2026-01-15T02:00:00.000Z');
    assert.equal(outcome.lastSuccessAt, null);
    assert.equal(outcome.value, null);
    const failedOnly = every30([ping('2026-01-14T10:00:00Z', 'fail', { exitCode: 1 })], '2026-01-14T11:00:00Z');
    assert.equal(failedOnly.due, '2026-01-14T10:30:00.000Z');
  });
});

describe('row 9: value', () => {
  it('is null for a finish with no start, and the message leaves out the duration', () => {
    const outcome = daily([ping('2026-01-14T02:14:00Z')], '2026-01-14T12:00:00Z');
    assert.equal(outcome.value, null);
    assert.equal(outcome.message, 'last success 02:14; next due 02:00');
  });
  it('is the latest finish in whole seconds', () => {
    const pings = [ping('2026-01-14T02:00:00Z', 'start'), ping('2026-01-14T02:00:41.600Z')];
    assert.equal(daily(pings, '2026-01-14T12:00:00Z').value, 42);
    assert.equal(daily(pings, '2026-01-14T12:00:00Z').message, 'last success 02:00 (took 42 s); next due 02:00');
  });
});

describe('row 10: threshold', () => {
  it('names the due slot, or the period, with the grace', () => {
    assert.equal(daily(lastNight, '2026-01-14T12:00:00Z', { graceMinutes: 90 }).threshold, 'due 02:00 + 90 min grace');
    assert.equal(every30(lastNight, '2026-01-14T02:20:00Z').threshold, 'every 30 min + 60 min grace');
    assert.equal(every30([], '2026-01-14T02:20:00Z').threshold, 'every 30 min + 60 min grace');
  });
});

describe('row 11: pings in any order', () => {
  it('gives the same outcome shuffled', () => {
    const pings = [...lastNight, ping('2026-01-15T02:00:00Z', 'start'), ping('2026-01-15T02:10:00Z', 'fail', { exitCode: 3 })];
    const shuffled = [pings[3], pings[1], pings[2], pings[0]] as Ping[];
    assert.deepEqual(daily(shuffled, '2026-01-15T02:30:00Z'), daily(pings, '2026-01-15T02:30:00Z'));
    assert.equal(daily(shuffled, '2026-01-15T02:30:00Z').message, 'exit code 3 at 02:10');
  });
});

describe('row 12: isSlotExpected skips closed days', () => {
  const weekdays = (slot: Date) => {
    const day = new Date(localDate(slot, ZONE)).getUTCDay();
    return day !== 0 && day !== 6;
  };
  const friday = [ping('2026-01-16T02:00:00Z', 'start'), ping('2026-01-16T02:14:00Z')];
  it('makes Monday due after a Friday success', () => {
    const saturday = daily(friday, '2026-01-17T12:00:00Z', { isSlotExpected: weekdays });
    assert.equal(saturday.status, 'OK');
    assert.equal(saturday.due, '2026-01-19T02:00:00.000Z');
    assert.equal(daily(friday, '2026-01-19T01:59:00Z', { isSlotExpected: weekdays }).status, 'OK');
    assert.equal(daily(friday, '2026-01-19T03:00:00Z', { isSlotExpected: weekdays }).status, 'PENDING');
    assert.equal(daily(friday, '2026-01-19T03:00:00.001Z', { isSlotExpected: weekdays }).status, 'CRITICAL');
    assert.equal(daily(friday, '2026-01-17T03:00:00.001Z').status, 'CRITICAL');
  });
  it('is ignored by the period form', () => {
    assert.equal(every30(friday, '2026-01-17T12:00:00Z', { isSlotExpected: weekdays }).due, '2026-01-16T02:44:00.000Z');
  });
});

describe('row 13: no expected slot ahead', () => {
  it('has no due and stays OK', () => {
    const outcome = daily(lastNight, '2026-01-14T12:00:00Z', { isSlotExpected: () => false });
    assert.equal(outcome.status, 'OK');
    assert.equal(outcome.due, null);
    assert.equal(outcome.message, 'last success 02:14 (took 14 min); no expected slot ahead');
    assert.equal(outcome.threshold, 'schedule 0 2 * * * + 60 min grace');
  });
});

describe('row 14: which start is a run in progress', () => {
  it('drops a start without rid once a later start without rid comes', () => {
    const crashed = [ping('2026-01-13T02:00:00Z', 'start'), ping('2026-01-14T02:00:00Z', 'start')];
    const outcome = daily(crashed, '2026-01-14T02:30:00Z', { maxRuntimeMinutes: 240 });
    assert.deepEqual(outcome.running, { since: '2026-01-14T02:00:00Z', rid: null });
    assert.equal(outcome.status, 'PENDING');
    assert.equal(outcome.message, 'due at 02:00: running since 02:00 (started 30 min ago, within the 240 min limit)');
  });
  it('ends a run when one begun after it finishes', () => {
    const pings = [
      ping('2026-01-14T02:00:00Z', 'start', { rid: 'a' }),
      ping('2026-01-14T02:05:00Z', 'start', { rid: 'b' }),
      ping('2026-01-14T02:20:00Z', 'success', { rid: 'b' }),
    ];
    assert.equal(daily(pings, '2026-01-14T12:00:00Z').running, null);
  });
  it('keeps a run begun later open when an earlier one finishes', () => {
    const pings = [
      ping('2026-01-14T02:00:00Z', 'start', { rid: 'a' }),
      ping('2026-01-14T02:05:00Z', 'start', { rid: 'b' }),
      ping('2026-01-14T02:20:00Z', 'success', { rid: 'a' }),
    ];
    const outcome = daily(pings, '2026-01-14T06:05:00.001Z');
    assert.deepEqual(outcome.running, { since: '2026-01-14T02:05:00Z', rid: 'b' });
    assert.equal(outcome.status, 'CRITICAL');
    assert.equal(outcome.message, 'running since 02:05 (started 4 h ago, over the 240 min limit)');
  });
  it('reports the earliest of two open runs, and ends an open start with a finish that had no start', () => {
    const pings = [ping('2026-01-14T02:00:00Z', 'start', { rid: 'a' }), ping('2026-01-14T02:05:00Z', 'start', { rid: 'b' })];
    assert.deepEqual(daily(pings, '2026-01-14T03:00:00Z').running, { since: '2026-01-14T02:00:00Z', rid: 'a' });
    const orphan = [...pings, ping('2026-01-14T02:30:00Z', 'success', { rid: 'c' })];
    assert.equal(daily(orphan, '2026-01-14T12:00:00Z').running, null);
  });
});

describe('pairPings', () => {
  it('pairs two overlapping runs by rid', () => {
    const pings = [
      ping('2026-01-14T02:00:00Z', 'start', { rid: 'a' }),
      ping('2026-01-14T02:05:00Z', 'start', { rid: 'b' }),
      ping('2026-01-14T02:20:00Z', 'success', { rid: 'b' }),
      ping('2026-01-14T02:30:00Z', 'fail', { rid: 'a', exitCode: 1 }),
    ];
    const paired = pairPings(pings);
    assert.deepEqual(paired.map((p) => p.durationMs), [null, null, 15 * 60_000, 30 * 60_000]);
    assert.equal(pings[2]?.durationMs, null);
    assert.notEqual(paired[0], pings[0]);
  });
  it('without rid, takes the latest start that no other finish took, in time order', () => {
    const pings = [
      ping('2026-01-14T02:20:00Z'),
      ping('2026-01-14T02:00:00Z', 'start'),
      ping('2026-01-14T02:10:00Z'),
      ping('2026-01-14T02:05:00Z', 'start'),
      ping('2026-01-14T02:15:00Z', 'log'),
    ];
    assert.deepEqual(pairPings(pings).map((p) => [p.at, p.durationMs]), [
      ['2026-01-14T02:20:00Z', 20 * 60_000],
      ['2026-01-14T02:00:00Z', null],
      ['2026-01-14T02:10:00Z', 5 * 60_000],
      ['2026-01-14T02:05:00Z', null],
      ['2026-01-14T02:15:00Z', null],
    ]);
  });
  it('gives null to a finish with no start, or none with its rid', () => {
    const pings = [ping('2026-01-14T02:00:00Z'), ping('2026-01-14T02:01:00Z', 'start', { rid: 'a' }), ping('2026-01-14T02:05:00Z', 'success', { rid: 'z' })];
    assert.deepEqual(pairPings(pings).map((p) => p.durationMs), [null, null, null]);
  });
});

describe('schedule form across the clock changes (Europe/London)', () => {
  it('spring (2026-03-29, 02:00 does not exist): due is what nextRun gives, shown as 02:00', () => {
    const saturday = [ping('2026-03-28T02:00:00Z', 'start'), ping('2026-03-28T02:14:00Z')];
    const expected = nextRun(DAILY, ZONE, new Date('2026-03-28T02:14:00Z'));
    assert.equal(expected.toISOString(), '2026-03-29T01:00:00.000Z');
    const before = daily(saturday, '2026-03-29T00:59:59.999Z');
    assert.equal(before.due, expected.toISOString());
    assert.equal(before.message, 'last success 02:14 (took 14 min); next due 02:00');
    assert.equal(daily(saturday, '2026-03-29T01:00:00Z').message, 'due at 02:00: waiting up to 60 min (grace)');
    assert.equal(daily(saturday, '2026-03-29T02:00:00Z').status, 'PENDING');
    const late = daily(saturday, '2026-03-29T02:00:00.001Z');
    assert.equal(late.status, 'CRITICAL');
    assert.equal(late.message, 'no successful run since the 02:00 slot');
    const sunday = daily([...saturday, ping('2026-03-29T01:14:00Z')], '2026-03-29T12:00:00Z');
    assert.equal(sunday.message, 'last success 02:14; next due 02:00');
    assert.equal(sunday.due, '2026-03-30T01:00:00.000Z');
  });
  it('autumn (2026-10-25, a 25-hour day): due is 02:00 GMT, what nextRun gives', () => {
    const saturday = [ping('2026-10-24T01:00:00Z', 'start'), ping('2026-10-24T01:14:00Z')];
    const expected = nextRun(DAILY, ZONE, new Date('2026-10-24T01:14:00Z'));
    assert.equal(expected.toISOString(), '2026-10-25T02:00:00.000Z');
    assert.equal(daily(saturday, '2026-10-24T12:00:00Z').message, 'last success 02:14 (took 14 min); next due 02:00');
    assert.equal(daily(saturday, '2026-10-25T01:59:59.999Z').due, expected.toISOString());
    assert.equal(daily(saturday, '2026-10-25T01:59:59.999Z').status, 'OK');
    assert.equal(daily(saturday, '2026-10-25T02:00:00Z').status, 'PENDING');
    assert.equal(daily(saturday, '2026-10-25T03:00:00Z').status, 'PENDING');
    assert.equal(daily(saturday, '2026-10-25T03:00:00.001Z').message, 'no successful run since the 02:00 slot');
  });
});

describe('period form (period_minutes: 30)', () => {
  const run = [ping('2026-01-14T10:00:00Z', 'start'), ping('2026-01-14T10:02:00Z')];
  it('is due 30 min after the last success, with the grace after it', () => {
    const ok = every30(run, '2026-01-14T10:31:59.999Z');
    assert.equal(ok.status, 'OK');
    assert.equal(ok.message, 'last success 10:02 (took 2 min); next due 10:32');
    assert.equal(ok.due, '2026-01-14T10:32:00.000Z');
    assert.equal(every30(run, '2026-01-14T10:32:00Z').message, 'due at 10:32: waiting up to 60 min (grace)');
    assert.equal(every30(run, '2026-01-14T11:32:00Z').status, 'PENDING');
    const late = every30(run, '2026-01-14T11:32:00.001Z');
    assert.equal(late.status, 'CRITICAL');
    assert.equal(late.message, 'no successful run since the 10:32 slot');
  });
  it('counts elapsed minutes across the spring change', () => {
    const outcome = every30([ping('2026-03-29T00:45:00Z')], '2026-03-29T00:50:00Z');
    assert.equal(outcome.due, '2026-03-29T01:15:00.000Z');
    assert.equal(outcome.message, 'last success 00:45; next due 02:15');
  });
});

describe('input', () => {
  it('needs a schedule or a period', () => {
    assert.throws(() => daily([], '2026-01-14T12:00:00Z', { schedule: null }), /schedule or period_minutes/);
  });
});
