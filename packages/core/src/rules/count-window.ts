import type { ColumnFilters, CountWindow } from '../pipeline.ts';
import { type InstantRange, localDate, localDayRange } from '../time.ts';

/**
 * The instants a count covers (README "Default pipelines"): "today" and "yesterday" are local days in the monitoring
 * zone, as half-open ranges so they can be queried on an indexed column; "all" has no range.
 */
export function countWindowRange(window: CountWindow, now: Date, zone: string): InstantRange | null {
  if (window === 'today') return localDayRange(now, zone, 0);
  if (window === 'yesterday') return localDayRange(now, zone, -1);
  return null;
}

/** The window in words for messages: "call_start today, 2026-03-30", or "" for `all`. */
export function describeWindow(window: CountWindow, column: string | null, now: Date, zone: string): string {
  const range = countWindowRange(window, now, zone);
  if (!range || !column) return '';
  return `${column} ${window}, ${localDate(range.start, zone)}`;
}

/** Filters in words for messages: { is_active: 1, region: 'north' } -> "is_active = 1 and region = 'north'". */
export function describeFilters(filters: ColumnFilters): string {
  return Object.entries(filters)
    .map(([column, value]) => {
      if (value === null) return `${column} is null`;
      if (typeof value === 'string') return `${column} = '${value}'`;
      return `${column} = ${String(value)}`;
    })
    .join(' and ');
}

/** "in FactCalls with is_active = 1 and call_start yesterday, 2026-03-29": what a count counted. */
export function describeCounted(table: string, window: CountWindow, column: string | null, filters: ColumnFilters, now: Date, zone: string): string {
  const conditions = [describeFilters(filters), describeWindow(window, column, now, zone)].filter((part) => part !== '');
  return conditions.length === 0 ? `in ${table}` : `in ${table} with ${conditions.join(' and ')}`;
}
