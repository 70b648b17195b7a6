import Type, { type Static } from 'typebox';
import { InstantSchema, MeasuredValueSchema, NullableInstantSchema, NullableStringSchema, StatusSchema } from './result.ts';

/** A problem status: what an incident can be at. */
export const ProblemStatusSchema = Type.Enum(['WARNING', 'CRITICAL']);
export type ProblemStatus = Static<typeof ProblemStatusSchema>;

/** A status a state message can tell: a problem, or OK (resolved). */
export const AnnouncedStatusSchema = Type.Enum(['WARNING', 'CRITICAL', 'OK']);
export type AnnouncedStatus = Static<typeof AnnouncedStatusSchema>;

/**
 * One incident (README "Alerts"): opened when a pipeline turns WARNING or CRITICAL, closed when it is OK.
 * Stored as JSON in Redis and served as it is by the API; the incident rule in
 * `incident-rule.ts` is the only thing that changes it.
 *
 * - `id`: `<pipelineId>-<openedAt epoch ms>`, also the Google Chat threadKey.
 * - `status`: the status now (WARNING or CRITICAL while open; the last problem status once closed);
 *   `worstStatus`: the worst it reached.
 * - `criticalSince`: when it became CRITICAL (escalation counts from here); null while only WARNING.
 * - `escalations`, `lastEscalatedAt`: escalation messages sent so far (the first one and repeats).
 * - `emailed`: whether any email went out for it (then the resolved message is emailed too).
 * - `message`, `value`, `threshold`: the latest result's, for cards.
 * - `notificationSeq`: the sequence of notifications decided for it, part of each deterministic id.
 * - `lastStatus`, `lastCheckedAt`: the latest result applied (PENDING pauses escalation; an older
 *   or equal result is stale and ignored).
 * - `announcedStatus`, `announcedAt`: what people were last told by a state message (opened,
 *   worsened, reopened, resolved); the rule sends one whenever the truth differs from this and
 *   nothing holds it back. null: nothing told yet (it opened while the pipeline was silenced).
 * - `held`: why a state message that is due is being held, for the dashboard.
 * - `reopenCount`: times it re-opened within the flap window of its close; above 0 it is flapping.
 * - `resolution`: the message of the result that closed it ("... arrived at 12:14").
 * - `blockedBy`: the root pipeline whose CRITICAL failure this one is part of (README
 *   "Dependencies"): it sends nothing of its own and does not escalate while blocked;
 *   `unblockedFrom`: the root it was last blocked by (its first message then says so);
 *   `affects`: on a root, every pipeline it has blocked during this incident (its messages list them).
 */
export const IncidentRecordSchema = Type.Object({
  id: Type.String(),
  pipelineId: Type.String(),
  pipelineName: Type.String(),
  status: ProblemStatusSchema,
  worstStatus: ProblemStatusSchema,
  openedAt: InstantSchema,
  closedAt: NullableInstantSchema,
  acknowledged: Type.Boolean(),
  acknowledgedAt: NullableInstantSchema,
  acknowledgedBy: NullableStringSchema,
  criticalSince: NullableInstantSchema,
  escalations: Type.Integer(),
  lastEscalatedAt: NullableInstantSchema,
  emailed: Type.Boolean(),
  message: Type.String(),
  value: MeasuredValueSchema,
  threshold: NullableStringSchema,
  notificationSeq: Type.Integer(),
  lastStatus: StatusSchema,
  lastCheckedAt: InstantSchema,
  announcedStatus: Type.Union([AnnouncedStatusSchema, Type.Null()]),
  announcedAt: NullableInstantSchema,
  held: Type.Union([Type.Enum(['silence', 'flapping', 'blocked', 'maintenance']), Type.Null()]),
  reopenCount: Type.Integer(),
  resolution: NullableStringSchema,
  blockedBy: Type.Optional(NullableStringSchema),
  unblockedFrom: Type.Optional(NullableStringSchema),
  affects: Type.Optional(Type.Array(Type.String())),
});
export type IncidentRecord = Static<typeof IncidentRecordSchema>;

/** Every channel a notification goes to; the notifier registry has one notifier per channel. */
export const NOTIFICATION_CHANNELS = ['chat', 'email'] as const;
export const NotificationChannelSchema = Type.Enum([...NOTIFICATION_CHANNELS]);
export type NotificationChannel = Static<typeof NotificationChannelSchema>;

/** `monitor`: a card about datamon itself (it stopped checking, or is back); `recovery`: a recovery action's result, in its incident's thread. */
export const NotificationKindSchema = Type.Enum(['checkin', 'critical', 'warning', 'escalation', 'resolved', 'daily_summary', 'test', 'monitor', 'recovery']);
export type NotificationKind = Static<typeof NotificationKindSchema>;

export const NotificationOutcomeSchema = Type.Enum(['sent', 'failed', 'skipped', 'retrying']);
export type NotificationOutcome = Static<typeof NotificationOutcomeSchema>;

/**
 * One line of the notification record (README "Alerts"): every notification, sent or failed. Its `id` is
 * deterministic: the same message decided twice has the same id and is delivered once.
 */
export const NotificationRecordSchema = Type.Object({
  id: Type.String(),
  at: InstantSchema,
  incidentId: NullableStringSchema,
  pipelineId: NullableStringSchema,
  /** The check-in a check-in card or email reported. */
  checkinId: Type.Optional(NullableStringSchema),
  channel: NotificationChannelSchema,
  kind: NotificationKindSchema,
  outcome: NotificationOutcomeSchema,
  error: NullableStringSchema,
  attempts: Type.Integer(),
});
export type NotificationRecord = Static<typeof NotificationRecordSchema>;
