import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coalesce } from '../src/check-worker.ts';

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
