import type { IncidentRecord } from './incident.ts';
import { type InstantRange, localDateRange } from './time.ts';
import { countStatuses, overallStatus, STATUSES, type Status, type StatusCounts } from './status.ts';

/**
 * Uptime arithmetic for the daily summary (README "Alerts"). Pure: the results and incidents are given.
 *
 * Uptime is a share of *results*: each check run is one sample, so a pipeline checked every 5
 * minutes has about 288 samples a day and one checked only at its check-ins has two or three.
 * PENDING results are left out (waiting for a file before its deadline is neither up nor down).
 */

/** The part of a check result uptime needs. */
export interface UptimeSample {
  pipelineId: string;
  status: Status;
  /** ISO instant. */
  checkedAt: string;
}

/** One pipeline's figures for one local day. */
export interface PipelineDayFigures {
  pipelineId: string;
  /** Results that day, PENDING included. */
  checks: number;
  counts: StatusCounts;
  /** OK share of the day's non-PENDING results, 0 to 100; null when it had none. */
  uptimePercent: number | null;
  /** Incidents of this pipeline opened that day (a re-opened incident counts once). */
  incidentsOpened: number;
  /** The status of its last result that day, or null when it had none. */
  lastStatus: Status | null;
  lastCheckedAt: string | null;
  /** A heartbeat's runs that day (README "Heartbeats"): finished, and of those failed; absent for other kinds. */
  runs?: { runs: number; failures: number };
  /** The day's anomaly verdict of a count with a baseline, when it was one ("812 calls yesterday, 45% below a usual Tuesday ..."). */
  anomaly?: string;
}

/** The day's figures: what the daily summary card and email show. */
export interface DailyUptime {
  /** Local date, YYYY-MM-DD. */
  date: string;
  timezone: string;
  /** In the order the pipelines were given. */
  pipelines: PipelineDayFigures[];
  /** Incidents opened that day, all pipelines. */
  incidentsOpened: number;
  /** OK share of all non-PENDING results of the day; null when there were none. */
  uptimePercent: number | null;
  /** The overall of each pipeline's last status that day (README "Statuses"). */
  overall: Status;
}

/**
 * The OK share of the statuses with PENDING left out, 0 to 100.
 *
 * @returns null when nothing but PENDING (or nothing at all) was given: there is no figure
 */
export function uptimePercent(statuses: Iterable<Status>): number | null {
  return uptimeOfCounts(countStatuses(statuses));
}

function uptimeOfCounts(counts: StatusCounts): number | null {
  const counted = counts.OK + counts.WARNING + counts.CRITICAL;
  return counted === 0 ? null : (counts.OK / counted) * 100;
}

/**
 * A local calendar day as a half-open range of instants (23 or 25 hours on clock-change days).
 *
 * @param date - YYYY-MM-DD
 * @param zone - IANA zone, `monitoring.timezone`
 * @throws Error when the date is not a calendar date
 */
export function localDay(date: string, zone: string): InstantRange {
  return localDateRange(date, zone);
}

function within(range: InstantRange, iso: string): boolean {
  const at = Date.parse(iso);
  return at >= range.start.getTime() && at < range.end.getTime();
}

/**
 * Per-pipeline uptime, result counts and incidents opened for one local day.
 *
 * @param input.date - the local day, YYYY-MM-DD in `zone`
 * @param input.zone - `monitoring.timezone`
 * @param input.pipelineIds - the pipelines to report, in order (results of others are ignored)
 * @param input.results - results of any time span; only the day's are counted
 * @param input.incidents - incidents of any time span; those opened that day are counted
 * @param input.runs - heartbeat pipelines' runs that day, by pipeline id
 * @param input.anomalies - the anomaly messages of counts judged anomalous that day, by pipeline id
 */
export function dailyUptime(input: {
  date: string;
  zone: string;
  pipelineIds: readonly string[];
  results: Iterable<UptimeSample>;
  incidents: Iterable<Pick<IncidentRecord, 'pipelineId' | 'openedAt'>>;
  runs?: Readonly<Record<string, { runs: number; failures: number }>>;
  anomalies?: Readonly<Record<string, string>>;
}): DailyUptime {
  const day = localDay(input.date, input.zone);
  const byPipeline = new Map<string, UptimeSample[]>(input.pipelineIds.map((id) => [id, []]));
  for (const sample of input.results) {
    if (within(day, sample.checkedAt)) byPipeline.get(sample.pipelineId)?.push(sample);
  }
  const opened = new Map<string, number>();
  for (const incident of input.incidents) {
    if (within(day, incident.openedAt)) opened.set(incident.pipelineId, (opened.get(incident.pipelineId) ?? 0) + 1);
  }

  const pipelines = input.pipelineIds.map((pipelineId): PipelineDayFigures => {
    const samples = [...(byPipeline.get(pipelineId) ?? [])].sort((a, b) => Date.parse(a.checkedAt) - Date.parse(b.checkedAt));
    const last = samples.at(-1) ?? null;
    const counts = countStatuses(samples.map((sample) => sample.status));
    return {
      pipelineId,
      checks: samples.length,
      counts,
      uptimePercent: uptimeOfCounts(counts),
      incidentsOpened: opened.get(pipelineId) ?? 0,
      lastStatus: last?.status ?? null,
      lastCheckedAt: last?.checkedAt ?? null,
      ...(input.runs?.[pipelineId] ? { runs: input.runs[pipelineId] } : {}),
      ...(input.anomalies?.[pipelineId] ? { anomaly: input.anomalies[pipelineId] } : {}),
    };
  });

  const total: StatusCounts = { OK: 0, WARNING: 0, CRITICAL: 0, PENDING: 0 };
  for (const figures of pipelines) {
    for (const status of STATUSES) total[status] += figures.counts[status];
  }
  return {
    date: input.date,
    timezone: input.zone,
    pipelines,
    incidentsOpened: pipelines.reduce((sum, figures) => sum + figures.incidentsOpened, 0),
    uptimePercent: uptimeOfCounts(total),
    overall: overallStatus(pipelines.flatMap((figures) => (figures.lastStatus ? [figures.lastStatus] : []))),
  };
}

/**
 * An uptime figure for people: one decimal, but never rounded up to 100.0 % when something failed
 * (99.96 % reads "99.9 %"), and "n/a" when there is no figure.
 */
export function formatUptime(percent: number | null): string {
  if (percent === null) return 'n/a';
  if (percent >= 100) return '100%';
  const floored = Math.floor(percent * 10) / 10;
  return `${floored.toFixed(1)}%`;
}
