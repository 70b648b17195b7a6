import type { Status } from './status.ts';

/** A problem status: what an incident can be at. */
export type ProblemStatus = Extract<Status, 'WARNING' | 'CRITICAL'>;

/**
 * One incident (SPEC 5): opened when a pipeline turns WARNING or CRITICAL, closed when it is OK.
 * Stored as JSON in Redis; the alert rule in `incident-rule.ts` is the only thing that changes it.
 */
export interface IncidentRecord {
  /** `<pipelineId>-<openedAt epoch ms>`: also the Google Chat threadKey. */
  id: string;
  pipelineId: string;
  pipelineName: string;
  /** The status now (WARNING or CRITICAL while open; the last problem status once closed). */
  status: ProblemStatus;
  /** The worst status it reached. */
  worstStatus: ProblemStatus;
  openedAt: string;
  closedAt: string | null;
  acknowledged: boolean;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  /** When it became CRITICAL (escalation counts from here); null while only WARNING. */
  criticalSince: string | null;
  /** Escalation messages sent so far (the first one and repeats). */
  escalations: number;
  lastEscalatedAt: string | null;
  /** Whether any email went out for it (then the resolved message is emailed too). */
  emailed: boolean;
  /** The latest result's message and value, for cards. */
  message: string;
  value: number | string | null;
  /** The threshold text the value was measured against, when the check gives one. */
  threshold: string | null;
  /** Sequence of notifications decided for this incident: part of each deterministic job id. */
  notificationSeq: number;
  /** The status of the latest result applied (PENDING pauses escalation; OK once closed). */
  lastStatus: Status;
  /** `checkedAt` of the latest result applied: an older or equal result is stale and ignored. */
  lastCheckedAt: string;
  /**
   * What people were last told by a state message (opened, worsened, reopened, resolved): the
   * rule sends a state message whenever the truth differs from this and nothing holds it back.
   * null: nothing told yet (it opened while the pipeline was silenced).
   */
  announcedStatus: AnnouncedStatus | null;
  announcedAt: string | null;
  /** Why a state message that is due is being held, for the dashboard; null when none is. */
  held: 'silence' | 'flapping' | null;
  /** Times it re-opened within the flap window of its close; above 0 it is *flapping*. */
  reopenCount: number;
  /** The message of the result that closed it ("... arrived at 12:14"), for the resolved card. */
  resolution: string | null;
}

/** A status a state message can tell: a problem, or OK (resolved). */
export type AnnouncedStatus = ProblemStatus | 'OK';

/** Every channel a notification goes to; the notifier registry has one notifier per channel. */
export const NOTIFICATION_CHANNELS = ['chat', 'email'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

export type NotificationKind =
  | 'checkin'
  | 'critical'
  | 'warning'
  | 'escalation'
  | 'resolved'
  | 'daily_summary'
  | 'test';

export type NotificationOutcome = 'sent' | 'failed' | 'skipped' | 'retrying';

/** One line of the notification record (SPEC 5): every notification, sent or failed. */
export interface NotificationRecord {
  /** Deterministic: the same message decided twice has the same id and is delivered once. */
  id: string;
  at: string;
  incidentId: string | null;
  pipelineId: string | null;
  channel: NotificationChannel;
  kind: NotificationKind;
  outcome: NotificationOutcome;
  error: string | null;
  attempts: number;
}
