import type { Command, CommanderError } from 'commander';
import { createCheckRunner } from '@datamon/checks';
import {
  activeMaintenance,
  type CheckResult,
  type ExpectedValue,
  type MaintenanceOccurrence,
  maintenanceOccurrences,
  maintenanceUntil,
  type PipelineDefinition,
  STATUS_COLOUR,
  STATUS_ICON,
  type Status,
  countStatuses,
  overallStatus,
  severity,
} from '@datamon/core';
import { lazyPingSource } from '../redis.ts';
import { type CliContext, CommandError, CONFIG_OPTION, configPathOf, describeFailure, EXIT, failureDocument } from '../context.ts';

/** One line of `datamon check --json` (README "Command line"): exactly these fields. */
export interface CheckReportLine {
  id: string;
  name: string;
  kind: string;
  status: Status;
  message: string;
  value: number | string | null;
  checkedAt: string;
  /** What to do when it fails (the pipeline's `action`). */
  action: string;
  /** The usual value and band of a count with an anomaly baseline (README "Volume anomalies"); only then present. */
  expected?: ExpectedValue;
  /** A maintenance window of the config covering it now (nothing is sent for it until it ends); only then present. */
  maintenance?: { name: string; until: string };
}

/** The document `datamon check --json` prints (README "Command line"). */
export interface CheckReport {
  overall: Status;
  pipelines: CheckReportLine[];
}

/**
 * The pipelines named on the command line, in the order given (all of them when none is named).
 * An unknown id ends the command with exit 3 and the list of known ids.
 */
export function selectPipelines(pipelines: readonly PipelineDefinition[], ids: readonly string[]): PipelineDefinition[] {
  if (ids.length === 0) return [...pipelines];
  const byId = new Map(pipelines.map((pipeline) => [pipeline.id, pipeline]));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    const known = pipelines.map((pipeline) => pipeline.id).join(', ');
    const names = unknown.map((id) => `"${id}"`).join(', ');
    throw new CommandError(`unknown pipeline ${names} (known: ${known})`, EXIT.failed, 'unknown_pipeline');
  }
  return [...new Set(ids)].map((id) => byId.get(id) as PipelineDefinition);
}

/** The report of one run: results paired with their pipelines, and the overall status (README "Statuses"). */
export function buildCheckReport(
  pipelines: readonly PipelineDefinition[],
  results: readonly Pick<CheckResult, 'status' | 'message' | 'value' | 'checkedAt' | 'expected'>[],
  windows: readonly MaintenanceOccurrence[] = [],
): CheckReport {
  const lines = pipelines.map((pipeline, index): CheckReportLine => {
    const result = results[index] as Pick<CheckResult, 'status' | 'message' | 'value' | 'checkedAt' | 'expected'>;
    const until = maintenanceUntil(pipeline.id, windows);
    const window = until === null ? undefined : windows.find((candidate) => candidate.end === until);
    return {
      ...(window ? { maintenance: { name: window.name, until: window.end } } : {}),
      id: pipeline.id,
      name: pipeline.name,
      kind: pipeline.kind,
      status: result.status,
      message: result.message,
      value: result.value,
      checkedAt: result.checkedAt,
      action: pipeline.action,
      ...(result.expected ? { expected: result.expected } : {}),
    };
  });
  return { overall: overallStatus(lines.map((line) => line.status)), pipelines: lines };
}

function ansiColour(hex: string, text: string): string {
  const [r, g, b] = [1, 3, 5].map((start) => Number.parseInt(hex.slice(start, start + 2), 16));
  return `\x1b[1;38;2;${r};${g};${b}m${text}\x1b[0m`;
}

/**
 * The human table: icon, status, pipeline id, message, then the overall line. Status words are
 * coloured (the dashboard's colours) only when `colour` is set, i.e. on a terminal.
 */
export function renderCheckTable(report: CheckReport, options: { colour: boolean; overall?: boolean }): string {
  const paint = (status: Status, text: string) => (options.colour ? ansiColour(STATUS_COLOUR[status], text) : text);
  const idWidth = Math.max('PIPELINE'.length, ...report.pipelines.map((line) => line.id.length));
  const statusWidth = 'CRITICAL'.length;
  const rows = [`   ${'STATUS'.padEnd(statusWidth)}  ${'PIPELINE'.padEnd(idWidth)}  MESSAGE`];
  for (const line of report.pipelines) {
    const quiet = line.maintenance ? `  (in maintenance "${line.maintenance.name}" until ${line.maintenance.until}: nothing is sent)` : '';
    rows.push(`${STATUS_ICON[line.status]} ${paint(line.status, line.status.padEnd(statusWidth))}  ${line.id.padEnd(idWidth)}  ${line.message}${quiet}`);
    // What to do, where the person reading it looks: under each failing line.
    if (line.status === 'WARNING' || line.status === 'CRITICAL') rows.push(`${' '.repeat(statusWidth + 5 + idWidth)}→ ${line.action}`);
  }
  const counts = countStatuses(report.pipelines.map((line) => line.status));
  const parts = (['CRITICAL', 'WARNING', 'OK', 'PENDING'] as const)
    .filter((status) => counts[status] > 0)
    .map((status) => `${counts[status]} ${status.toLowerCase()}`);
  if (options.overall !== false) rows.push('', `overall: ${paint(report.overall, report.overall)} (${parts.join(', ') || 'no pipelines'})`);
  return `${rows.join('\n')}\n`;
}

function wantsColour(stream: NodeJS.WritableStream): boolean {
  if (process.env.NO_COLOR) return false;
  return Boolean((stream as NodeJS.WriteStream).isTTY);
}

interface CheckOptions {
  json: boolean;
  at?: string;
  config?: string;
}

/**
 * `datamon check [PIPELINE...] [--json] [--config PATH]` (README "Command line"): runs the checks once, now,
 * straight against their sources (no Redis). Exit 0 OK or PENDING, 1 WARNING, 2 CRITICAL; 3 when
 * it could not run or an unknown pipeline is named; 78 for a config error. With `--json`, a
 * command that cannot run still prints one document, `{error, message}`.
 */
export function register(program: Command, ctx: CliContext): void {
  const check = program
    .command('check')
    .description('run checks once, now, without Redis; exit 0 OK/PENDING, 1 WARNING, 2 CRITICAL, 3 could not run')
    .argument('[pipeline...]', 'pipeline ids to check (default: all)')
    .option('--json', 'print one JSON document {overall, pipelines} on stdout (logs go to stderr)', false)
    .option('--at <instant>', 'judge as of this instant (ISO 8601, e.g. 2026-12-25T12:30:00Z): what the checks would say then, with the data as it is now')
    .option(...CONFIG_OPTION)
    .action(async (ids: string[], options: CheckOptions, command: Command) => {
      try {
        await runCheck(ids, options, command, ctx);
      } catch (err) {
        if (options.json) ctx.out.write(failureDocument(describeFailure(err)));
        throw err;
      }
    });
  // A usage mistake (an unknown option) is a failure to run too: --json still gets its document.
  check.exitOverride((err: CommanderError) => {
    if (err.exitCode !== 0 && check.opts<CheckOptions>().json) ctx.out.write(failureDocument({ code: 'bad_usage', reason: err.message.replace(/^error: /, '') }));
    throw err;
  });
}

async function runCheck(ids: string[], options: CheckOptions, command: Command, ctx: CliContext): Promise<void> {
  const at = options.at === undefined ? new Date() : new Date(options.at);
  if (Number.isNaN(at.getTime())) throw new CommandError(`--at: "${options.at}" is not an instant (ISO 8601, e.g. 2026-12-25T12:30:00Z)`, EXIT.failed, 'bad_argument');
  const config = ctx.loadConfig(configPathOf(command));
  const pipelines = selectPipelines(config.pipelines, ids);
  const logger = ctx.logger('cli', config);
  const pings = lazyPingSource(config);
  // The table (or document) says why each source failed: the log need not say it first.
  const runner = createCheckRunner(config, { logger, pings, reportsFailures: true });
  let results: CheckResult[];
  try {
    results = await runner.runMany(pipelines, at);
  } finally {
    await runner.close();
    await pings.close();
  }
  // The config's windows only: those opened through the API are in Redis, which this command does not need.
  const windows = activeMaintenance(maintenanceOccurrences({ config: config.maintenance, adHoc: [], now: at, zone: config.monitoring.timezone, days: 0 }), at);
  const report = buildCheckReport(pipelines, results, windows);
  ctx.out.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderCheckTable(report, { colour: wantsColour(ctx.out) }));
  process.exitCode = severity(report.overall);
}
