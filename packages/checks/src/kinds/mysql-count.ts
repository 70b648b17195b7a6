import { countWindowRange, describeCounted, evaluateCount } from '@datamon/core';
import type { RowDataPacket } from 'mysql2/promise';
import { type CheckKind, ruleOutcome } from '../check-kind.ts';
import { buildCountQuery, wallClockRange } from '../sql.ts';

interface CountRow extends RowDataPacket {
  n: number | string;
}

/**
 * `mysql_count`: rows matching the filters, optionally within today or yesterday. The local
 * midnights of `monitoring.timezone` are computed here and turned into the warehouse's
 * wall-clock (`database.timezone`), so the query is a plain range on the indexed column.
 */
export const mysqlCount: CheckKind<'mysql_count'> = {
  kind: 'mysql_count',
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
};
