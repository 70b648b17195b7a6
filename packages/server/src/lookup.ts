import type { CheckinDefinition, DatamonConfig, PipelineDefinition } from '@datamon/core';
import { notFound } from './errors.ts';

/** The configured pipeline with this id, or a 404 that lists the known ones. */
export function pipelineOr404(config: DatamonConfig, id: string): PipelineDefinition {
  const pipeline = config.pipelines.find((candidate) => candidate.id === id);
  if (!pipeline) throw notFound(`no pipeline "${id}"; known pipelines: ${config.pipelines.map((p) => p.id).join(', ')}`);
  return pipeline;
}

/** The configured check-in with this id, or a 404 that lists the known ones. */
export function checkinOr404(config: DatamonConfig, id: string): CheckinDefinition {
  const checkin = config.checkins.find((candidate) => candidate.id === id);
  if (!checkin) throw notFound(`no check-in "${id}"; known check-ins: ${config.checkins.map((c) => c.id).join(', ')}`);
  return checkin;
}
