import { type DatamonConfig, MAX_LATENESS_MS, missedSlot } from '@datamon/core';
import type { Logger } from '@datamon/io';
import type { DatamonStore } from '@datamon/store';
import type { JobSchedulerJson } from 'bullmq';
import type { AlertsJobs, ChecksJobs, DataOf } from '../contracts.ts';
import { jobIds, schedulerIds } from '../ids.ts';
import type { DatamonQueues } from '../producers.ts';

/**
 * What the scheduler role does, as plain functions: keep one BullMQ job scheduler per scheduled
 * thing (each check-in, the quick check, the daily summary, the escalation tick), remove those
 * that left the config, and run a check-in late, once, when its slot passed while nothing was
 * running (README "Check-ins and the schedule").
 */

/** One scheduler as the config asks for it. */
export type ScheduleEntry =
  | { queue: 'checks'; id: string; pattern: string; template: { name: 'checkin'; data: DataOf<ChecksJobs, 'checkin'> } }
  | { queue: 'checks'; id: string; pattern: string; template: { name: 'quick-check'; data: DataOf<ChecksJobs, 'quick-check'> } }
  | { queue: 'alerts'; id: string; pattern: string; template: { name: 'daily-summary'; data: DataOf<AlertsJobs, 'daily-summary'> } }
  | { queue: 'alerts'; id: string; pattern: string; template: { name: 'tick'; data: DataOf<AlertsJobs, 'tick'> } };

/** Escalations and silences are looked at every minute. */
export const TICK_PATTERN = '* * * * *';

/**
 * Every job scheduler the config asks for. `scheduledFor` is empty in a template because a
 * template is the same for every run; the processor sees the slot (`scheduledSlotOf`).
 */
export function desiredSchedules(config: Pick<DatamonConfig, 'checkins' | 'schedule'>): ScheduleEntry[] {
  return [
    ...config.checkins.map(
      (checkin): ScheduleEntry => ({
        queue: 'checks',
        id: schedulerIds.checkin(checkin.id),
        pattern: checkin.cron,
        template: { name: 'checkin', data: { checkinId: checkin.id, scheduledFor: '', late: false, manual: false } },
      }),
    ),
    { queue: 'checks', id: schedulerIds.quickCheck, pattern: config.schedule.quick_check, template: { name: 'quick-check', data: { scheduledFor: '' } } },
    { queue: 'alerts', id: schedulerIds.dailySummary, pattern: config.schedule.daily_summary, template: { name: 'daily-summary', data: { scheduledFor: '' } } },
    { queue: 'alerts', id: schedulerIds.tick, pattern: TICK_PATTERN, template: { name: 'tick', data: { scheduledFor: '' } } },
  ];
}

export interface ReconcileReport {
  /** Schedulers created or updated. */
  upserted: string[];
  /** Schedulers removed because the config no longer has them. */
  removed: string[];
  /** Late check-in runs enqueued by this call. */
  late: { checkinId: string; slot: string; jobId: string }[];
}

export interface ScheduleDeps {
  config: DatamonConfig;
  store: DatamonStore;
  queues: Pick<DatamonQueues, 'checks' | 'alerts'>;
  now: () => Date;
  logger: Logger;
}

/** How long a late run's lock lives: past it, the slot is too old to run anyway. */
const LATE_LOCK_TTL_MS = MAX_LATENESS_MS + 60 * 60 * 1000;

/**
 * Applies the config's schedule. `full` upserts every scheduler (what a start does, so a changed
 * job template applies); otherwise only missing or changed ones, so an unchanged scheduler's next
 * run is left alone. Any number of schedulers may run this at once: upserting is atomic and keyed
 * by id, and a late run has a deterministic job id and a lock.
 */
export async function reconcileSchedules(deps: ScheduleDeps, options: { full?: boolean } = {}): Promise<ReconcileReport> {
  const { config, logger, queues } = deps;
  const tz = config.monitoring.timezone;
  const report: ReconcileReport = { upserted: [], removed: [], late: [] };
  const desired = desiredSchedules(config);
  for (const queueName of ['checks', 'alerts'] as const) {
    const queue = queues[queueName].queue;
    const existing = new Map((await queue.getJobSchedulers(0, -1)).map((scheduler) => [scheduler.key, scheduler]));
    const wanted = desired.filter((entry) => entry.queue === queueName);
    for (const entry of wanted) {
      if (!options.full && matches(existing.get(entry.id), entry, tz)) continue;
      try {
        await upsert(queues, entry, tz);
        report.upserted.push(entry.id);
      } catch (err) {
        // BullMQ refuses an upsert that lands on the id of a run in progress; the next look retries.
        logger.warn({ err, scheduler: entry.id }, 'could not update a job scheduler; will retry');
      }
    }
    const wantedIds = new Set(wanted.map((entry) => entry.id));
    for (const id of existing.keys()) {
      if (!wantedIds.has(id) && (await queue.removeJobScheduler(id))) report.removed.push(id);
    }
  }
  report.late = await enqueueMissedCheckins(deps);
  if (report.upserted.length > 0 || report.removed.length > 0 || report.late.length > 0) {
    logger.info({ upserted: report.upserted, removed: report.removed, late: report.late.map((late) => `${late.checkinId}@${late.slot}`) }, 'schedule reconciled');
  }
  return report;
}

/**
 * README "Check-ins and the schedule": BullMQ does not backfill, so a check-in whose slot passed while nothing was running is
 * enqueued here, late, once. The rule for which slot (today's latest, at most 12 h old) is
 * `missedSlot` in core. A slot counts as run when a check-in job claimed it (the store's last
 * slot), or while its scheduler's next run is still that slot (waiting for a worker counts).
 */
export async function enqueueMissedCheckins(deps: ScheduleDeps): Promise<ReconcileReport['late']> {
  const { config, store, queues, logger } = deps;
  const now = deps.now();
  const late: ReconcileReport['late'] = [];
  for (const checkin of config.checkins) {
    const lastSlot = await store.checkinSlots.last(checkin.id);
    const slot = missedSlot({ pattern: checkin.cron, zone: config.monitoring.timezone, now, lastSlot });
    if (!slot) continue;
    const scheduler = await queues.checks.queue.getJobScheduler(schedulerIds.checkin(checkin.id));
    if (scheduler?.next !== undefined && scheduler.next <= slot.getTime()) continue;
    const jobId = jobIds.lateCheckin(checkin.id, slot);
    if (await queues.checks.queue.getJob(jobId)) continue;
    const slotIso = slot.toISOString();
    if (!(await store.checkinSlots.lockLate(checkin.id, slotIso, LATE_LOCK_TTL_MS))) continue;
    try {
      await queues.checks.add('checkin', { checkinId: checkin.id, scheduledFor: slotIso, late: true, manual: false }, { jobId });
    } catch (err) {
      await store.checkinSlots.unlockLate(checkin.id, slotIso);
      throw err;
    }
    logger.warn({ checkinId: checkin.id, slot: slotIso }, 'check-in missed while nothing was running: running it late');
    late.push({ checkinId: checkin.id, slot: slotIso, jobId });
  }
  return late;
}

/**
 * The first round of a scheduler that starts (README "Watching the monitor": no verdict without
 * a check): every pipeline, those checked at check-ins only too, as soon as a check worker is
 * free. Ten schedulers starting in the same minute add it once.
 */
export async function enqueueFirstRound(deps: Pick<ScheduleDeps, 'queues' | 'now'>): Promise<string> {
  const now = deps.now();
  const jobId = jobIds.firstRound(now);
  await deps.queues.checks.add('quick-check', { scheduledFor: now.toISOString(), all: true }, { jobId });
  return jobId;
}

/**
 * A paused queue stops monitoring silently (and a pause survives restarts), so a scheduler that
 * starts resumes every queue paused other than on purpose: an admin's pause through Bull Board is
 * recorded and left alone (the watchman still says the monitor is not checking).
 *
 * @returns the queues it resumed
 */
export async function resumeUnexpectedPauses(deps: Pick<ScheduleDeps, 'store' | 'logger'> & { queues: Pick<DatamonQueues, 'all'> }): Promise<string[]> {
  const onPurpose = await deps.store.monitor.pauses();
  const resumed: string[] = [];
  for (const queue of deps.queues.all.values()) {
    if (!(await queue.isPaused())) continue;
    if (onPurpose[queue.name]) {
      deps.logger.warn({ queue: queue.name, by: onPurpose[queue.name]?.by, at: onPurpose[queue.name]?.at }, 'queue paused on purpose by an admin: left paused');
      continue;
    }
    await queue.resume();
    resumed.push(queue.name);
    deps.logger.warn({ queue: queue.name }, 'queue was paused, not on purpose by an admin: resumed');
  }
  return resumed;
}

async function upsert(queues: ScheduleDeps['queues'], entry: ScheduleEntry, tz: string): Promise<void> {
  const repeat = { pattern: entry.pattern, tz };
  if (entry.queue === 'checks') await queues.checks.upsertScheduler(entry.id, repeat, entry.template);
  else await queues.alerts.upsertScheduler(entry.id, repeat, entry.template);
}

/** True when an existing scheduler already is what the entry asks for. */
function matches(existing: JobSchedulerJson<unknown> | undefined, entry: ScheduleEntry, tz: string): boolean {
  return (
    existing !== undefined &&
    existing.pattern === entry.pattern &&
    existing.tz === tz &&
    existing.name === entry.template.name &&
    JSON.stringify(existing.template?.data ?? null) === JSON.stringify(entry.template.data)
  );
}
