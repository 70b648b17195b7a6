import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coalesce, singleFlight } from '../src/flight.ts';

describe('snapshot rebuilds asked for together', () => {
  it('run once for every caller that asked while one was running, after it', async () => {
    const runs: number[] = [];
    let release: () => void = () => undefined;
    const refresh = coalesce(async () => {
      runs.push(runs.length + 1);
      if (runs.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const first = refresh();
    const waiting = [refresh(), refresh(), refresh()];
    assert.deepEqual(runs, [1], 'the others wait for the first to end');
    release();
    await Promise.all([first, ...waiting]);
    assert.deepEqual(runs, [1, 2], 'one more run serves all three');
    await refresh();
    assert.deepEqual(runs, [1, 2, 3], 'a later call runs again');
  });

  it('still runs the next one when the current one fails', async () => {
    let calls = 0;
    const refresh = coalesce(async () => {
      calls += 1;
      if (calls === 1) throw new Error('redis gone');
    });
    const first = refresh();
    const second = refresh();
    await assert.rejects(first, /redis gone/);
    await second;
    assert.equal(calls, 2);
  });
});

describe('work shared by callers arriving while it runs (single flight)', () => {
  it('runs once for every caller that asked while it was running, and again for a later one', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const open = singleFlight(async (label: string) => {
      runs += 1;
      await new Promise<void>((resolve) => (release = resolve));
      return `${label} #${runs}`;
    });
    const callers = [open('first'), open('second'), open('third')];
    assert.equal(open.running !== null, true, 'a run is in flight');
    release();
    assert.deepEqual(await Promise.all(callers), ['first #1', 'first #1', 'first #1'], 'the first caller\'s arguments win');
    assert.equal(open.running, null);
    const later = open('later');
    release();
    assert.equal(await later, 'later #2');
  });

  it('lets a failed run fail every caller that shared it, then starts afresh', async () => {
    let attempt = 0;
    const flaky = singleFlight(async () => {
      attempt += 1;
      if (attempt === 1) throw new Error('down');
      return attempt;
    });
    const shared = [flaky(), flaky()];
    await Promise.all(shared.map((call) => assert.rejects(call, /down/)));
    assert.equal(await flaky(), 2);
  });
});
