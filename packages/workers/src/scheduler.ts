import { type AlertJobs, type CheckJobs, type DatamonConfig, MAX_LATENESS_MS, missedSlot } from '@datamon/core';
import type { JobSchedulerJson } from 'bullmq';
import { jobIds, scheduledJobId, schedulerIds } from './job-ids.ts';
import type { Producer } from './queues.ts';
import { type RoleDeps, type RoleHandle, RoleRuntime, type RoleStarter, sleep } from './role.ts';

/**
 * The scheduler role: keeps one BullMQ job scheduler per scheduled thing (each check-in, the
 * quick check, the daily summary, the escalation tick), removes those that left the config, and
 * runs a check-in late, once, when its slot passed while nothing was running (SPEC 4).
 *
 * Any number of schedulers may run at once: upserting a scheduler is atomic and keyed by id, and
 * a late run is guarded by a deterministic job id plus a `lateLock`, so ten schedulers make one
 * of everything.
 */

/** One scheduler as the config asks for it. */
export type ScheduleEntry =
  | { queue: 'checks'; id: string; pattern: string; template: { name: 'checkin'; data: CheckJobs['checkin'] } }
  | { queue: 'checks'; id: string; pattern: string; template: { name: 'quick-check'; data: CheckJobs['quick-check'] } }
  | { queue: 'alerts'; id: string; pattern: string; template: { name: 'daily-summary'; data: AlertJobs['daily-summary'] } }
  | { queue: 'alerts'; id: string; pattern: string; template: { name: 'tick'; data: AlertJobs['tick'] } };

/** Escalations and silences are looked at every minute. */
export const TICK_PATTERN = '* * * * *';

/**
 * Every job scheduler the config asks for. `scheduledFor` is empty in a template because a
 * template is the same for every run; workers read the slot from the job (`scheduledSlotOf`).
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

export interface SchedulerHandle extends RoleHandle {
  /** Resolves after the first complete reconcile (it waits for Redis if Redis is down). */
  readonly ready: Promise<ReconcileReport>;
  /**
   * Applies the config now. `full` upserts every scheduler (what a start does, so a changed job
   * template applies); otherwise only missing or changed ones, so an unchanged scheduler's next
   * run is left alone.
   */
  reconcile(options?: { full?: boolean }): Promise<ReconcileReport>;
}

export interface SchedulerDeps extends RoleDeps {
  /** How often the schedule and missed check-ins are looked at again (default 60 s). */
  recheckEveryMs?: number;
}

/** How long a late run's lock lives: past it, the slot is too old to run anyway. */
const LATE_LOCK_TTL_MS = MAX_LATENESS_MS + 60 * 60 * 1000;

/** Waits between attempts when a reconcile fails for a reason other than Redis being down. */
const RETRY_AFTER_MS = 5_000;

/**
 * Starts the scheduler role. Returns at once; `ready` resolves after the first reconcile.
 * Then every `recheckEveryMs`, and whenever Redis comes back, it looks again: Redis restarted
 * without its data loses every scheduler, and the look puts them back and runs what was missed.
 */
export const startScheduler: RoleStarter<SchedulerHandle, SchedulerDeps> = async (deps) => {
  const { config, logger } = deps;
  const clock = deps.now ?? (() => new Date());
  const runtime = new RoleRuntime(config, logger);
  const { queues } = runtime;
  const producers = { checks: queues.checks, alerts: queues.alerts } as const;
  const stop = new AbortController();
  let running: Promise<ReconcileReport> | null = null;

  async function reconcileOnce(full: boolean): Promise<ReconcileReport> {
    const report: ReconcileReport = { upserted: [], removed: [], late: [] };
    const desired = desiredSchedules(config);
    for (const queueName of ['checks', 'alerts'] as const) {
      const producer = producers[queueName];
      const existing = new Map((await producer.queue.getJobSchedulers(0, -1)).map((scheduler) => [scheduler.key, scheduler]));
      for (const entry of desired.filter((candidate) => candidate.queue === queueName)) {
        if (!full && matches(existing.get(entry.id), entry, config.monitoring.timezone)) continue;
        try {
          await upsert(producers, entry, config.monitoring.timezone);
          report.upserted.push(entry.id);
        } catch (err) {
          // BullMQ refuses an upsert that lands on the id of a run in progress; the next look retries.
          logger.warn({ err, scheduler: entry.id }, 'could not update a job scheduler; will retry');
        }
      }
      const wanted = new Set(desired.filter((entry) => entry.queue === queueName).map((entry) => entry.id));
      for (const id of existing.keys()) {
        if (wanted.has(id)) continue;
        if (await producer.queue.removeJobScheduler(id)) report.removed.push(id);
      }
    }
    report.late = await enqueueMissedCheckins(clock());
    if (report.upserted.length > 0 || report.removed.length > 0 || report.late.length > 0) {
      logger.info({ upserted: report.upserted, removed: report.removed, late: report.late.map((late) => `${late.checkinId}@${late.slot}`) }, 'schedule reconciled');
    }
    return report;
  }

  /**
   * SPEC 4: BullMQ does not backfill, so a check-in whose slot passed while nothing was running
   * is enqueued here, late, once. The rule for which slot (today's latest, at most 12 h old) is
   * `missedSlot` in core. A slot counts as run when the check worker wrote it as `lastSlot`, or
   * while its scheduled or late job is still in the queue (waiting for a worker counts).
   */
  async function enqueueMissedCheckins(now: Date): Promise<ReconcileReport['late']> {
    const late: ReconcileReport['late'] = [];
    const { store } = runtime;
    for (const checkin of config.checkins) {
      const schedulerId = schedulerIds.checkin(checkin.id);
      const lastSlot = await runtime.redis.get(store.keys.lastSlot(schedulerId));
      const slot = missedSlot({ pattern: checkin.cron, zone: config.monitoring.timezone, now, lastSlot: lastSlot ? new Date(lastSlot) : null });
      if (!slot) continue;
      const jobId = jobIds.lateCheckin(checkin.id, slot);
      const queued = await Promise.all([queues.checks.queue.getJob(scheduledJobId(schedulerId, slot.getTime())), queues.checks.queue.getJob(jobId)]);
      if (queued.some(Boolean)) continue;
      const slotIso = slot.toISOString();
      const lockKey = store.keys.lateLock(checkin.id, slotIso);
      if ((await runtime.redis.set(lockKey, String(process.pid), 'PX', LATE_LOCK_TTL_MS, 'NX')) !== 'OK') continue;
      try {
        await queues.checks.add('checkin', { checkinId: checkin.id, scheduledFor: slotIso, late: true, manual: false }, { jobId });
      } catch (err) {
        await runtime.redis.del(lockKey);
        throw err;
      }
      logger.warn({ checkinId: checkin.id, slot: slotIso }, 'check-in missed while nothing was running: running it late');
      late.push({ checkinId: checkin.id, slot: slotIso, jobId });
    }
    return late;
  }

  /** One reconcile at a time; a caller arriving while one runs gets that one's report. */
  function reconcile(options: { full?: boolean } = {}): Promise<ReconcileReport> {
    running ??= reconcileOnce(options.full ?? false).finally(() => {
      running = null;
    });
    return running;
  }

  async function firstReconcile(): Promise<ReconcileReport> {
    while (!stop.signal.aborted) {
      try {
        return await reconcile({ full: true });
      } catch (err) {
        if (stop.signal.aborted) break;
        if (!runtime.report.unreachable) logger.error({ err }, 'could not set up the schedule; retrying');
        await sleep(RETRY_AFTER_MS, stop.signal);
      }
    }
    return { upserted: [], removed: [], late: [] };
  }

  const ready = firstReconcile();
  // Nobody may be awaiting `ready` (datamon start does not): never let it reject unhandled.
  ready.catch(() => undefined);

  const recheck = () => {
    if (stop.signal.aborted || runtime.report.unreachable) return;
    reconcile().catch((err: unknown) => {
      if (!stop.signal.aborted && !runtime.report.unreachable) logger.warn({ err }, 'schedule re-check failed; will retry');
    });
  };
  const timer = setInterval(recheck, deps.recheckEveryMs ?? 60_000);
  // Redis back after an outage: it may have lost everything (no persistence), so look now.
  runtime.report.onRecover(() => void ready.then(recheck));

  logger.info({ schedules: desiredSchedules(config).map((entry) => `${entry.id} (${entry.pattern})`), timezone: config.monitoring.timezone }, 'scheduler started');

  return {
    name: 'scheduler',
    ready,
    reconcile,
    async close() {
      stop.abort();
      clearInterval(timer);
      // A reconcile in flight finishes first, briefly; with Redis down it cannot, and closing the
      // connection ends it.
      if (running && !runtime.report.unreachable) await Promise.race([running.catch(() => undefined), sleep(2_000)]);
      await runtime.close();
      logger.info('scheduler stopped');
    },
  };
};

async function upsert(queues: { checks: Producer<CheckJobs>; alerts: Producer<AlertJobs> }, entry: ScheduleEntry, tz: string): Promise<void> {
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
