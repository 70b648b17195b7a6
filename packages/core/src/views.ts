import type { PipelineKind } from './pipeline.ts';
import type { Status, StatusCounts } from './status.ts';

/** One pipeline as `/api/status` shows it (SPEC 8). */
export interface PipelineStatusView {
  id: string;
  name: string;
  kind: PipelineKind;
  status: Status;
  message: string;
  value: number | string | null;
  checkedAt: string | null;
  /** Since when it has had this status. */
  since: string | null;
  /** Open incident id, or null. */
  incident: string | null;
  acknowledged: boolean;
  silencedUntil: string | null;
  quickCheck: boolean;
}

/** One check-in as `/api/status` shows it. */
export interface CheckinStatusView {
  id: string;
  time: string | null;
  label: string;
  lastRunAt: string | null;
  status: Status | null;
  late: boolean;
}

/** The status snapshot kept current in Redis and served as `/api/status` (SPEC 8). */
export interface StatusSnapshot {
  generatedAt: string;
  overall: Status;
  counts: StatusCounts;
  pipelines: PipelineStatusView[];
  checkins: CheckinStatusView[];
}

/** One stored run of a check-in. */
export interface CheckinRun {
  id: string;
  checkinId: string;
  label: string;
  /** The slot it was scheduled for (ISO). */
  scheduledFor: string;
  ranAt: string;
  /** Run after its slot because nothing was running then (SPEC 4). */
  late: boolean;
  /** Started by a person (CLI or API), not the schedule. */
  manual: boolean;
  /** Who ran it by hand (a user, a token's name, `cli user@host`); absent or null for scheduled runs. */
  requestedBy?: string | null;
  overall: Status;
  results: { pipelineId: string; status: Status; message: string; value: number | string | null }[];
}
