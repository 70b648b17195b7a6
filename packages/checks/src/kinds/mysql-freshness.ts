import { evaluateFreshness, wallClockToInstant } from '@datamon/core';
import type { RowDataPacket } from 'mysql2/promise';
import { type CheckKind, ruleOutcome } from '../check-kind.ts';
import { SourceUnavailableError } from '../errors/index.ts';
import { buildFreshnessQuery } from '../sql.ts';

interface NewestRow extends RowDataPacket {
  newest: string | null;
}

/** `mysql_freshness`: the age of the newest value of a DATETIME column (`SELECT MAX(col)`). */
export const mysqlFreshness: CheckKind<'mysql_freshness'> = {
  kind: 'mysql_freshness',
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
};
