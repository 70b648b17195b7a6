import { blockingRoot, graphOf } from './dependencies.ts';
import { type MaintenanceOccurrence, maintenanceUntil } from './maintenance.ts';
import type { CheckinDefinition, PipelineDefinition } from './pipeline.ts';
import type { StoredResult } from './result.ts';
import type { IncidentRecord } from './incident.ts';
import { countStatuses, overallOfSnapshot, type Status } from './status.ts';
import type { CheckinRun, CheckinStatusView, PipelineStatusView, StatusSnapshot, TicketRef } from './views.ts';

export interface SnapshotInput {
  pipelines: readonly PipelineDefinition[];
  checkins: readonly CheckinDefinition[];
  latest: Readonly<Record<string, StoredResult>>;
  openIncidents: Readonly<Record<string, IncidentRecord>>;
  /** pipelineId -> ISO end of an active silence. */
  silences: Readonly<Record<string, string>>;
  checkinRuns: Readonly<Record<string, CheckinRun>>;
  /** Maintenance windows active now (README "Business calendar and maintenance windows"); none when absent. */
  maintenance?: readonly MaintenanceOccurrence[];
  /** incidentId -> its ticket (README "Tickets and recovery"); none when absent. */
  tickets?: Readonly<Record<string, TicketRef>>;
}

/**
 * The `/api/status` document from what is stored (README "HTTP API"). Pure: the same input gives the same
 * snapshot. A pipeline never checked yet shows PENDING, "not checked yet".
 */
/** The active window covering a pipeline that ends last, or null. */
function maintenanceWindowOf(pipelineId: string, active: readonly MaintenanceOccurrence[]): MaintenanceOccurrence | null {
  const until = maintenanceUntil(pipelineId, active);
  return until === null ? null : (active.find((window) => window.end === until && (window.pipelines === null || window.pipelines.includes(pipelineId))) ?? null);
}

export function buildStatusSnapshot(input: SnapshotInput, now: Date): StatusSnapshot {
  const graph = graphOf(input.pipelines);
  const statusOf = (id: string) => input.latest[id]?.status ?? null;
  const pipelines: PipelineStatusView[] = input.pipelines.map((pipeline) => {
    const latest = input.latest[pipeline.id];
    const incident = input.openIncidents[pipeline.id];
    const silencedUntil = input.silences[pipeline.id];
    const window = maintenanceWindowOf(pipeline.id, input.maintenance ?? []);
    const failing = latest !== undefined && (latest.status === 'WARNING' || latest.status === 'CRITICAL');
    return {
      id: pipeline.id,
      name: pipeline.name,
      kind: pipeline.kind,
      status: latest?.status ?? null,
      message: latest?.message ?? 'not checked yet',
      value: latest?.value ?? null,
      checkedAt: latest?.checkedAt ?? null,
      since: latest?.since ?? null,
      incident: incident?.id ?? null,
      acknowledged: incident?.acknowledged ?? false,
      silencedUntil: silencedUntil && Date.parse(silencedUntil) > now.getTime() ? silencedUntil : null,
      quickCheck: pipeline.quick_check,
      action: failing ? pipeline.action : null,
      // The incident's own view (it waits for a fresh check after the root recovers), else the results'.
      blockedBy: incident?.blockedBy ?? (failing && graph.any ? blockingRoot(graph, pipeline.id, statusOf) : null),
      dependsOn: [...(graph.upstream.get(pipeline.id) ?? [])],
      maintenance: window ? { name: window.name, until: window.end } : null,
      ...(latest?.expected ? { expected: latest.expected } : {}),
      ...(incident && input.tickets?.[incident.id] ? { ticket: input.tickets[incident.id] } : {}),
    };
  });
  const checkins: CheckinStatusView[] = input.checkins.map((checkin) => {
    const run = input.checkinRuns[checkin.id];
    return {
      id: checkin.id,
      time: checkin.time,
      label: checkin.label,
      lastRunAt: run?.ranAt ?? null,
      status: run?.overall ?? null,
      late: run?.late ?? false,
      manual: run?.manual ?? false,
      requestedBy: run?.requestedBy ?? null,
    };
  });
  const statuses = pipelines.map((pipeline) => pipeline.status);
  const checked = statuses.filter((status): status is Status => status !== null);
  return {
    generatedAt: now.toISOString(),
    overall: overallOfSnapshot(statuses),
    counts: { ...countStatuses(checked), UNCHECKED: statuses.length - checked.length },
    pipelines,
    checkins,
  };
}
