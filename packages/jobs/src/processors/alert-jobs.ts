import {
  type ChatPayload,
  type DatamonConfig,
  dailyUptime,
  descendants,
  graphOf,
  type EmailPayload,
  type IncidentSettings,
  localDate,
  localDay,
  type NotificationChannel,
  type NotificationKind,
} from '@datamon/core';
import type { Logger } from '@datamon/io';
import { renderCheckinCard, renderCheckinEmail, renderDailySummaryCard, renderDailySummaryEmail } from '@datamon/notifiers/render';
import type { DatamonStore } from '@datamon/store';
import { type Job, UnrecoverableError } from 'bullmq';
import type { AlertsJobs, AnyJobOf, AnyResultOf, Delivery, JobOf } from '../contracts.ts';
import { notificationIds } from '../ids.ts';
import { closedFor } from './check-jobs.ts';
import { type AppliedIncidentEvent, applyIncidentEvent, UnknownPipelineError } from '../incidents.ts';
import { type DatamonQueues, enqueueDeliveries, enqueueRunPipeline } from '../producers.ts';

/** What the alert jobs need; the alert role wires it, tests pass their own. */
export interface AlertJobDeps {
  config: DatamonConfig;
  store: DatamonStore;
  queues: Pick<DatamonQueues, 'chat' | 'email' | 'checks' | 'tickets' | 'recovery'>;
  /** The channels that exist (the notifier registry's): check-in cards and summaries go to each. */
  channels: readonly NotificationChannel[];
  now: () => Date;
  logger: Logger;
  /** Asks for the dashboard's snapshot to be rebuilt after an incident changed (the alert worker does it a moment later, in the background). */
  refreshSnapshot: () => Promise<void>;
  rule?: IncidentSettings;
}

/**
 * The `alerts` queue's processor: incidents from status changes and time (through the incident
 * rule, see incidents.ts), and the messages of check-ins and the daily summary.
 */
export async function processAlertJob(job: AnyJobOf<AlertsJobs>, deps: AlertJobDeps): Promise<AnyResultOf<AlertsJobs>> {
  switch (job.name) {
    case 'evaluate':
      return evaluate(job, deps);
    case 'tick':
      return tick(deps);
    case 'checkin-report':
      return checkinReport(job, deps);
    case 'daily-summary':
      return dailySummary(job, deps);
    default:
      throw new UnrecoverableError(`the alerts queue has no job named "${(job as Job).name}"`);
  }
}

async function applyOrFail(deps: AlertJobDeps, pipelineId: string, event: Parameters<typeof applyIncidentEvent>[2], now: Date) {
  try {
    return await applyIncidentEvent(deps, pipelineId, event, now);
  } catch (err) {
    // Retrying cannot help: this process's config does not know the pipeline.
    if (err instanceof UnknownPipelineError) throw new UnrecoverableError(err.message);
    throw err;
  }
}

async function evaluate(job: JobOf<AlertsJobs, 'evaluate'>, deps: AlertJobDeps) {
  const now = deps.now();
  const applied = await applyOrFail(deps, job.data.pipelineId, { type: 'result', result: job.data.result }, now);
  if (applied.decision.changed) await deps.refreshSnapshot();
  await recheckReleased(job.data, applied, deps, now);
  return { notifications: applied.enqueued };
}

/**
 * A root that leaves CRITICAL releases what it blocked (README "Dependencies"): each is checked
 * again now (within the minute), so one still failing alerts on its own, on a fresh result.
 */
async function recheckReleased(
  data: JobOf<AlertsJobs, 'evaluate'>['data'],
  applied: AppliedIncidentEvent,
  deps: AlertJobDeps,
  now: Date,
): Promise<void> {
  if (data.previousStatus !== 'CRITICAL' || data.result.status === 'CRITICAL') return;
  const below = descendants(graphOf(deps.config.pipelines), data.pipelineId);
  if (below.length === 0) return;
  const open = await deps.store.incidents.allOpen();
  const affected = applied.decision.next?.affects ?? [];
  const released = below.filter((id) => open[id] !== undefined || affected.includes(id));
  for (const pipelineId of released) await enqueueRunPipeline(deps.queues, pipelineId, `dependency:${data.pipelineId}`, now);
  if (released.length > 0) deps.logger.info({ root: data.pipelineId, released }, 'upstream no longer CRITICAL; checking what it blocked again');
}

/**
 * Escalations, repeats, held messages and silences that end: every pipeline whose incident has
 * something due by now, and every open incident (a changed `escalation` setting moves their due
 * times).
 */
async function tick(deps: AlertJobDeps) {
  const now = deps.now();
  const [due, open] = await Promise.all([deps.store.incidents.dueBy(now), deps.store.incidents.allOpen()]);
  const pipelineIds = [...new Set([...due, ...Object.keys(open)])];
  let notifications = 0;
  let changed = false;
  for (const pipelineId of pipelineIds) {
    const applied = await applyIncidentEvent(deps, pipelineId, { type: 'tick' }, now).catch((err: unknown) => {
      if (err instanceof UnknownPipelineError) return null;
      throw err;
    });
    if (!applied) continue;
    notifications += applied.enqueued;
    changed ||= applied.decision.changed;
  }
  if (changed) await deps.refreshSnapshot();
  return { pipelines: pipelineIds.length, notifications };
}

function toEveryChannel(
  deps: AlertJobDeps,
  idOf: (channel: NotificationChannel) => string,
  kind: NotificationKind,
  render: Record<NotificationChannel, () => ChatPayload | EmailPayload>,
  checkinId: string | null = null,
): Delivery[] {
  return deps.channels.map((channel) => ({ notificationId: idOf(channel), channel, kind, incidentId: null, pipelineId: null, checkinId, payload: render[channel]() }));
}

async function checkinReport(job: JobOf<AlertsJobs, 'checkin-report'>, deps: AlertJobDeps) {
  const run = await deps.store.checkinRuns.get(job.data.checkinRunId);
  if (!run) throw new UnrecoverableError(`check-in run "${job.data.checkinRunId}" is not stored`);
  const deliveries = toEveryChannel(deps, (channel) => notificationIds.checkin(run, channel), 'checkin', {
    chat: () => renderCheckinCard(run, deps.config),
    email: () => renderCheckinEmail(run, deps.config),
  }, run.checkinId);
  await enqueueDeliveries(deps.queues, deliveries);
  return { notificationIds: deliveries.map((delivery) => delivery.notificationId) };
}

async function dailySummary(job: JobOf<AlertsJobs, 'daily-summary'>, deps: AlertJobDeps) {
  const { config, store } = deps;
  const zone = config.monitoring.timezone;
  const at = new Date(job.data.scheduledFor || deps.now().toISOString());
  const date = localDate(at, zone);
  const closed = closedFor({ days: config.schedule.daily_summary_days }, config, at);
  if (closed) {
    deps.logger.info({ date, closed }, 'daily summary not sent: not a working day');
    return { notificationIds: [] };
  }
  const day = localDay(date, zone);
  const ids = config.pipelines.map((pipeline) => pipeline.id);
  const histories = await Promise.all(ids.map((id) => store.results.history(id, day.start, new Date(day.end.getTime() - 1))));
  const incidents = await store.incidents.list({ state: 'all', limit: 1000 });
  const heartbeats = new Set(config.pipelines.filter((pipeline) => pipeline.kind === 'heartbeat').map((pipeline) => pipeline.id));
  const dayRuns = heartbeats.size > 0 ? await store.pings.dayCounts(date) : {};
  const runs = Object.fromEntries([...heartbeats].map((id) => [id, dayRuns[id] ?? { runs: 0, failures: 0 }]));
  // A count's last verdict of the day, when it was an anomaly (README "Volume anomalies").
  const latest = await store.results.latestMany(ids);
  const anomalies = Object.fromEntries(
    Object.values(latest)
      .filter((result) => result.details.anomaly === 'anomaly' && Date.parse(result.checkedAt) >= day.start.getTime() && Date.parse(result.checkedAt) < day.end.getTime())
      .map((result) => [result.pipelineId, String(result.details.anomalyMessage ?? result.message)]),
  );
  const figures = dailyUptime({
    date,
    zone,
    pipelineIds: ids,
    results: histories.flatMap((history, index) => history.map((entry) => ({ pipelineId: ids[index] as string, status: entry.status, checkedAt: entry.checkedAt }))),
    incidents,
    runs,
    anomalies,
  });
  const deliveries = toEveryChannel(deps, (channel) => notificationIds.dailySummary(date, channel), 'daily_summary', {
    chat: () => renderDailySummaryCard(figures, config),
    email: () => renderDailySummaryEmail(figures, config),
  });
  await enqueueDeliveries(deps.queues, deliveries);
  return { notificationIds: deliveries.map((delivery) => delivery.notificationId) };
}
