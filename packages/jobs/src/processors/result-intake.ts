import type { CheckResult } from '@datamon/core';
import type { DatamonStore } from '@datamon/store';
import type { AlertsJobs } from '../contracts.ts';
import { jobIds } from '../ids.ts';
import type { BulkEntry, DatamonQueues } from '../producers.ts';

/**
 * Stores check results once per `jobId` and enqueues an `evaluate` job for each pipeline whose
 * status changed or that has an open incident (it may close, worsen or need escalating), with
 * deterministic ids.
 *
 * @param jobId - names this batch: storing it again (a retried job) stores nothing twice
 * @returns how many evaluations were enqueued
 */
export async function recordResults(
  deps: { store: DatamonStore; queues: Pick<DatamonQueues, 'alerts'> },
  results: readonly CheckResult[],
  jobId: string,
): Promise<{ evaluations: number }> {
  const { store } = deps;
  const [open, outcomes] = await Promise.all([
    // Only this batch's pipelines: reading every open incident per part grows with what is broken.
    store.incidents.openAmong(results.map((result) => result.pipelineId)),
    // One pipeline of writes for the batch (a quick-check part), not one round trip per result.
    store.results.recordMany(results, { jobId }),
  ]);
  const evaluations: BulkEntry<AlertsJobs>[] = [];
  results.forEach((result, index) => {
    const { previousStatus } = outcomes[index] as (typeof outcomes)[number];
    // A change, or a check while an incident is open (it may close, worsen or need escalating).
    if (previousStatus === result.status && !open.has(result.pipelineId)) return;
    evaluations.push({
      name: 'evaluate',
      data: { pipelineId: result.pipelineId, result, previousStatus },
      opts: { jobId: jobIds.evaluate(result.pipelineId, result.checkedAt) },
    });
  });
  await deps.queues.alerts.addBulk(evaluations);
  return { evaluations: evaluations.length };
}
