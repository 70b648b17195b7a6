import { singleFlight } from '@datamon/core';
import { createHttpClient, redactUrlsInText } from '@datamon/io';
import { sleep } from '@datamon/jobs';
import { desiredSchedules, enqueueFirstRound, type ReconcileReport, reconcileSchedules, resumeUnexpectedPauses, type ScheduleDeps } from '@datamon/jobs/processors';
import { StateVersionError } from '@datamon/store';
import { type RoleDeps, type RoleHandle, RoleRuntime, type RoleStarter } from './role.ts';

/**
 * The scheduler role: wiring only. It reconciles the config's job schedulers and runs missed
 * check-ins late (`reconcileSchedules`, see @datamon/jobs/processors) at start, every minute and
 * whenever Redis comes back. Any number of schedulers may run at once.
 */

export interface SchedulerHandle extends RoleHandle {
  /** Resolves after the first complete reconcile (it waits for Redis if Redis is down). */
  readonly ready: Promise<ReconcileReport>;
  /**
   * Applies the config now. `full` upserts every scheduler (what a start does); otherwise only
   * missing or changed ones. A call made while one runs gets that one's report.
   */
  reconcile(options?: { full?: boolean }): Promise<ReconcileReport>;
}

export interface SchedulerDeps extends RoleDeps {
  /** How often the schedule and missed check-ins are looked at again (default 60 s). */
  recheckEveryMs?: number;
  /** How often it looks for a newly completed round to tell `watchdog.ping_url` (default 15 s). */
  watchdogEveryMs?: number;
}

/** Waits between attempts when a reconcile fails for a reason other than Redis being down. */
const RETRY_AFTER_MS = 5_000;

/**
 * Starts the scheduler role. Returns at once; `ready` resolves after the first reconcile.
 * Then every `recheckEveryMs`, and whenever Redis comes back, it looks again: Redis restarted
 * without its data loses every scheduler, and the look puts them back and runs what was missed.
 */
export const startScheduler: RoleStarter<SchedulerHandle, SchedulerDeps> = async (deps) => {
  const { config, logger } = deps;
  const runtime = new RoleRuntime(config, logger, 'scheduler', deps.now);
  const scheduleDeps: ScheduleDeps = { config, store: runtime.store, queues: runtime.queues, now: deps.now ?? (() => new Date()), logger };
  const stop = new AbortController();
  const reconcile = singleFlight(runtime.gated((options: { full?: boolean } = {}) => reconcileSchedules(scheduleDeps, options)));

  async function firstReconcile(): Promise<ReconcileReport> {
    while (!stop.signal.aborted) {
      try {
        const report = await reconcile({ full: true });
        await resumeUnexpectedPauses({ store: runtime.store, queues: runtime.queues, logger });
        // No verdict without a check: the first round runs as soon as a check worker is free.
        const firstRound = await enqueueFirstRound(scheduleDeps);
        logger.info({ jobId: firstRound }, 'first round of checks queued');
        return report;
      } catch (err) {
        if (stop.signal.aborted) break;
        // Redis holds a newer layout: the role logged it and takes no work; retrying cannot help.
        if (err instanceof StateVersionError) throw err;
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
    if (stop.signal.aborted || runtime.report.unreachable || !runtime.stateAccepted) return;
    reconcile().catch((err: unknown) => {
      if (!stop.signal.aborted && !runtime.report.unreachable) logger.warn({ err }, 'schedule re-check failed; will retry');
    });
  };
  const timer = setInterval(recheck, deps.recheckEveryMs ?? 60_000);
  const stopWatchdog = startWatchdogPings(runtime, deps.watchdogEveryMs ?? 15_000);
  // Redis back after an outage: it may have lost everything (no persistence), so look now.
  runtime.report.onRecover(() => void ready.then(recheck, () => undefined));

  logger.info({ schedules: desiredSchedules(config).map((entry) => `${entry.id} (${entry.pattern})`), timezone: config.monitoring.timezone }, 'scheduler started');

  return {
    name: 'scheduler',
    stateVersion: runtime.stateVersion,
    ready,
    reconcile,
    async close() {
      stop.abort();
      clearInterval(timer);
      stopWatchdog();
      // A reconcile in flight finishes first, briefly; with Redis down it cannot, and closing the
      // connection ends it.
      const running = reconcile.running;
      if (running && !runtime.report.unreachable) await Promise.race([running.catch(() => undefined), sleep(2_000)]);
      await runtime.close();
      logger.info('scheduler stopped');
    },
  };
};

/**
 * `watchdog.ping_url` (README "Watching the monitor"): a GET after every completed quick-check
 * round, so an outside service (healthchecks.io, Uptime Kuma, a second datamon's heartbeat
 * pipeline) notices when datamon itself stops. The URL is a secret: it is never logged.
 */
function startWatchdogPings(runtime: RoleRuntime, everyMs: number): () => void {
  const url = runtime.config.watchdog.ping_url;
  if (!url) return () => undefined;
  const http = createHttpClient({ timeoutMs: 10_000 });
  let told: number | null = null;
  let failing = false;
  const look = async () => {
    if (runtime.report.unreachable) return;
    const last = await runtime.store.monitor.lastRound();
    if (!last || (told !== null && last.getTime() <= told)) return;
    try {
      await http.get(url);
      told = last.getTime();
      if (failing) runtime.logger.info('watchdog ping delivered again');
      failing = false;
    } catch (err) {
      if (!failing) runtime.logger.warn({ reason: redactUrlsInText((err as Error).message) }, 'watchdog ping failed; trying again');
      failing = true;
    }
  };
  const timer = setInterval(() => void look().catch(() => undefined), everyMs);
  void look().catch(() => undefined);
  return () => clearInterval(timer);
}
