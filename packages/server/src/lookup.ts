import type { CheckinDefinition, DatamonConfig, PipelineDefinition } from '@datamon/core';
import { notFound } from './errors.ts';

/** The known ids, for a 404 — only where reads are open (protected reads list nothing). */
function known(config: DatamonConfig, what: string, ids: string[]): string {
  return config.dashboard.auth.protect_reads ? '' : `; known ${what}: ${ids.join(', ')}`;
}

/** The configured pipeline with this id, or a 404 that lists the known ones. */
export function pipelineOr404(config: DatamonConfig, id: string): PipelineDefinition {
  const pipeline = config.pipelines.find((candidate) => candidate.id === id);
  if (!pipeline) throw notFound(`no pipeline "${id}"${known(config, 'pipelines', config.pipelines.map((p) => p.id))}`);
  return pipeline;
}

/** The configured check-in with this id, or a 404 that lists the known ones. */
export function checkinOr404(config: DatamonConfig, id: string): CheckinDefinition {
  const checkin = config.checkins.find((candidate) => candidate.id === id);
  if (!checkin) throw notFound(`no check-in "${id}"${known(config, 'check-ins', config.checkins.map((c) => c.id))}`);
  return checkin;
}
