import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { missedSlot, nextRun, nextRuns, previousRun } from '@datamon/core';
import { compactInstant, jobIds, scheduledSlotOf } from '@datamon/jobs';
import { createRedisConnection } from '@datamon/store';
import { getNextMillis, Queue } from 'bullmq';
import { TEST_REDIS_URL } from '../packages/workers/test/helpers.ts';

const LONDON = 'Europe/London';
const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

describe('check-in times in Europe/London across the clock changes', () => {
  const cases = [
    // Spring forward on Sunday 2026-03-29 (01:00 GMT becomes 02:00 BST).
    { pattern: '30 7 * * *', from: '2026-03-28T12:00:00Z', expected: ['2026-03-29T06:30:00.000Z', '2026-03-30T06:30:00.000Z'] },
    { pattern: '45 11 * * *', from: '2026-03-28T12:00:00Z', expected: ['2026-03-29T10:45:00.000Z', '2026-03-30T10:45:00.000Z'] },
    { pattern: '45 15 * * *', from: '2026-03-28T16:00:00Z', expected: ['2026-03-29T14:45:00.000Z', '2026-03-30T14:45:00.000Z'] },
    // Fall back on Sunday 2026-10-25 (02:00 BST becomes 01:00 GMT).
    { pattern: '30 7 * * *', from: '2026-10-24T12:00:00Z', expected: ['2026-10-25T07:30:00.000Z', '2026-10-26T07:30:00.000Z'] },
    { pattern: '45 11 * * *', from: '2026-10-24T12:00:00Z', expected: ['2026-10-25T11:45:00.000Z', '2026-10-26T11:45:00.000Z'] },
    { pattern: '45 15 * * *', from: '2026-10-24T16:00:00Z', expected: ['2026-10-25T15:45:00.000Z', '2026-10-26T15:45:00.000Z'] },
  ];

  for (const { pattern, from, expected } of cases) {
    it(`runs "${pattern}" after ${from} at ${expected.join(' then ')}`, () => {
      assert.deepEqual(iso(nextRuns(pattern, LONDON, new Date(from), 2)), expected);
    });
  }

  it('predicts exactly the instants BullMQ schedules', () => {
    for (const { pattern, from, expected } of cases) {
      let millis = Date.parse(from);
      for (const instant of expected) {
        const bull = getNextMillis(millis, { pattern, tz: LONDON });
        assert.equal(new Date(bull as number).toISOString(), instant, `${pattern} from ${new Date(millis).toISOString()}`);
        assert.equal(nextRun(pattern, LONDON, new Date(millis)).toISOString(), instant);
        millis = bull as number;
      }
    }
  });
});

describe('the 5-minute quick check across the clock changes', () => {
  for (const [label, from] of [
    ['spring forward', '2026-03-28T22:00:00Z'],
    ['fall back', '2026-10-24T22:00:00Z'],
  ] as const) {
    it(`runs every 5 minutes of real time through the ${label}, never twice and never skipping`, () => {
      const runs = nextRuns('*/5 * * * *', LONDON, new Date(from), 12 * 6);
      const gaps = runs.slice(1).map((run, index) => run.getTime() - (runs[index] as Date).getTime());
      assert.ok(gaps.every((gap) => gap === 5 * 60_000), `gaps: ${[...new Set(gaps)].join(', ')}`);
      assert.equal(new Set(iso(runs)).size, runs.length);
    });
  }
});

describe('which missed check-in slot runs late', () => {
  const morning = { pattern: '30 7 * * *', zone: LONDON };

  it("runs today's slot when it passed and never ran", () => {
    const slot = missedSlot({ ...morning, now: new Date('2026-03-30T09:00:00Z'), lastSlot: null });
    assert.equal(slot?.toISOString(), '2026-03-30T06:30:00.000Z');
  });

  it('runs nothing when that slot already ran', () => {
    const slot = missedSlot({ ...morning, now: new Date('2026-03-30T09:00:00Z'), lastSlot: new Date('2026-03-30T06:30:00Z') });
    assert.equal(slot, null);
  });

  it('runs it when only an earlier day ran', () => {
    const slot = missedSlot({ ...morning, now: new Date('2026-03-30T09:00:00Z'), lastSlot: new Date('2026-03-29T06:30:00Z') });
    assert.equal(slot?.toISOString(), '2026-03-30T06:30:00.000Z');
  });

  it("does not run yesterday's slot before today's comes", () => {
    assert.equal(missedSlot({ ...morning, now: new Date('2026-03-30T05:00:00Z'), lastSlot: null }), null);
  });

  it('does not run a slot more than 12 hours old', () => {
    assert.equal(missedSlot({ ...morning, now: new Date('2026-03-30T18:31:00Z'), lastSlot: null }), null);
    assert.equal(missedSlot({ ...morning, now: new Date('2026-03-30T18:29:00Z'), lastSlot: null })?.toISOString(), '2026-03-30T06:30:00.000Z');
  });

  it('considers only the most recent slot of a check-in that runs several times a day', () => {
    const slot = missedSlot({ pattern: '0 9,12,15 * * *', zone: LONDON, now: new Date('2026-03-30T15:00:00Z'), lastSlot: null });
    assert.equal(slot?.toISOString(), '2026-03-30T14:00:00.000Z');
  });

  it('counts a slot that is exactly now as passed', () => {
    assert.equal(previousRun('30 7 * * *', LONDON, new Date('2026-03-30T06:30:00Z')).toISOString(), '2026-03-30T06:30:00.000Z');
  });
});

describe('deterministic job ids', () => {
  it('writes instants without colons, keeping milliseconds only when there are some', () => {
    assert.equal(compactInstant('2026-03-30T06:30:00.000Z'), '20260330T063000Z');
    assert.equal(compactInstant('2026-03-30T06:30:00.123Z'), '20260330T063000.123Z');
  });

  it('reads a scheduler-made job\'s slot from when it was made and its delay, not from BullMQ\'s id', () => {
    const made = Date.parse('2026-03-30T06:29:59.990Z');
    const slot = Date.parse('2026-03-30T06:30:00.000Z');
    const job = { repeatJobKey: 'checkin:morning', timestamp: made, opts: { delay: slot - made }, data: { scheduledFor: '' } };
    assert.equal(scheduledSlotOf(job), '2026-03-30T06:30:00.000Z');
    // An overdue run's delay is clamped to 0 a few milliseconds after its slot: still that slot.
    assert.equal(scheduledSlotOf({ ...job, timestamp: slot + 4, opts: { delay: 0 } }), '2026-03-30T06:30:00.000Z');
    assert.equal(scheduledSlotOf({ repeatJobKey: undefined, timestamp: made, opts: {}, data: { scheduledFor: '2026-03-30T10:45:00.000Z' } }), '2026-03-30T10:45:00.000Z');
  });

  it('gives ids BullMQ accepts as custom job ids, and adds each once', async () => {
    const connection = createRedisConnection(TEST_REDIS_URL);
    const queue = new Queue('ids', { connection, prefix: `test-${randomUUID()}` });
    try {
      const ids = [
        jobIds.lateCheckin('morning', '2026-03-30T06:30:00.000Z'),
        jobIds.checkinReport('morning', '2026-03-30T06:30:00.123Z'),
        jobIds.evaluate('etl_calls', '2026-03-30T06:30:00.000Z'),
        jobIds.quickCheckPart('repeat:quick-check:1774852200000', 0, 3),
        jobIds.manualCheckin('morning', '2026-03-30T06:31:02.500Z'),
        jobIds.runPipeline('etl_calls'),
        jobIds.delivery('etl_calls-1774852200000:critical:1:chat'),
      ];
      for (const id of ids) {
        await queue.add('x', {}, { jobId: id, delay: 60_000 });
        await queue.add('x', {}, { jobId: id, delay: 60_000 });
      }
      assert.equal(await queue.getDelayedCount(), ids.length);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    }
  });
});
