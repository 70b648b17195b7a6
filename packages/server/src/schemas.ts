import {
  HistoryEntrySchema,
  ID_PATTERN,
  IncidentRecordSchema,
  PingsViewSchema,
  NotificationRecordSchema,
  PipelineStatusViewSchema,
  StatusSchema,
  StatusSnapshotSchema,
  StoredResultSchema,
  InstantSchema,
  MeasuredValueSchema,
  TicketRefSchema,
  TimelineEntrySchema,
} from '@datamon/core';
import Type, { type Static } from 'typebox';

/**
 * The API's schemas (README "HTTP API"), one per shape: what the store holds is described once in core
 * (`IncidentRecordSchema`, `StatusSnapshotSchema`, ...) and served with that schema, so an answer
 * carries every field the store holds and nothing else (a secret never leaves by accident).
 * Request parts are described here, and their types derived with `Static<>`.
 */

export const ERROR_SCHEMA_ID = 'datamon-error';

/** The one error body: `{error, message, statusCode}`. */
export const errorSchema = Type.Object(
  { error: Type.String(), message: Type.String(), statusCode: Type.Integer() },
  { $id: ERROR_SCHEMA_ID },
);

const errorRef = Type.Ref(ERROR_SCHEMA_ID);

/** Error responses every route may give. */
export const errorResponses = { '4xx': errorRef, '5xx': errorRef } as const;

/** A pipeline (or check-in) id in a URL: what the config accepts. */
export const pipelineIdParams = Type.Object({ id: Type.String({ pattern: ID_PATTERN.source }) });
export type IdParams = Static<typeof pipelineIdParams>;

/** An incident id is `<pipelineId>-<epoch ms>`, so it may be longer than a pipeline id. */
export const incidentIdParams = Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,127}$' }) });

export const statusSnapshotSchema = StatusSnapshotSchema;
export const incidentRecordSchema = IncidentRecordSchema;
export const notificationSchema = NotificationRecordSchema;
export const historyEntrySchema = HistoryEntrySchema;

/** `GET /api/pipelines/:id`: the pipeline as `/api/status` shows it, its latest result and open incident. */
export const pipelineDetailSchema = Type.Object({
  ...PipelineStatusViewSchema.properties,
  /** What to do when it fails: the pipeline's `action`, always. */
  action: Type.String(),
  latest: Type.Union([StoredResultSchema, Type.Null()]),
  openIncident: Type.Union([IncidentRecordSchema, Type.Null()]),
});
export type PipelineDetail = Static<typeof pipelineDetailSchema>;

/** One item of `GET /api/incidents` (README "HTTP API"): the incident, `pipeline` (its pipeline's id) and its notifications. */
export const incidentListItemSchema = Type.Object({
  ...IncidentRecordSchema.properties,
  pipeline: Type.String(),
  /** What to do: the pipeline's `action` (null once the pipeline left the config). */
  action: Type.Union([Type.String(), Type.Null()]),
  notifications: Type.Array(NotificationRecordSchema),
  /** Its ticket (README "Tickets and recovery"): `{key, url}` once known, else null. */
  ticket: Type.Union([TicketRefSchema, Type.Null()]),
});
export type IncidentListItem = Static<typeof incidentListItemSchema>;

/**
 * `GET /api/incidents/:id` (README "Incident timeline"): the incident as the list shows it, its
 * ticket once it has one, its recovery runs and its timeline, oldest first.
 */
export const incidentDetailSchema = Type.Object({
  ...incidentListItemSchema.properties,
  recovery: Type.Object({
    /** Whether the pipeline has a recovery action (`POST .../recover` runs it). */
    configured: Type.Boolean(),
    attempts: Type.Integer(),
    maxAttempts: Type.Union([Type.Integer(), Type.Null()]),
    running: Type.Boolean(),
    runs: Type.Array(Type.Object({ at: InstantSchema, manual: Type.Boolean(), ok: Type.Boolean(), outcome: Type.String(), durationMs: Type.Integer() })),
  }),
  timeline: Type.Array(TimelineEntrySchema),
});
export type IncidentDetail = Static<typeof incidentDetailSchema>;

/** `POST /api/incidents/:id/recover`: accepted, and the job that runs it. */
export const recoverAcceptedSchema = Type.Object({ accepted: Type.Boolean(), incident: Type.String(), pipeline: Type.String(), jobId: Type.String() });

export const historySchema = Type.Object({ id: Type.String(), hours: Type.Integer(), results: Type.Array(HistoryEntrySchema) });
export const historyQuery = Type.Object({ hours: Type.Integer({ minimum: 1, maximum: 2160, default: 24 }) });

/** `GET /api/pipelines/:id/pings` (README "Heartbeats"). */
export const pingsSchema = PingsViewSchema;
export const pingsQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) });

/** One maintenance occurrence (README "Business calendar and maintenance windows"). */
export const maintenanceWindowSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** null: every pipeline. */
  pipelines: Type.Union([Type.Array(Type.String()), Type.Null()]),
  start: InstantSchema,
  end: InstantSchema,
  source: Type.Enum(['config', 'api']),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
});
export const maintenanceListSchema = Type.Object({ windows: Type.Array(maintenanceWindowSchema) });
export const maintenanceBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    pipelines: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
    minutes: Type.Integer({ minimum: 1, maximum: 10_080 }),
  },
  { additionalProperties: false },
);
export const maintenanceParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,100}$' }) });

export const jobIdSchema = Type.Object({ jobId: Type.String() });
/** A run asked for while one was queued or running (or, for a check-in, already run this minute): that one. */
export const dedupedJobSchema = Type.Object({ jobId: Type.String(), deduplicated: Type.Literal(true) });

/** `GET /api/monitor`: core's watch report. */
export const watchReportSchema = Type.Object({
  healthy: Type.Boolean(),
  since: Type.Union([InstantSchema, Type.Null()]),
  problems: Type.Array(Type.Object({ kind: Type.Enum(['rounds', 'role', 'paused']), subject: Type.Union([Type.String(), Type.Null()]), since: InstantSchema, message: Type.String() })),
  lastRoundAt: Type.Union([InstantSchema, Type.Null()]),
  lastRoundAgeSeconds: Type.Number(),
  roundIntervalSeconds: Type.Number(),
  roles: Type.Array(Type.Object({ role: Type.String(), up: Type.Boolean(), lastSeen: Type.Union([InstantSchema, Type.Null()]) })),
});

/** `POST /api/pipelines/:id/run?wait=1`: the job and the result it stored. */
export const runResultSchema = Type.Object({
  jobId: Type.String(),
  deduplicated: Type.Optional(Type.Boolean()),
  result: Type.Object({ status: StatusSchema, value: MeasuredValueSchema, message: Type.String(), checkedAt: InstantSchema }),
});
export const runQuery = Type.Object({ wait: Type.Optional(Type.Enum(['0', '1', 'true', 'false'])) });

export const silenceBody = Type.Object({ minutes: Type.Integer({ minimum: 1, maximum: 10_080 }) }, { additionalProperties: false });
export const silenceSchema = Type.Object({ id: Type.String(), silencedUntil: Type.Union([InstantSchema, Type.Null()]) });

export const incidentsQuery = Type.Object({
  state: Type.Enum(['open', 'all'], { default: 'open' }),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
});
export const notificationsQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) });
