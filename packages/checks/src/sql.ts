import { type ColumnFilters, type InstantRange, instantToWallClock } from '@datamon/core';
import { escapeId } from 'sql-escaper';

/**
 * Read-only SQL for the warehouse checks, built from the pipeline's fields. Pure. Identifiers go
 * through `escapeId` (so `schema.table` works and a backtick cannot break out); every value is a
 * `?` parameter bound by the server (`execute`), never spliced into the text.
 */

export interface BuiltQuery {
  sql: string;
  params: (string | number | boolean)[];
}

/** The wall-clock bounds of a window, as DATETIME strings in `database.timezone`. */
export interface WallClockRange {
  from: string;
  to: string;
}

/**
 * A count window's instants (local midnights of `monitoring.timezone`) as the warehouse writes
 * them (`database.timezone`), so the query is a plain range on the indexed column; null for `all`.
 */
export function wallClockRange(instants: InstantRange | null, warehouseZone: string): WallClockRange | null {
  return instants && { from: instantToWallClock(instants.start, warehouseZone), to: instantToWallClock(instants.end, warehouseZone) };
}

function whereFilters(filters: ColumnFilters): { conditions: string[]; params: (string | number | boolean)[] } {
  const conditions: string[] = [];
  const params: (string | number | boolean)[] = [];
  for (const [column, value] of Object.entries(filters)) {
    if (value === null) {
      conditions.push(`${escapeId(column)} IS NULL`);
    } else {
      conditions.push(`${escapeId(column)} = ?`);
      params.push(value);
    }
  }
  return { conditions, params };
}

function where(conditions: string[]): string {
  return conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
}

/**
 * `SELECT MAX(col)`: answered from the end of an index on `col` (EXPLAIN says "Select tables
 * optimized away"), so it costs the same on a billion rows as on ten.
 */
export function buildFreshnessQuery(pipeline: { table: string; column: string; filters: ColumnFilters }): BuiltQuery {
  const { conditions, params } = whereFilters(pipeline.filters);
  return {
    sql: `SELECT MAX(${escapeId(pipeline.column)}) AS newest FROM ${escapeId(pipeline.table)}${where(conditions)}`,
    params,
  };
}

/**
 * `SELECT COUNT(*)` over a half-open range on the indexed column (`col >= ? AND col < ?`), never
 * `DATE(col) = ...`, which would read every row. `range` is null for the `all` window.
 */
export function buildCountQuery(
  pipeline: { table: string; column: string | null; filters: ColumnFilters },
  range: WallClockRange | null,
): BuiltQuery {
  const conditions: string[] = [];
  const params: (string | number | boolean)[] = [];
  if (range) {
    if (!pipeline.column) throw new Error(`a counted window needs a column (table ${pipeline.table})`);
    const column = escapeId(pipeline.column);
    conditions.push(`${column} >= ?`, `${column} < ?`);
    params.push(range.from, range.to);
  }
  const filters = whereFilters(pipeline.filters);
  conditions.push(...filters.conditions);
  params.push(...filters.params);
  return { sql: `SELECT COUNT(*) AS n FROM ${escapeId(pipeline.table)}${where(conditions)}`, params };
}

/**
 * Counts of several days in one statement (README "Volume anomalies"): one `COUNT(*)` over a
 * half-open range on the indexed column per day, joined with `UNION ALL`, so each is the same
 * covering index range count as the plain check's. Rows: `i` (the day's index in `ranges`), `n`.
 */
export function buildDayCountsQuery(pipeline: { table: string; column: string; filters: ColumnFilters }, ranges: readonly WallClockRange[]): BuiltQuery {
  const column = escapeId(pipeline.column);
  const filters = whereFilters(pipeline.filters);
  const params: (string | number | boolean)[] = [];
  const parts = ranges.map((range, index) => {
    params.push(range.from, range.to, ...filters.params);
    return `SELECT ${index} AS i, COUNT(*) AS n FROM ${escapeId(pipeline.table)}${where([`${column} >= ?`, `${column} < ?`, ...filters.conditions])}`;
  });
  return { sql: parts.join(' UNION ALL '), params };
}

/**
 * Counts per minute of several days, for baselines counted up to a time of day: rows `i` (the
 * day's index), `m` (minutes since the day's start, wall clock), `n`. Each day is still one range
 * on the indexed column.
 */
export function buildMinuteCountsQuery(pipeline: { table: string; column: string; filters: ColumnFilters }, ranges: readonly WallClockRange[]): BuiltQuery {
  const column = escapeId(pipeline.column);
  const filters = whereFilters(pipeline.filters);
  const params: (string | number | boolean)[] = [];
  const parts = ranges.map((range, index) => {
    params.push(range.from, range.from, range.to, ...filters.params);
    return `SELECT ${index} AS i, TIMESTAMPDIFF(MINUTE, ?, ${column}) AS m, COUNT(*) AS n FROM ${escapeId(pipeline.table)}${where([`${column} >= ?`, `${column} < ?`, ...filters.conditions])} GROUP BY m`;
  });
  return { sql: parts.join(' UNION ALL '), params };
}

/** `SELECT MIN(col)`: the first row's time, from the start of the index (days before it are no baseline). */
export function buildFirstRowQuery(pipeline: { table: string; column: string; filters: ColumnFilters }): BuiltQuery {
  const { conditions, params } = whereFilters(pipeline.filters);
  return { sql: `SELECT MIN(${escapeId(pipeline.column)}) AS first FROM ${escapeId(pipeline.table)}${where(conditions)}`, params };
}
