import { createHash } from 'node:crypto';
import {
  addDays,
  type AnomalySettings,
  type AnomalyVerdict,
  type BaselinePoint,
  type ColumnFilters,
  type DayCounts,
  evaluateAnomaly,
  instantToWallClock,
  localDate,
  localDateRange,
  type MaintenanceConfig,
  type PipelineDefinition,
  sameTimeOfDay,
  wallClockMinutes,
  wallClockToInstant,
} from '@datamon/core';
import type { RowDataPacket } from 'mysql2/promise';
import { type BaselineCache, type BaselineState, type CheckContext, expectedDays } from './check-kind.ts';
import { buildDayCountsQuery, buildFirstRowQuery, buildMinuteCountsQuery, type WallClockRange } from './sql.ts';

/**
 * The baseline of a count (README "Volume anomalies"): the same weekday in the previous `weeks`
 * weeks, closed days, maintenance days and days already flagged left out, each day counted in
 * full (a `yesterday` window) or up to the same local time of day (`today`). Past days do not
 * change, so their counts are cached (the store's `baselines`, when there is a store): a warm
 * check costs its own count and one Redis read.
 */

interface DayRow extends RowDataPacket {
  i: number;
  n: number | string;
}
interface MinuteRow extends DayRow {
  m: number | string;
}
interface FirstRow extends RowDataPacket {
  first: string | null;
}

const WEEK_DAYS = 7;

/** What a baseline reads of a `mysql_count` pipeline (its kind's type stays with the kind). */
export type CountedPipeline = PipelineDefinition & { table: string; column: string | null; filters: ColumnFilters; window: 'all' | 'today' | 'yesterday' };

/** What the count counts, for messages: FactCalls -> "calls", FactFirstCalls -> "first calls". */
export function nounOf(table: string): string {
  const base = table.split('.').at(-1) ?? table;
  const words = base.replace(/^(Fact|Dim|fact_|dim_)/, '').replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').trim().toLowerCase();
  return words || 'rows';
}

/** One cache entry per counted set: the warehouse, table, column and filters (never the credentials). */
export function baselineSignature(pipeline: CountedPipeline, database: { host: string; port: number; database: string }): string {
  const filters = Object.entries(pipeline.filters).sort(([a], [b]) => a.localeCompare(b));
  const identity = JSON.stringify([database.host, database.port, database.database, pipeline.table, pipeline.column, filters]);
  return createHash('sha256').update(identity).digest('hex').slice(0, 24);
}

/** A one-off window of the config that covered the pipeline on that local date (routine recurring windows are no reason to leave a day out). */
function maintenanceDay(date: string, pipelineId: string, windows: readonly MaintenanceConfig[], zone: string): boolean {
  const day = localDateRange(date, zone);
  return windows.some((window) => {
    if (!('from' in window)) return false;
    if (window.pipelines !== null && !window.pipelines.includes(pipelineId)) return false;
    const from = wallClockToInstant(`${window.from}:00`, zone);
    const to = wallClockToInstant(`${window.to}:00`, zone);
    return from < day.end && to > day.start;
  });
}

/**
 * The verdict on one day's count of a pipeline with `anomaly.enabled`.
 *
 * @param testedDate - the day counted (local), never part of its own baseline
 * @param value - its count (for `today`, so far)
 */
export async function anomalyVerdict(pipeline: CountedPipeline, settings: AnomalySettings, ctx: CheckContext, testedDate: string, value: number): Promise<AnomalyVerdict> {
  const { monitoring, database, maintenance } = ctx.config;
  const zone = monitoring.timezone;
  const column = pipeline.column as string;
  const counted = { table: pipeline.table, column, filters: pipeline.filters };
  const signature = baselineSignature(pipeline, database);
  const cache = ctx.baselines;
  const intraday = pipeline.window === 'today';

  // Every date the search may reach, so one read brings what the cache has of them all.
  const reachable = Array.from({ length: settings.weeks * 2 }, (_, index) => addDays(testedDate, -WEEK_DAYS * (index + 1)));
  const state: BaselineState = (await cache?.load(signature, reachable)) ?? { firstRow: undefined, flagged: new Set(), days: {} };
  const changes: Parameters<BaselineCache['save']>[1] = {};

  // Days before the first row are no baseline: a young table is "learning", not "anomalous".
  let first = state.firstRow;
  if (first === undefined) {
    const rows = await ctx.warehouse.query<FirstRow>(buildFirstRowQuery(counted));
    first = rows[0]?.first ? wallClockToInstant(String(rows[0].first), database.timezone).toISOString() : null;
    changes.firstRow = first;
  }
  const firstDate = first === null ? null : localDate(new Date(first), zone);

  const calendar = expectedDays(pipeline, ctx);
  const points: BaselinePoint[] = [];
  const wanted: string[] = [];
  // Back week by week until `weeks` usable days: each left-out day is replaced by an older one.
  for (const date of reachable) {
    if (wanted.length >= settings.weeks || firstDate === null || date < firstDate) break;
    const excluded =
      calendar && !calendar.day(date).working ? 'closed'
      : maintenanceDay(date, pipeline.id, maintenance, zone) ? 'maintenance'
      : state.flagged.has(date) ? 'anomaly'
      : null;
    if (excluded) points.push({ date, value: 0, excluded });
    else wanted.push(date);
  }

  const { counts, counted: fresh } = await dayCounts(ctx, state.days, counted, wanted, intraday);
  if (Object.keys(fresh).length > 0) changes.days = fresh;
  const cutoffOf = (date: string): number => minutesUntilTimeOfDay(date, ctx.now, zone, database.timezone);
  for (const date of wanted) {
    const day = counts[date] as DayCounts;
    const cutoff = intraday ? cutoffOf(date) : Number.POSITIVE_INFINITY;
    const value = intraday ? (day.minutes ?? []).reduce((sum, [minute, n]) => (minute < cutoff ? sum + n : sum), 0) : day.total;
    points.push({ date, value });
  }

  const verdict = evaluateAnomaly({ value, date: testedDate, window: pipeline.window as 'today' | 'yesterday', noun: nounOf(pipeline.table), points, settings });
  const anomalous = verdict.kind === 'anomaly';
  if (verdict.kind !== 'learning' && anomalous !== state.flagged.has(testedDate)) changes.flag = { date: testedDate, anomalous };
  if (cache && Object.keys(changes).length > 0) await cache.save(signature, changes);
  return verdict;
}

/** Minutes from a past day's wall-clock start to the same local time of day as `now`. */
function minutesUntilTimeOfDay(date: string, now: Date, zone: string, warehouseZone: string): number {
  const start = instantToWallClock(localDateRange(date, zone).start, warehouseZone);
  return wallClockMinutes(start, instantToWallClock(sameTimeOfDay(date, now, zone), warehouseZone));
}

/** The counts of `dates`: from the cache where final, counted in one statement otherwise (returned apart, to be cached). */
async function dayCounts(
  ctx: CheckContext,
  cached: Readonly<Record<string, DayCounts>>,
  counted: { table: string; column: string; filters: ColumnFilters },
  dates: readonly string[],
  perMinute: boolean,
): Promise<{ counts: Record<string, DayCounts>; counted: Record<string, DayCounts> }> {
  const { monitoring, database } = ctx.config;
  const usable = (date: string): boolean => {
    const day = cached[date];
    if (!day || (perMinute && day.minutes === null)) return false;
    // Counted before the end of the next day, late rows may still have come: count it once more.
    const settled = localDateRange(addDays(date, 1), monitoring.timezone).end.getTime();
    return Date.parse(day.countedAt) >= settled || ctx.now.getTime() < settled;
  };
  const missing = dates.filter((date) => !usable(date));
  const fresh: Record<string, DayCounts> = {};
  if (missing.length === 0) return { counts: { ...cached }, counted: fresh };
  const ranges: WallClockRange[] = missing.map((date) => {
    const day = localDateRange(date, monitoring.timezone);
    return { from: instantToWallClock(day.start, database.timezone), to: instantToWallClock(day.end, database.timezone) };
  });
  const countedAt = ctx.now.toISOString();
  for (const date of missing) fresh[date] = { total: 0, minutes: perMinute ? [] : null, countedAt };
  if (perMinute) {
    const rows = await ctx.warehouse.query<MinuteRow>(buildMinuteCountsQuery(counted, ranges));
    for (const row of rows) {
      const day = fresh[missing[Number(row.i)] as string] as DayCounts;
      const n = Number(row.n);
      day.total += n;
      day.minutes?.push([Number(row.m), n]);
    }
  } else {
    const rows = await ctx.warehouse.query<DayRow>(buildDayCountsQuery(counted, ranges));
    for (const row of rows) (fresh[missing[Number(row.i)] as string] as DayCounts).total = Number(row.n);
  }
  return { counts: { ...cached, ...fresh }, counted: fresh };
}
