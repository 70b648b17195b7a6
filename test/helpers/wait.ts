import assert from 'node:assert/strict';
import type { Queue } from 'bullmq';

/**
 * Polls `probe` every 25 ms until it holds; fails the test naming `what` after `timeoutMs`. What
 * the end-to-end tests wait on is a recorded outcome (a message received, a job finished), never
 * a length of time.
 */
export async function waitFor(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Waits until no job waits, runs or is delayed in any of `queues`. */
export async function queuesIdle(queues: Iterable<Queue>, timeoutMs?: number): Promise<void> {
  const list = [...queues];
  await waitFor(
    'the queues to drain',
    async () => {
      const counts = await Promise.all(list.map((queue) => queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')));
      return counts.every((count) => Object.values(count).every((n) => n === 0));
    },
    timeoutMs,
  );
}
