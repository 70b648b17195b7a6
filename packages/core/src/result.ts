import Type, { type Static } from 'typebox';
import { STATUSES } from './status.ts';

/**
 * The shapes datamon stores and serves, each described once: a TypeBox schema (JSON Schema the
 * API validates and serialises with) and the TypeScript type derived from it.
 */

export const StatusSchema = Type.Enum([...STATUSES]);
export const NullableStatusSchema = Type.Union([StatusSchema, Type.Null()]);
export const InstantSchema = Type.String({ description: 'ISO 8601 UTC instant' });
export const NullableInstantSchema = Type.Union([InstantSchema, Type.Null()]);
export const NullableStringSchema = Type.Union([Type.String(), Type.Null()]);
/** The measured figure: a count, an age, a file's data rows; null when none. */
export const MeasuredValueSchema = Type.Union([Type.Number(), Type.String(), Type.Null()]);

/**
 * The usual value of a count with an anomaly baseline (README "Volume anomalies"): the median of
 * the same weekday's recent values and the band it may move in (median -/+ sensitivity x spread).
 */
export const ExpectedSchema = Type.Object({ median: Type.Number(), low: Type.Number(), high: Type.Number(), points: Type.Integer() });
export type ExpectedValue = Static<typeof ExpectedSchema>;

/**
 * What one run of one pipeline's check found (README "Default pipelines"). A check that found a problem returns a
 * result; one that could not run at all also returns a result, CRITICAL, saying why.
 */
export const CheckResultSchema = Type.Object({
  pipelineId: Type.String(),
  status: StatusSchema,
  value: MeasuredValueSchema,
  /** One line a person understands, e.g. "newest call 26.0 h ago (critical over 24 h)". */
  message: Type.String(),
  checkedAt: InstantSchema,
  /** Kind-specific facts (threshold, file name, query time...). Never secrets. */
  details: Type.Record(Type.String(), Type.Unknown()),
  durationMs: Type.Number(),
  /** The usual value and band, for a count with an anomaly baseline that has enough history. */
  expected: Type.Optional(ExpectedSchema),
});
export type CheckResult = Static<typeof CheckResultSchema>;

/** A stored latest result: the result plus since when the pipeline has had that status. */
export const StoredResultSchema = Type.Object({ ...CheckResultSchema.properties, since: InstantSchema });
export type StoredResult = Static<typeof StoredResultSchema>;

/** One point of a pipeline's history (README "HTTP API" `/history`). */
export const HistoryEntrySchema = Type.Object({
  status: StatusSchema,
  value: MeasuredValueSchema,
  message: Type.String(),
  checkedAt: InstantSchema,
  /** The usual band at that time (the dashboard's chart draws it). */
  expected: Type.Optional(ExpectedSchema),
});
export type HistoryEntry = Static<typeof HistoryEntrySchema>;
