import type { DatamonConfig, PipelineDefinition } from '@datamon/core';

/** The parts of the config the renderers read: plain data, so rendering stays pure. */
export type RenderConfig = Pick<DatamonConfig, 'monitoring' | 'dashboard' | 'pipelines' | 'checkins'>;

/** What a renderer knows of a pipeline that may have left the config since (id only). */
export interface PipelineFacts {
  id: string;
  name: string;
  kind: string | null;
  /** The section of check-in cards it is listed under (its kind's; "Other" once it left the config). */
  group: string;
  action: string;
}

export const FALLBACK_ACTION = "Check the pipeline's source job, its logs and its connectivity, then re-run it.";

export function pipelineFacts(config: RenderConfig, id: string, fallbackName?: string): PipelineFacts {
  const pipeline: PipelineDefinition | undefined = config.pipelines.find((candidate) => candidate.id === id);
  if (!pipeline) return { id, name: fallbackName ?? id, kind: null, group: OTHER_GROUP, action: FALLBACK_ACTION };
  return { id, name: pipeline.name, kind: pipeline.kind, group: pipeline.group, action: pipeline.action || FALLBACK_ACTION };
}

const OTHER_GROUP = 'Other';

/** Check-in cards and summaries have a section per group of pipelines (what they watch), in order of first appearance. */
export function groupByKind<T>(items: readonly T[], groupOf: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groupOf(item);
    const list = groups.get(group) ?? [];
    list.push(item);
    groups.set(group, list);
  }
  return [...groups.entries()];
}
