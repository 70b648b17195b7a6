import type { DatamonConfig, PipelineDefinition, PipelineKind } from '@datamon/core';

/** The parts of the config the renderers read: plain data, so rendering stays pure. */
export type RenderConfig = Pick<DatamonConfig, 'monitoring' | 'dashboard' | 'pipelines' | 'checkins'>;

/** What a renderer knows of a pipeline that may have left the config since (id only). */
export interface PipelineFacts {
  id: string;
  name: string;
  kind: PipelineKind | null;
  action: string;
}

export const FALLBACK_ACTION = "Check the pipeline's source job, its logs and its connectivity, then re-run it.";

export function pipelineFacts(config: RenderConfig, id: string, fallbackName?: string): PipelineFacts {
  const pipeline: PipelineDefinition | undefined = config.pipelines.find((candidate) => candidate.id === id);
  if (!pipeline) return { id, name: fallbackName ?? id, kind: null, action: FALLBACK_ACTION };
  return { id, name: pipeline.name, kind: pipeline.kind, action: pipeline.action || FALLBACK_ACTION };
}

/** Check-in cards and summaries have a section per group of pipelines: what they watch. */
const GROUP_OF_KIND: Readonly<Record<PipelineKind, string>> = {
  mysql_freshness: 'Warehouse',
  mysql_count: 'Warehouse',
  file_arrival: 'Files',
  sheet_updated: 'Google Sheets',
};

export function groupOf(kind: PipelineKind | null): string {
  return kind ? GROUP_OF_KIND[kind] : 'Other';
}

/** Items grouped by `groupOf`, groups in order of first appearance. */
export function groupByKind<T>(items: readonly T[], kindOf: (item: T) => PipelineKind | null): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groupOf(kindOf(item));
    const list = groups.get(group) ?? [];
    list.push(item);
    groups.set(group, list);
  }
  return [...groups.entries()];
}
