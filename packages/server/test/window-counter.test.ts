import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WindowCounter } from '../src/plugins/window-counter.ts';

describe('counting events per key in fixed windows', () => {
  it('lets exactly the limit through, however many arrive together, and says when to retry', () => {
    const clock = { now: 1_000_000 };
    const counter = new WindowCounter(60, 60_000, () => clock.now);
    const verdicts = Array.from({ length: 61 }, () => counter.hit('ops'));
    assert.equal(verdicts.filter((verdict) => !verdict.exceeded).length, 60);
    assert.deepEqual(verdicts.at(-1), { exceeded: true, retryAfterSeconds: 60 });
    clock.now += 45_000;
    assert.deepEqual(counter.hit('ops'), { exceeded: true, retryAfterSeconds: 15 });
    assert.equal(counter.hit('someone else').exceeded, false, 'keys are counted apart');
    clock.now += 15_000;
    assert.equal(counter.hit('ops').exceeded, false, 'a new window starts afresh');
  });

  it('keeps a bounded number of keys', () => {
    const counter = new WindowCounter(1, 60_000, () => 0, 3);
    for (const key of ['a', 'b', 'c', 'd']) counter.hit(key);
    assert.equal(counter.hit('a').exceeded, false, 'the oldest key was dropped');
  });
});
