import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coalesce, inBackground, singleFlight } from '../src/flight.ts';

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

/** Timers driven by the test: `fire()` runs what is due, in order. */
function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 0;
  return {
    timers: {
      set: (fn: () => void) => {
        next += 1;
        pending.set(next, fn);
        return next;
      },
      clear: (handle: unknown) => void pending.delete(handle as number),
    },
    get armed() {
      return pending.size;
    },
    fire() {
      const due = [...pending.entries()];
      pending.clear();
      for (const [, fn] of due) fn();
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const unexpected = (err: unknown) => assert.fail(`no run should fail: ${String(err)}`);

describe('snapshot rebuilds in the background (a burst of incidents)', () => {
  it('serve a burst of requests with one run once the delay is over, and nobody waits for it', async () => {
    const clock = manualTimers();
    let runs = 0;
    const refresh = inBackground(async () => void (runs += 1), { delayMs: 200, onError: unexpected, timers: clock.timers });
    for (let i = 0; i < 1000; i += 1) refresh.request();
    assert.equal(runs, 0, 'nothing runs before the delay');
    assert.equal(clock.armed, 1, 'one timer for the whole burst');
    clock.fire();
    await settle();
    assert.equal(runs, 1);
    assert.equal(clock.armed, 0, 'nothing more was asked for');
  });

  it('run once more after a run for what was asked during it', async () => {
    const clock = manualTimers();
    let runs = 0;
    let release: () => void = () => undefined;
    const refresh = inBackground(
      async () => {
        runs += 1;
        if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
      },
      { delayMs: 200, onError: unexpected, timers: clock.timers },
    );
    refresh.request();
    clock.fire();
    refresh.request();
    refresh.request();
    assert.equal(clock.armed, 0, 'no second run while the first runs');
    release();
    await settle();
    assert.equal(clock.armed, 1, 'one more run is due');
    clock.fire();
    await settle();
    assert.equal(runs, 2);
  });

  it('try again after a failure, and say so', async () => {
    const clock = manualTimers();
    const errors: unknown[] = [];
    let calls = 0;
    const refresh = inBackground(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('redis gone');
      },
      { delayMs: 200, onError: (err) => errors.push(err), timers: clock.timers },
    );
    refresh.request();
    clock.fire();
    await settle();
    assert.match(String(errors[0]), /redis gone/);
    assert.equal(clock.armed, 1, 'tried again later');
    clock.fire();
    await settle();
    assert.equal(calls, 2);
    assert.equal(clock.armed, 0);
  });

  it('run what was asked for at once on flush, and nothing when nothing was', async () => {
    const clock = manualTimers();
    let runs = 0;
    const refresh = inBackground(async () => void (runs += 1), { delayMs: 60_000, onError: unexpected, timers: clock.timers });
    await refresh.flush();
    assert.equal(runs, 0);
    refresh.request();
    await refresh.flush();
    assert.equal(runs, 1, 'flushed without waiting for the delay');
    assert.equal(clock.armed, 0);
  });
});
