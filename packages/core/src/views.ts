import Type, { type Static } from 'typebox';
import { ExpectedSchema, InstantSchema, MeasuredValueSchema, NullableInstantSchema, NullableStatusSchema, NullableStringSchema, StatusSchema } from './result.ts';
import { STATUSES } from './status.ts';

/** One pipeline as `/api/status` shows it (README "HTTP API"). */
/** A ticket as people see it: its key (`DATA-12`, `#12`) and its page. */
export const TicketRefSchema = Type.Object({ key: Type.String(), url: Type.String() });
export type TicketRef = Static<typeof TicketRefSchema>;

export const PipelineStatusViewSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  /** null: never checked yet ("not checked yet"): no verdict without a check. */
  status: NullableStatusSchema,
  message: Type.String(),
  value: MeasuredValueSchema,
  checkedAt: NullableInstantSchema,
  /** Since when it has had this status. */
  since: NullableInstantSchema,
  /** Open incident id, or null. */
  incident: NullableStringSchema,
  acknowledged: Type.Boolean(),
  silencedUntil: NullableInstantSchema,
  quickCheck: Type.Boolean(),
  /** What to do (the pipeline's `action`), while it is WARNING or CRITICAL; null otherwise. */
  action: NullableStringSchema,
  /** The root whose CRITICAL failure this one is part of (README "Dependencies"), or null. */
  blockedBy: NullableStringSchema,
  /** Its `depends_on`: the pipelines it waits for. */
  dependsOn: Type.Array(Type.String()),
  /** The usual value and band of its latest result (a count with an anomaly baseline). */
  expected: Type.Optional(ExpectedSchema),
  /** The maintenance window covering it now (nothing is sent until it ends), or null. */
  maintenance: Type.Union([Type.Object({ name: Type.String(), until: InstantSchema }), Type.Null()]),
  /** The open incident's ticket (README "Tickets and recovery"), once it has one. */
  ticket: Type.Optional(Type.Union([TicketRefSchema, Type.Null()])),
});
export type PipelineStatusView = Static<typeof PipelineStatusViewSchema>;

/** One check-in as `/api/status` shows it. */
export const CheckinStatusViewSchema = Type.Object({
  id: Type.String(),
  time: NullableStringSchema,
  label: Type.String(),
  lastRunAt: NullableInstantSchema,
  status: NullableStatusSchema,
  late: Type.Boolean(),
  /** The last run was started by hand, and by whom. */
  manual: Type.Boolean(),
  requestedBy: NullableStringSchema,
});
export type CheckinStatusView = Static<typeof CheckinStatusViewSchema>;

/** Pipelines per status, and `UNCHECKED`: those never checked yet. */
export const StatusCountsSchema = Type.Object({ OK: Type.Integer(), WARNING: Type.Integer(), CRITICAL: Type.Integer(), PENDING: Type.Integer(), UNCHECKED: Type.Integer() });

/** The overall status: a status, or CHECKING while some pipeline was never checked. */
export const OverallStatusSchema = Type.Enum([...STATUSES, 'CHECKING']);

/** The status snapshot kept current in Redis and served as `/api/status` (README "HTTP API"). */
export const StatusSnapshotSchema = Type.Object({
  generatedAt: InstantSchema,
  overall: OverallStatusSchema,
  counts: StatusCountsSchema,
  pipelines: Type.Array(PipelineStatusViewSchema),
  checkins: Type.Array(CheckinStatusViewSchema),
});
export type StatusSnapshot = Static<typeof StatusSnapshotSchema>;

/**
 * One stored run of a check-in. `scheduledFor`: the slot it was scheduled for; `late`: run after
 * its slot because nothing was running then (README "Check-ins and the schedule"); `manual`: started by a person (CLI or
 * API), not the schedule, and `requestedBy` says who (absent or null for scheduled runs).
 */
export const CheckinRunSchema = Type.Object({
  id: Type.String(),
  checkinId: Type.String(),
  label: Type.String(),
  scheduledFor: InstantSchema,
  ranAt: InstantSchema,
  late: Type.Boolean(),
  manual: Type.Boolean(),
  requestedBy: Type.Optional(NullableStringSchema),
  overall: StatusSchema,
  results: Type.Array(
    Type.Object({
      pipelineId: Type.String(),
      status: StatusSchema,
      message: Type.String(),
      value: MeasuredValueSchema,
      /** The root whose failure this one is part of (README "Dependencies"), when failing below a CRITICAL upstream. */
      blockedBy: Type.Optional(NullableStringSchema),
    }),
  ),
});
export type CheckinRun = Static<typeof CheckinRunSchema>;

/** What a job's ping says (README "Heartbeats"): an exit code 0 arrives as success, 1-255 as fail. */
export const PingTypeSchema = Type.Enum(['success', 'start', 'fail', 'log']);

/** One ping of a heartbeat pipeline, as stored and as `GET /api/pipelines/:id/pings` shows it. */
export const PingSchema = Type.Object({
  /** When it arrived (ISO). */
  at: InstantSchema,
  type: PingTypeSchema,
  exitCode: Type.Union([Type.Integer({ minimum: 0, maximum: 255 }), Type.Null()]),
  /** The run id pairing a start with its finish (`?rid=`). */
  rid: NullableStringSchema,
  /** A finish's run time, from its start (filled when read). */
  durationMs: Type.Union([Type.Number(), Type.Null()]),
  /** The first 10,000 bytes of the request body, as text. */
  body: Type.String(),
});

/** `GET /api/pipelines/:id/pings`: newest first. */
export const PingsViewSchema = Type.Object({ id: Type.String(), pings: Type.Array(PingSchema) });
export type PingsView = Static<typeof PingsViewSchema>;
