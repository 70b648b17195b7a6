import { type AnomalyVerdict, countWindowRange, DEFAULT_ANOMALY, describeCounted, evaluateCount, localDate } from '@datamon/core';
import { anomalyVerdict } from '../anomaly-baseline.ts';
import type { RowDataPacket } from 'mysql2/promise';
import Type from 'typebox';
import { defineKind, expectedDays, type KindOutcome, type PipelineOfKind, ruleOutcome } from '../check-kind.ts';
import { fields } from '../fields.ts';
import { buildCountQuery, wallClockRange } from '../sql.ts';

interface CountRow extends RowDataPacket {
  n: number | string;
}

/**
 * `mysql_count`: rows matching the filters, optionally within today or yesterday. The local
 * midnights of `monitoring.timezone` are computed here and turned into the warehouse's
 * wall-clock (`database.timezone`), so the query is a plain range on the indexed column.
 */
export const mysqlCount = defineKind({
  kind: 'mysql_count',
  group: 'Warehouse',
  fields: Type.Object(
    {
      table: fields.text(),
      /** The DATETIME column the window applies to; required unless window is `all`. */
      column: fields.nullable(fields.text()),
      window: Type.Enum(['all', 'today', 'yesterday'], { default: 'all', expect: 'one of all, today, yesterday' }),
      filters: fields.filters(),
      /** Count strictly below this: CRITICAL. */
      critical_below: Type.Number({ minimum: 0, default: 1, expect: 'a number, 0 or more' }),
      /** Count strictly below this: WARNING (null: no warning bound). */
      warning_below: fields.nullable(fields.amount()),
      /** A WARNING when the day's count is far from a usual same weekday (README "Volume anomalies"); day windows only. */
      anomaly: Type.Object(
        {
          enabled: Type.Boolean({ default: DEFAULT_ANOMALY.enabled, expect: 'true or false' }),
          weeks: Type.Integer({ minimum: 1, maximum: 52, default: DEFAULT_ANOMALY.weeks, expect: 'a whole number of weeks, 1-52' }),
          sensitivity: Type.Number({ exclusiveMinimum: 0, default: DEFAULT_ANOMALY.sensitivity, expect: 'a number above 0' }),
          min_points: Type.Integer({ minimum: 1, default: DEFAULT_ANOMALY.min_points, expect: 'a whole number, 1 or more' }),
          min_change_percent: Type.Number({ minimum: 0, default: DEFAULT_ANOMALY.min_change_percent, expect: 'a percentage, 0 or more' }),
        },
        { additionalProperties: false, default: {} },
      ),
    },
    { additionalProperties: false },
  ),
  validate: (pipeline) => [
    ...(pipeline.window !== 'all' && !pipeline.column ? [`column: is required when window is ${pipeline.window}`] : []),
    ...(pipeline.anomaly.enabled && pipeline.window === 'all' ? ['anomaly.enabled: needs a day window (window: today or yesterday): a usual value is per weekday'] : []),
    ...(pipeline.anomaly.min_points > pipeline.anomaly.weeks ? [`anomaly.min_points: ${pipeline.anomaly.min_points} is more than the ${pipeline.anomaly.weeks} weeks looked at`] : []),
  ],
  // Today's rows are not awaited on a closed day; yesterday's are those of the previous working day.
  quietOnClosedDays: (pipeline) => pipeline.window === 'today',
  async run(pipeline, ctx) {
    const { monitoring, database } = ctx.config;
    const calendar = pipeline.window === 'yesterday' ? expectedDays(pipeline, ctx) : null;
    const previousDay = calendar ? calendar.previousWorkingDay(localDate(ctx.now, monitoring.timezone)) : null;
    const instants = countWindowRange(pipeline.window, ctx.now, monitoring.timezone, previousDay);
    const range = wallClockRange(instants, database.timezone);
    const query = buildCountQuery(pipeline, range);
    const started = performance.now();
    const rows = await ctx.warehouse.query<CountRow>(query);
    const queryMs = Math.round(performance.now() - started);
    const count = Number(rows[0]?.n ?? 0);
    const outcome = evaluateCount({
      count,
      what: describeCounted(pipeline.table, pipeline.window, pipeline.column, pipeline.filters, ctx.now, monitoring.timezone, previousDay),
      criticalBelow: pipeline.critical_below,
      warningBelow: pipeline.warning_below,
    });
    const details = {
      table: pipeline.table,
      column: pipeline.column,
      window: pipeline.window,
      from: instants?.start.toISOString() ?? null,
      to: instants?.end.toISOString() ?? null,
      fromWallClock: range?.from ?? null,
      toWallClock: range?.to ?? null,
      queryMs,
    };
    if (!pipeline.anomaly.enabled || !instants) return ruleOutcome(outcome, details);
    const testedDate = localDate(instants.start, monitoring.timezone);
    const verdict = await anomalyVerdict(pipeline, pipeline.anomaly, ctx, testedDate, count);
    return withAnomaly(ruleOutcome(outcome, details), verdict);
  },
});

export type MysqlCountPipeline = PipelineOfKind<typeof mysqlCount>;

/**
 * The threshold's outcome and the anomaly verdict together (README "Volume anomalies"): the worse
 * status wins, an anomaly being a WARNING at most; the message says what decided it, and what the
 * baseline says besides ("learning (2 of 4)", "within the usual 1,310-1,650 for a Tuesday").
 */
export function withAnomaly(threshold: KindOutcome, verdict: AnomalyVerdict): KindOutcome {
  const details = { ...threshold.details, anomaly: verdict.kind, anomalyMessage: verdict.message };
  const expected = verdict.kind === 'learning' ? undefined : verdict.expected;
  const base = { ...threshold, details, ...(expected ? { expected } : {}) };
  if (verdict.kind === 'anomaly' && threshold.status === 'OK') return { ...base, status: 'WARNING', message: verdict.message };
  return { ...base, message: `${threshold.message}; ${verdict.message}` };
}
