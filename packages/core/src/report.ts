import { DateTime } from 'luxon';
import { formatDuration } from './display.ts';
import type { IncidentRecord } from './incident.ts';
import { formatLocal, localDateRange } from './time.ts';
import { uptimePercent, type UptimeSample } from './uptime.ts';

/**
 * The period report of `datamon report` (README "Weekly report"): per pipeline, uptime, incidents
 * opened, and how long incidents took to be acknowledged and resolved. Pure: the stored history
 * and incidents are given.
 *
 * Uptime is the daily summary's: the OK share of the results, PENDING left out (`uptimePercent`).
 * Each acknowledgement and each resolution is counted in the period it happened in, measured from
 * the incident's opening, so an incident opened one week and resolved the next shows its full time
 * to resolve in the second week's report, and consecutive reports count it exactly once.
 */

/** The period a report covers: `from` inclusive, `to` exclusive. */
export interface ReportWindow {
  from: Date;
  to: Date;
}

/** The part of an incident a report needs. */
export type ReportIncident = Pick<IncidentRecord, 'id' | 'pipelineId' | 'openedAt' | 'closedAt' | 'acknowledgedAt' | 'worstStatus'>;

/** Durations from an incident's opening to one of its events. */
export interface DurationFigures {
  /** Incidents the figures are over. */
  count: number;
  /** Milliseconds; null when `count` is 0. */
  meanMs: number | null;
  worstMs: number | null;
}

/** A pipeline's figures for the period, or all pipelines' together. */
export interface ReportFigures {
  /** Results in the period, PENDING included. */
  checks: number;
  /** OK share of the period's non-PENDING results, 0 to 100; null when it had none. */
  uptimePercent: number | null;
  /** Incidents opened in the period. */
  incidents: number;
  /** Of those, the ones that reached CRITICAL. */
  critical: number;
  /** Incidents still open at the period's end, whenever they opened. */
  openAtEnd: number;
  /** Acknowledged in the period: from opening to acknowledgement. */
  acknowledge: DurationFigures;
  /** Resolved in the period: from opening to close. */
  resolve: DurationFigures;
}

export interface PipelineReport extends ReportFigures {
  pipelineId: string;
  name: string;
}

export interface PeriodReport {
  /** ISO instants of the window. */
  from: string;
  to: string;
  /** In the order the pipelines were given. */
  pipelines: PipelineReport[];
  totals: ReportFigures;
}

const PERIOD_FORMS = '<n>d, <n>h, or an ISO date or instant (e.g. 7d, 24h, 2026-03-23, 2026-03-23T07:30:00Z)';

/**
 * The window a `--since` value opens, ending at `now`. `<n>d` is n local calendar days (a week
 * across a clock change is still a week of wall-clock time), `<n>h` exactly n hours, a date its
 * local midnight in `zone`, and an instant without an offset is read in `zone`.
 *
 * @param since - `7d`, `24h`, `2026-03-23`, `2026-03-23T07:30:00Z`, ...
 * @param now - the end of the window
 * @param zone - `monitoring.timezone`
 * @throws Error naming the value and the accepted forms when it is none of them, or not before `now`
 */
export function reportWindow(since: string, now: Date, zone: string): ReportWindow {
  const value = since.trim();
  const from = startOf(value, now, zone);
  if (from === null) throw new Error(`"${since}" is not a period: use ${PERIOD_FORMS}`);
  if (from.getTime() >= now.getTime()) throw new Error(`"${since}" starts at ${from.toISOString()}, not before the report's end ${now.toISOString()}`);
  return { from, to: now };
}

function startOf(value: string, now: Date, zone: string): Date | null {
  const relative = /^(\d{1,6})([dh])$/i.exec(value);
  if (relative) {
    const n = Number(relative[1]);
    if (n === 0) return null;
    return relative[2]?.toLowerCase() === 'd' ? DateTime.fromJSDate(now, { zone }).minus({ days: n }).toJSDate() : new Date(now.getTime() - n * 3_600_000);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    try {
      return localDateRange(value, zone).start;
    } catch {
      return null;
    }
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return null;
  const instant = DateTime.fromISO(value, { zone });
  return instant.isValid ? instant.toJSDate() : null;
}

function within(window: ReportWindow, iso: string): boolean {
  const at = Date.parse(iso);
  return at >= window.from.getTime() && at < window.to.getTime();
}

function durationFigures(durations: readonly number[]): DurationFigures {
  if (durations.length === 0) return { count: 0, meanMs: null, worstMs: null };
  const sum = durations.reduce((total, ms) => total + ms, 0);
  return { count: durations.length, meanMs: sum / durations.length, worstMs: Math.max(...durations) };
}

/** What one pipeline (or all of them) contributes, before it becomes figures. */
interface Tally {
  statuses: UptimeSample['status'][];
  incidents: number;
  critical: number;
  openAtEnd: number;
  acknowledge: number[];
  resolve: number[];
}

const emptyTally = (): Tally => ({ statuses: [], incidents: 0, critical: 0, openAtEnd: 0, acknowledge: [], resolve: [] });

function figuresOf(tally: Tally): ReportFigures {
  return {
    checks: tally.statuses.length,
    uptimePercent: uptimePercent(tally.statuses),
    incidents: tally.incidents,
    critical: tally.critical,
    openAtEnd: tally.openAtEnd,
    acknowledge: durationFigures(tally.acknowledge),
    resolve: durationFigures(tally.resolve),
  };
}

/**
 * Per-pipeline and total figures for a period.
 *
 * @param input.window - the period
 * @param input.pipelines - the pipelines to report, in order (results and incidents of others are ignored)
 * @param input.results - results of any time span; only the period's are counted
 * @param input.incidents - incidents of any time span (an incident given twice counts once); an
 *   incident counts where its opening, acknowledgement, close or still being open falls in the period
 */
export function periodReport(input: {
  window: ReportWindow;
  pipelines: readonly { id: string; name: string }[];
  results: Iterable<UptimeSample>;
  incidents: Iterable<ReportIncident>;
}): PeriodReport {
  const { window } = input;
  const tallies = new Map<string, Tally>(input.pipelines.map((pipeline) => [pipeline.id, emptyTally()]));
  for (const sample of input.results) {
    if (within(window, sample.checkedAt)) tallies.get(sample.pipelineId)?.statuses.push(sample.status);
  }
  const incidents = new Map<string, ReportIncident>();
  for (const incident of input.incidents) incidents.set(incident.id, incident);
  for (const incident of incidents.values()) {
    const tally = tallies.get(incident.pipelineId);
    if (!tally) continue;
    const openedAt = Date.parse(incident.openedAt);
    if (within(window, incident.openedAt)) {
      tally.incidents += 1;
      if (incident.worstStatus === 'CRITICAL') tally.critical += 1;
    }
    if (incident.acknowledgedAt !== null && within(window, incident.acknowledgedAt)) tally.acknowledge.push(Date.parse(incident.acknowledgedAt) - openedAt);
    if (incident.closedAt !== null && within(window, incident.closedAt)) tally.resolve.push(Date.parse(incident.closedAt) - openedAt);
    const closedBeforeEnd = incident.closedAt !== null && Date.parse(incident.closedAt) < window.to.getTime();
    if (openedAt < window.to.getTime() && !closedBeforeEnd) tally.openAtEnd += 1;
  }

  const total = emptyTally();
  const pipelines = input.pipelines.map((pipeline): PipelineReport => {
    const tally = tallies.get(pipeline.id) ?? emptyTally();
    total.statuses.push(...tally.statuses);
    total.incidents += tally.incidents;
    total.critical += tally.critical;
    total.openAtEnd += tally.openAtEnd;
    total.acknowledge.push(...tally.acknowledge);
    total.resolve.push(...tally.resolve);
    return { pipelineId: pipeline.id, name: pipeline.name, ...figuresOf(tally) };
  });
  return { from: window.from.toISOString(), to: window.to.toISOString(), pipelines, totals: figuresOf(total) };
}

/** The name of the totals row in both writers. */
export const REPORT_TOTALS_NAME = 'All pipelines';

/**
 * Uptime to 2 decimals, cut rather than rounded: like `formatUptime`, a period with a failure
 * never reads 100.00.
 */
export function reportUptime(percent: number | null): string | null {
  if (percent === null) return null;
  // The small nudge keeps an exact 97.92 from flooring to 97.91 through binary floating point.
  return (Math.floor(percent * 100 + 1e-9) / 100).toFixed(2);
}

function markdownCell(text: string): string {
  return text.replace(/\s+/g, ' ').replaceAll('|', '\\|');
}

function meanAndWorst(figures: DurationFigures): string {
  if (figures.meanMs === null || figures.worstMs === null) return 'n/a';
  return `${formatDuration(figures.meanMs)} / ${formatDuration(figures.worstMs)}`;
}

function markdownRow(name: string, figures: ReportFigures): string {
  const uptime = reportUptime(figures.uptimePercent);
  const cells = [
    name,
    uptime === null ? 'n/a' : `${uptime}%`,
    String(figures.checks),
    String(figures.incidents),
    String(figures.critical),
    String(figures.openAtEnd),
    meanAndWorst(figures.acknowledge),
    meanAndWorst(figures.resolve),
  ];
  return `| ${cells.join(' | ')} |`;
}

/**
 * The report as a Markdown table, a row per pipeline and a totals row, under a heading with the
 * period in the monitoring zone; the default output of `datamon report`.
 *
 * @param options.zone - `monitoring.timezone`, for the heading
 */
export function renderReportMarkdown(report: PeriodReport, options: { zone: string }): string {
  const lines = [
    `## datamon report: ${formatLocal(report.from, options.zone)} to ${formatLocal(report.to, options.zone)} (${options.zone})`,
    '',
    '| Pipeline | Uptime | Checks | Incidents | Critical | Open at end | Time to acknowledge (mean / worst) | Time to resolve (mean / worst) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...report.pipelines.map((pipeline) => markdownRow(markdownCell(pipeline.name), pipeline)),
    markdownRow(`**${REPORT_TOTALS_NAME}**`, report.totals),
    '',
    'Uptime: the OK share of the checks, PENDING left out. Incidents: opened in the period. Times to acknowledge and to',
    'resolve run from the opening, over the incidents acknowledged or resolved in the period; those still open are under "Open at end".',
  ];
  return `${lines.join('\n')}\n`;
}

/** The CSV columns of `datamon report --format csv`, in order. */
export const REPORT_CSV_COLUMNS = [
  'from',
  'to',
  'pipeline_id',
  'pipeline',
  'checks',
  'uptime_percent',
  'incidents',
  'critical',
  'open_at_end',
  'acknowledged',
  'tta_mean_minutes',
  'tta_worst_minutes',
  'resolved',
  'ttr_mean_minutes',
  'ttr_worst_minutes',
] as const;

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function minutes(ms: number | null): string {
  return ms === null ? '' : String(Math.round(ms / 600) / 100);
}

function csvRow(report: PeriodReport, pipelineId: string, name: string, figures: ReportFigures): string {
  const fields = [
    report.from,
    report.to,
    pipelineId,
    name,
    String(figures.checks),
    reportUptime(figures.uptimePercent) ?? '',
    String(figures.incidents),
    String(figures.critical),
    String(figures.openAtEnd),
    String(figures.acknowledge.count),
    minutes(figures.acknowledge.meanMs),
    minutes(figures.acknowledge.worstMs),
    String(figures.resolve.count),
    minutes(figures.resolve.meanMs),
    minutes(figures.resolve.worstMs),
  ];
  return fields.map(csvField).join(',');
}

/**
 * The report as CSV (RFC 4180, CRLF line ends): a header row, a row per pipeline and a totals row
 * (empty `pipeline_id`). Durations are minutes to 2 decimals, uptime a percentage to 2 decimals;
 * a figure that does not exist is an empty field. Every row carries the period, so weekly files
 * can be stacked.
 */
export function renderReportCsv(report: PeriodReport): string {
  const rows = [
    REPORT_CSV_COLUMNS.join(','),
    ...report.pipelines.map((pipeline) => csvRow(report, pipeline.pipelineId, pipeline.name, pipeline)),
    csvRow(report, '', REPORT_TOTALS_NAME, report.totals),
  ];
  return `${rows.join('\r\n')}\r\n`;
}
