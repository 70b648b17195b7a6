import { countWindowRange, describeCounted, evaluateCount } from '@datamon/core';
import type { RowDataPacket } from 'mysql2/promise';
import Type from 'typebox';
import { defineKind, type PipelineOfKind, ruleOutcome } from '../check-kind.ts';
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
    },
    { additionalProperties: false },
  ),
  validate: (pipeline) => (pipeline.window !== 'all' && !pipeline.column ? [`column: is required when window is ${pipeline.window}`] : []),
  async run(pipeline, ctx) {
    const { monitoring, database } = ctx.config;
    const instants = countWindowRange(pipeline.window, ctx.now, monitoring.timezone);
    const range = wallClockRange(instants, database.timezone);
    const query = buildCountQuery(pipeline, range);
    const started = performance.now();
    const rows = await ctx.warehouse.query<CountRow>(query);
    const queryMs = Math.round(performance.now() - started);
    const count = Number(rows[0]?.n ?? 0);
    const outcome = evaluateCount({
      count,
      what: describeCounted(pipeline.table, pipeline.window, pipeline.column, pipeline.filters, ctx.now, monitoring.timezone),
      criticalBelow: pipeline.critical_below,
      warningBelow: pipeline.warning_below,
    });
    return ruleOutcome(outcome, {
      table: pipeline.table,
      column: pipeline.column,
      window: pipeline.window,
      from: instants?.start.toISOString() ?? null,
      to: instants?.end.toISOString() ?? null,
      fromWallClock: range?.from ?? null,
      toWallClock: range?.to ?? null,
      queryMs,
    });
  },
});

export type MysqlCountPipeline = PipelineOfKind<typeof mysqlCount>;
