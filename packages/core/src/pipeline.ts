/**
 * Pipeline definitions as the user writes them in `pipelines:` (SPEC 2, 3). Field names are the
 * config's own (snake_case) so that what a user reads in the file is what the code reads.
 */

/** A column/value pair that narrows a SQL check; never raw SQL. */
export type ColumnFilters = Record<string, string | number | boolean | null>;

export interface PipelineCommon {
  /** Stable id: used in URLs, Redis keys, incident ids. `^[a-z0-9][a-z0-9_-]*$`. */
  id: string;
  name: string;
  /** What a person should do when it fails (SPEC 6); defaults per default pipeline. */
  action: string;
  /** "HH:MM" local: PENDING before this time of the local day. */
  not_before: string | null;
  /** false: evaluated only by the check-ins that list it. */
  quick_check: boolean;
}

export interface MysqlFreshnessPipeline extends PipelineCommon {
  kind: 'mysql_freshness';
  table: string;
  column: string;
  filters: ColumnFilters;
  /** Newest row older than this many hours: WARNING. */
  warning_hours: number;
  /** Newest row older than this many hours: CRITICAL. */
  critical_hours: number;
}

export type CountWindow = 'all' | 'today' | 'yesterday';

export interface MysqlCountPipeline extends PipelineCommon {
  kind: 'mysql_count';
  table: string;
  /** The DATETIME column the window applies to; required unless window is `all`. */
  column: string | null;
  window: CountWindow;
  filters: ColumnFilters;
  /** Count strictly below this: CRITICAL. */
  critical_below: number;
  /** Count strictly below this: WARNING (null: no warning bound). */
  warning_below: number | null;
}

export interface FileArrivalPipeline extends PipelineCommon {
  kind: 'file_arrival';
  /** Folder searched; defaults to `monitoring.csv_directory`. */
  directory: string;
  /** File name with date tokens: {YYYYMMDD}, {YYYY}, {MM}, {DD} (local date). */
  pattern: string;
  /** "HH:MM" local: when the file is expected. */
  expected: string;
  /** "HH:MM" local: missing after this is CRITICAL. */
  deadline: string;
  /** Lines that are not data (a CSV header). A file with no lines beyond them is WARNING. */
  header_rows: number;
}

export interface SheetUpdatedPipeline extends PipelineCommon {
  kind: 'sheet_updated';
  /** Name under `google_sheets.sheets`. */
  sheet: string;
  /** Last update older than this many minutes: WARNING. */
  warning_minutes: number;
  /** Last update older than this many minutes: CRITICAL. */
  critical_minutes: number;
  /** With a range (e.g. `Status!B1`), the timestamp written in that cell; else the Drive modifiedTime. */
  range: string | null;
}

export type PipelineDefinition =
  | MysqlFreshnessPipeline
  | MysqlCountPipeline
  | FileArrivalPipeline
  | SheetUpdatedPipeline;

export type PipelineKind = PipelineDefinition['kind'];

export const PIPELINE_KINDS: readonly PipelineKind[] = [
  'mysql_freshness',
  'mysql_count',
  'file_arrival',
  'sheet_updated',
];

export type PipelineOfKind<K extends PipelineKind> = Extract<PipelineDefinition, { kind: K }>;

/** A fixed local-time check-in (SPEC 4). */
export interface CheckinDefinition {
  id: string;
  /** Five-field cron pattern, read in `monitoring.timezone`. */
  cron: string;
  label: string;
  pipelines: string[];
  /** "HH:MM" shown to people when the cron is a single daily time, else null. */
  time: string | null;
}
