import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapBounded } from '@datamon/core';

describe('mapBounded', () => {
  it('keeps the input order whatever order the calls finish in', async () => {
    const results = await mapBounded([30, 10, 20, 0], 2, async (ms) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return ms * 2;
    });
    assert.deepEqual(results, [60, 20, 40, 0]);
  });

  it('never has more than the limit in flight', async () => {
    let inFlight = 0;
    let most = 0;
    await mapBounded(Array.from({ length: 10 }, (_, index) => index), 3, async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight -= 1;
    });
    assert.equal(most, 3);
  });

  it('answers an empty list with an empty list', async () => {
    assert.deepEqual(await mapBounded([], 4, async () => 1), []);
  });
});
