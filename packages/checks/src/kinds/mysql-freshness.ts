import { evaluateFreshness, wallClockToInstant } from '@datamon/core';
import type { RowDataPacket } from 'mysql2/promise';
import Type from 'typebox';
import { defineKind, type PipelineOfKind, ruleOutcome, workingAgeMs } from '../check-kind.ts';
import { SourceUnavailableError } from '../errors/index.ts';
import { fields } from '../fields.ts';
import { buildFreshnessQuery } from '../sql.ts';

interface NewestRow extends RowDataPacket {
  newest: string | null;
}

/** `mysql_freshness`: the age of the newest value of a DATETIME column (`SELECT MAX(col)`). */
export const mysqlFreshness = defineKind({
  kind: 'mysql_freshness',
  group: 'Warehouse',
  fields: Type.Object(
    {
      table: fields.text(),
      column: fields.text(),
      filters: fields.filters(),
      /** Newest row older than this many hours: WARNING (default `thresholds.warning_hours`). */
      warning_hours: fields.amount(),
      /** Newest row older than this many hours: CRITICAL (default `thresholds.data_stale_hours`). */
      critical_hours: fields.amount(),
    },
    { additionalProperties: false },
  ),
  defaults: (base) => ({ warning_hours: base.thresholds.warning_hours, critical_hours: base.thresholds.data_stale_hours }),
  async run(pipeline, ctx) {
    const query = buildFreshnessQuery(pipeline);
    const started = performance.now();
    const rows = await ctx.warehouse.query<NewestRow>(query);
    const queryMs = Math.round(performance.now() - started);
    const newestText = rows[0]?.newest ?? null;
    let newest: Date | null = null;
    if (newestText !== null) {
      try {
        newest = wallClockToInstant(String(newestText), ctx.config.database.timezone);
      } catch {
        throw new SourceUnavailableError('mysql', `${pipeline.table}.${pipeline.column} holds "${String(newestText)}", not a DATETIME`);
      }
    }
    const outcome = evaluateFreshness({
      subject: `${pipeline.table}.${pipeline.column}`,
      newest,
      now: ctx.now,
      warningHours: pipeline.warning_hours,
      criticalHours: pipeline.critical_hours,
      // Friday 23:00 to Monday 07:30 is 8.5 h with a Monday-to-Friday calendar.
      workingAgeMs: newest ? workingAgeMs(pipeline, ctx, newest) : null,
    });
    return ruleOutcome(outcome, {
      table: pipeline.table,
      column: pipeline.column,
      newest: newest?.toISOString() ?? null,
      newestWallClock: newestText,
      ageHours: outcome.value,
      queryMs,
    });
  },
});

export type MysqlFreshnessPipeline = PipelineOfKind<typeof mysqlFreshness>;
