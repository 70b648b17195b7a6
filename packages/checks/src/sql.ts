import { type ColumnFilters, type InstantRange, instantToWallClock } from '@datamon/core';
import { escapeId } from 'mysql2/promise';

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
