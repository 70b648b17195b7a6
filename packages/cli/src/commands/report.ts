import type { Command } from 'commander';
import { type DatamonConfig, type PeriodReport, periodReport, renderReportCsv, renderReportMarkdown, type ReportIncident, reportWindow, type ReportWindow } from '@datamon/core';
import { closeRedis, DatamonStore, describeRedis, type RedisClient } from '@datamon/store';
import { type CliContext, CommandError, CONFIG_OPTION, configPathOf, EXIT } from '../context.ts';
import { connectRedisQuickly } from '../redis.ts';

/** The output formats of `datamon report`: one writer per name. */
const REPORT_FORMATS: Readonly<Record<string, (report: PeriodReport, config: DatamonConfig) => string>> = {
  md: (report, config) => renderReportMarkdown(report, { zone: config.monitoring.timezone }),
  csv: (report) => renderReportCsv(report),
};

const DAY_MS = 86_400_000;

/**
 * The period's figures from what the store holds: each pipeline's results in the window, and the
 * incidents that can count in it (opened within `monitoring.history_days` before it, or open now).
 */
export async function readPeriodReport(store: DatamonStore, config: Pick<DatamonConfig, 'pipelines' | 'monitoring'>, window: ReportWindow): Promise<PeriodReport> {
  const pipelines = config.pipelines.map((pipeline) => ({ id: pipeline.id, name: pipeline.name }));
  const lastInWindow = new Date(window.to.getTime() - 1);
  const histories = await Promise.all(
    pipelines.map(async (pipeline) => (await store.results.history(pipeline.id, window.from, lastInWindow)).map((entry) => ({ pipelineId: pipeline.id, status: entry.status, checkedAt: entry.checkedAt }))),
  );
  // An incident resolved in the window may have opened before it; the store keeps no index by
  // close time, so look back as far as results are kept, and add whatever is open however old.
  const lookback = new Date(window.from.getTime() - config.monitoring.history_days * DAY_MS);
  const [recent, open] = await Promise.all([store.incidents.openedBetween(lookback, window.to), store.incidents.allOpen()]);
  const incidents: ReportIncident[] = [...recent, ...Object.values(open)];
  return periodReport({
    window,
    pipelines,
    results: histories.flat(),
    incidents,
  });
}

async function connectRedis(config: DatamonConfig): Promise<RedisClient> {
  try {
    return await connectRedisQuickly(config);
  } catch (err) {
    throw new CommandError(
      `Redis at ${describeRedis(config.redis)} is not reachable (${err instanceof Error ? err.message : String(err)}): the report is made from the history stored there`,
      EXIT.failed,
    );
  }
}

/**
 * `datamon report [--since 7d] [--format md|csv] [--at INSTANT] [--config PATH]` (README "Weekly
 * report"): per pipeline, uptime, incidents, time to acknowledge and to resolve over a period
 * ending now (or `--at`), from the stored history. A bad option exits 3 with a one-line reason.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('report')
    .description('per pipeline: uptime, incidents, time to acknowledge and to resolve (mean and worst), from the stored history')
    .option('--since <period>', 'start of the period: <n>d, <n>h, or an ISO date or instant (e.g. 7d, 24h, 2026-03-23, 2026-03-23T07:30:00Z)', '7d')
    .option('--format <format>', 'output: md (a Markdown table) or csv (RFC 4180, durations in minutes)', 'md')
    .option('--at <instant>', 'end the period at this instant instead of now (ISO 8601, e.g. 2026-03-30T07:30:00Z)')
    .option(...CONFIG_OPTION)
    .action(async (options: { since: string; format: string; at?: string; config?: string }, command: Command) => {
      const write = REPORT_FORMATS[options.format];
      if (!write) throw new CommandError(`--format: "${options.format}" is not a format: use ${Object.keys(REPORT_FORMATS).join(' or ')}`, EXIT.failed);
      const now = options.at === undefined ? new Date() : new Date(options.at);
      if (Number.isNaN(now.getTime())) throw new CommandError(`--at: "${options.at}" is not an instant (ISO 8601, e.g. 2026-03-30T07:30:00Z)`, EXIT.failed);
      const config = ctx.loadConfig(configPathOf(command));
      let window: ReportWindow;
      try {
        window = reportWindow(options.since, now, config.monitoring.timezone);
      } catch (err) {
        throw new CommandError(`--since: ${(err as Error).message}`, EXIT.failed);
      }
      const kept = new Date(now.getTime() - config.monitoring.history_days * DAY_MS);
      if (window.from < kept) {
        ctx.err.write(`datamon: results are kept for ${config.monitoring.history_days} days (monitoring.history_days): uptime before ${kept.toISOString()} is not counted\n`);
      }
      const redis = await connectRedis(config);
      try {
        const store = new DatamonStore(redis, { prefix: config.redis.prefix, historyDays: config.monitoring.history_days });
        ctx.out.write(write(await readPeriodReport(store, config, window), config));
      } finally {
        await closeRedis(redis);
      }
    });
}
