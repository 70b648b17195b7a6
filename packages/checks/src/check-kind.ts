import type { BusinessCalendar, DatamonConfig, DayCounts, ExpectedValue, MeasuredOutcome, Ping, PipelineDefinition, PipelineOf, Status } from '@datamon/core';
import type { Logger } from '@datamon/io';
import type { Static, TObject } from 'typebox';
import type { GoogleApi } from './google/google-api.ts';
import type { Warehouse } from './warehouse.ts';

/** What a kind hands back: the runner adds the pipeline id, the time and the duration. */
export interface KindOutcome {
  status: Status;
  message: string;
  value: number | string | null;
  details: Record<string, unknown>;
  /** The usual value and band (a count with an anomaly baseline). */
  expected?: ExpectedValue;
}

/**
 * A kind's outcome from its rule's: the rule's `threshold` goes first in `details`, where the
 * incident rule reads it (`details.threshold`) for the cards; `details` adds the kind's own facts.
 */
export function ruleOutcome(outcome: MeasuredOutcome, details: Record<string, unknown>): KindOutcome {
  return { status: outcome.status, message: outcome.message, value: outcome.value, details: { threshold: outcome.threshold, ...details } };
}

/** Everything a check kind may use; the sources are shared by all the runner's checks. */
export interface CheckContext {
  config: DatamonConfig;
  /** The instant the check is evaluated at (injected in tests). */
  now: Date;
  logger: Logger;
  /** The warehouse, connected on first use. */
  warehouse: Warehouse;
  /** The Google Drive and Sheets APIs with the service account's token. */
  google: GoogleApi;
  /** Aborted when the check runs out of time: a kind stops its work then (a read, a request). */
  signal: AbortSignal;
  /** Heartbeat pipelines' pings (in Redis); absent where no store is at hand. */
  pings?: PingSource;
  /** The business calendar (README "Business calendar"); see {@link expectedDays} for a pipeline's view of it. */
  calendar: BusinessCalendar;
  /** Where past days' counts of anomaly baselines are cached (Redis); absent where no store is at hand. */
  baselines?: BaselineCache;
}

/**
 * The calendar as one pipeline sees it: null when every day counts for it (`days: every_day`, or
 * a calendar that closes no day), so a kind measures exactly as before; else the calendar.
 */
export function expectedDays(pipeline: PipelineDefinition, ctx: Pick<CheckContext, 'calendar'>): BusinessCalendar | null {
  return pipeline.days === 'workdays' && ctx.calendar.restricts ? ctx.calendar : null;
}

/** Milliseconds of time that counts for the pipeline from `from` to the check: working time only when its days are restricted, else null (plain elapsed time). */
export function workingAgeMs(pipeline: PipelineDefinition, ctx: Pick<CheckContext, 'calendar' | 'now' | 'config'>, from: Date): number | null {
  const calendar = expectedDays(pipeline, ctx);
  return calendar ? calendar.workingTimeBetween(from, ctx.now, ctx.config.monitoring.timezone) : null;
}

/** What the cache knows of a counted set, read in one round trip. */
export interface BaselineState {
  /** The first row's time (ISO), null for an empty table; undefined when not cached. */
  firstRow: string | null | undefined;
  /** Dates whose latest verdict was an anomaly. */
  flagged: Set<string>;
  /** Cached counts of the dates asked for. */
  days: Record<string, DayCounts>;
}

/** Where baselines are cached (the store implements it on Redis); absent in `datamon check`. */
export interface BaselineCache {
  /** Everything known of `signature`, the counts of `dates` included, in one round trip. */
  load(signature: string, dates: readonly string[]): Promise<BaselineState>;
  /** Writes what changed, in one round trip: counted days, the first row, a date's verdict. */
  save(signature: string, changes: { days?: Readonly<Record<string, DayCounts>>; firstRow?: string | null; flag?: { date: string; anomalous: boolean } }): Promise<void>;
}

/** Where a heartbeat check reads its pipeline's pings: the store's ping repository. */
export interface PingSource {
  /** The newest `limit` pings, newest first. */
  recent(pipelineId: string, limit: number): Promise<Ping[]>;
}

/** The config a kind's defaults may depend on (everything but the pipelines and check-ins). */
export type ConfigBase = Omit<DatamonConfig, 'pipelines' | 'checkins' | 'source'>;

/**
 * One check kind, one file in `kinds/`: its name, its fields in `pipelines:` (a schema, which also
 * types them), their defaults, and its check. `run` returns an outcome for whatever it measured
 * and throws `SourceUnavailableError` when it could not measure at all; the runner turns that
 * into a CRITICAL result, so a kind never builds an error result itself.
 */
export interface CheckKind<K extends string = string, Fields extends TObject = TObject> {
  readonly kind: K;
  /** The section of check-in cards its pipelines are listed under. */
  readonly group: string;
  /** The kind's own fields, as the config file has them (validated at start-up). */
  readonly fields: Fields;
  /**
   * Defaults that depend on the rest of the config (thresholds, folders) or on the item's other
   * fields (as written); the schema's own defaults apply too.
   */
  defaults?(base: ConfigBase, item: Readonly<Record<string, unknown>>): Partial<Static<Fields>>;
  /** Problems the schema cannot express, as `"field: what is wrong"`. */
  validate?(pipeline: PipelineOf<K, Static<Fields>>, base: ConfigBase): string[];
  /**
   * Whether, on a day the calendar closes for it, the pipeline is simply not expected (OK, "not
   * expected today: Christmas Day") rather than checked: a file or today's count is; an age or
   * yesterday's count is measured in working days instead.
   */
  quietOnClosedDays?(pipeline: PipelineOf<K, Static<Fields>>): boolean;
  // A method, so a registry of different kinds can hold each with its own pipeline type.
  run(pipeline: PipelineOf<K, Static<Fields>>, ctx: CheckContext): Promise<KindOutcome>;
}

/** A pipeline of the kind `Kind` describes. */
export type PipelineOfKind<Kind> = Kind extends CheckKind<infer K, infer F> ? PipelineOf<K, Static<F>> : never;

/** Declares a kind (the types flow from its fields schema to its `run`). */
export function defineKind<K extends string, Fields extends TObject>(kind: CheckKind<K, Fields>): CheckKind<K, Fields> {
  return kind;
}

/** Any kind, as a registry holds it. */
export type AnyCheckKind = CheckKind<string, TObject>;

/** Whether the kind leaves the pipeline alone on a closed day (see `quietOnClosedDays`). */
export function quietOnClosedDays(kind: AnyCheckKind, pipeline: PipelineDefinition): boolean {
  return kind.quietOnClosedDays?.(pipeline as PipelineOf<string, Static<TObject>>) ?? false;
}

/** Runs a pipeline with its kind (the registry pairs them by `kind`). */
export function runKind(kind: AnyCheckKind, pipeline: PipelineDefinition, ctx: CheckContext): Promise<KindOutcome> {
  return kind.run(pipeline as PipelineOf<string, Static<TObject>>, ctx);
}
