/**
 * Pipeline definitions as the user writes them in `pipelines:` (README "Configuration", "Default pipelines"). Field names are the
 * config's own (snake_case) so that what a user reads in the file is what the code reads. The
 * fields every pipeline has are here; each kind's own fields are described by its schema beside
 * its check (`@datamon/checks`, one file per kind), which also types them for its code.
 */

/** A column/value pair that narrows a SQL check; never raw SQL. */
export type ColumnFilters = Record<string, string | number | boolean | null>;

// A type, not an interface: a kind's own pipeline type is then assignable to the index signature below.
export type PipelineCommon = {
  /** Stable id: used in URLs, Redis keys, incident ids. `^[a-z0-9][a-z0-9_-]*$`. */
  id: string;
  name: string;
  /** The kind: which check runs it (a name in the check registry). */
  kind: string;
  /** The section of check-in cards it is listed under ("Warehouse", "Files"...): its kind's. */
  group: string;
  /** What a person should do when it fails (README "Alerts"); defaults per default pipeline. */
  action: string;
  /** "HH:MM" local: PENDING before this time of the local day. */
  not_before: string | null;
  /** false: evaluated only by the check-ins that list it. */
  quick_check: boolean;
  /** Pipelines this one depends on: while one of them is CRITICAL, this one's failure is told by it. */
  depends_on: string[];
  /** Which days it is expected on (README "Business calendar"): the calendar's working days, or every day. */
  days: ExpectedDays;
  /** What to run when its incident opens CRITICAL (README "Tickets and recovery"), or null. */
  recovery?: RecoverySettings | null;
};

/** An HTTP recovery action: one request, a 2xx is success. */
export interface RecoveryHttp {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | Record<string, unknown> | null;
}

/**
 * A pipeline's `recovery` (SPEC 13): a command (argv, run without a shell) or one HTTP request,
 * from the config only; at most `max_attempts` automatic runs per incident, each stopped after
 * `timeout_seconds`, the pipeline checked again `recheck_after_minutes` after each.
 */
export type RecoverySettings = ({ command: string[] } | { http: RecoveryHttp }) & {
  max_attempts: number;
  timeout_seconds: number;
  recheck_after_minutes: number;
};

/** Defaults of a `recovery` block (SPEC 13). */
export const RECOVERY_DEFAULTS = { max_attempts: 1, timeout_seconds: 300, recheck_after_minutes: 10 } as const;

/** `days:` of pipelines, check-ins and the daily summary. */
export type ExpectedDays = 'workdays' | 'every_day';
export const EXPECTED_DAYS: readonly ExpectedDays[] = ['workdays', 'every_day'];

/** Any pipeline: the common fields, and its kind's own (read through the kind's type). */
export type PipelineDefinition = PipelineCommon & { readonly [field: string]: unknown };

/** A pipeline of one kind: the common fields and that kind's own. */
export type PipelineOf<Kind extends string, Fields> = PipelineCommon & { kind: Kind } & Fields;

/** A fixed local-time check-in (README "Check-ins and the schedule"). */
export interface CheckinDefinition {
  id: string;
  /** Five-field cron pattern, read in `monitoring.timezone`. */
  cron: string;
  label: string;
  pipelines: string[];
  /** "HH:MM" shown to people when the cron is a single daily time, else null. */
  time: string | null;
  /** On a day the calendar closes, a `workdays` check-in does not run. */
  days: ExpectedDays;
}

/** The day a count covers (README "Default pipelines"): every row, today's or yesterday's (local days). */
export type CountWindow = 'all' | 'today' | 'yesterday';
