import type { ColumnFilters, CountWindow } from '../pipeline.ts';
import { type InstantRange, localDate, localDateRange, localDayRange } from '../time.ts';

/**
 * The instants a count covers (README "Default pipelines"): "today" and "yesterday" are local days in the monitoring
 * zone, as half-open ranges so they can be queried on an indexed column; "all" has no range.
 */
export function countWindowRange(window: CountWindow, now: Date, zone: string, previousDay: string | null = null): InstantRange | null {
  if (window === 'today') return localDayRange(now, zone, 0);
  if (window === 'yesterday') return previousDay === null ? localDayRange(now, zone, -1) : localDateRange(previousDay, zone);
  return null;
}

/**
 * The window in words for messages: "call_start today, 2026-03-30", or "" for `all`; with
 * `previousDay` (the calendar's previous working day), "call_start on the previous working day,
 * Friday 2026-03-27".
 */
export function describeWindow(window: CountWindow, column: string | null, now: Date, zone: string, previousDay: string | null = null): string {
  const range = countWindowRange(window, now, zone, previousDay);
  if (!range || !column) return '';
  if (window === 'yesterday' && previousDay !== null && previousDay !== localDate(localDayRange(now, zone, -1).start, zone)) {
    return `${column} on the previous working day, ${weekdayOf(previousDay)} ${previousDay}`;
  }
  return `${column} ${window}, ${localDate(range.start, zone)}`;
}

const WEEKDAY = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function weekdayOf(date: string): string {
  return WEEKDAY[new Date(`${date}T12:00:00Z`).getUTCDay()] ?? '';
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
export function describeCounted(table: string, window: CountWindow, column: string | null, filters: ColumnFilters, now: Date, zone: string, previousDay: string | null = null): string {
  const conditions = [describeFilters(filters), describeWindow(window, column, now, zone, previousDay)].filter((part) => part !== '');
  return conditions.length === 0 ? `in ${table}` : `in ${table} with ${conditions.join(' and ')}`;
}
