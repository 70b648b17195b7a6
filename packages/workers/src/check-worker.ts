import { type CheckRunner, createCheckRunner } from '@datamon/checks';
import { coalesce } from '@datamon/core';
import { createWorker, type RuntimeSettings, runtimeSettings } from '@datamon/jobs';
import { type CheckJobDeps, processCheckJob, processRecoveryJob } from '@datamon/jobs/processors';
import type { Worker } from 'bullmq';
import { type RoleDeps, type RoleHandle, RoleRuntime, type RoleStarter } from './role.ts';

/**
 * The check-worker role: wiring only. A BullMQ worker on the `checks` queue runs
 * `processCheckJob` (quick check, check-ins, run-now; see @datamon/jobs/processors). Start as many
 * processes as you like on one Redis: BullMQ shares the jobs between them.
 */

export interface CheckWorkerDeps extends RoleDeps {
  /** The checks (by default `createCheckRunner(config)`; its pool is closed with the role). */
  runner?: CheckRunner;
  /** Process tuning (by default from the environment, see @datamon/jobs settings.ts). */
  settings?: RuntimeSettings;
  /** Name shown as the jobs' `processedBy`. */
  workerName?: string;
}

export interface CheckWorkerHandle extends RoleHandle {
  /** Resolves once the worker is connected and taking jobs. */
  readonly ready: Promise<void>;
  readonly worker: Worker<unknown, unknown, string>;
  /** Runs recovery actions (README "Tickets and recovery"). */
  readonly recoveryWorker: Worker<unknown, unknown, string>;
}

/**
 * Starts a check worker. Concurrency is `DATAMON_CHECK_CONCURRENCY` (default 8) jobs per process.
 * Returns at once; if Redis is down it says so once and starts working when Redis answers.
 */
export const startCheckWorker: RoleStarter<CheckWorkerHandle, CheckWorkerDeps> = async (deps) => {
  const { config, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const settings = deps.settings ?? runtimeSettings();
  const runtime = new RoleRuntime(config, logger, 'checks', now);
  const { store, queues } = runtime;
  const runner = deps.runner ?? createCheckRunner(config, { logger, pings: store.pings, baselines: store.baselines });
  runtime.onClose('check runner', () => runner.close());

  const definitions = { pipelines: config.pipelines, checkins: config.checkins };
  const jobDeps: CheckJobDeps = {
    config,
    store,
    queues,
    runner,
    now,
    logger,
    settings,
    // Jobs finishing together (the parts of a quick check) share snapshot rebuilds: each one
    // reads every pipeline's latest result, so one per part would cost more than the checks.
    refreshSnapshot: coalesce(async () => {
      await store.refreshSnapshot(definitions, now());
    }),
  };

  const worker = createWorker('checks', runtime.gated((job) => processCheckJob(job, jobDeps)), {
    connection: runtime.redis,
    config,
    concurrency: settings.checkConcurrency,
    settings,
    report: runtime.report,
    workerName: deps.workerName,
  });
  worker.on('failed', (job, err) => logger.warn({ err, jobId: job?.id, job: job?.name, attempt: job?.attemptsMade }, 'check job failed'));
  worker.on('stalled', (jobId) => logger.warn({ jobId }, 'check job stalled (its worker stopped); it runs again'));
  runtime.onCloseWorker('check worker', worker, settings.shutdownGraceMs);

  // A recovery action may run for minutes: a shutdown stops it (its job goes back to the queue).
  const stopping = new AbortController();
  const recoveryWorker = createWorker('recovery', runtime.gated((job) => processRecoveryJob(job, { config, store, queues, now, logger, signal: stopping.signal })), {
    connection: runtime.redis,
    config,
    concurrency: 2,
    settings,
    report: runtime.report,
    workerName: deps.workerName,
  });
  recoveryWorker.on('failed', (job, err) => logger.warn({ err: err.message, jobId: job?.id }, 'recovery job failed'));
  runtime.onCloseWorker('recovery worker', recoveryWorker, settings.shutdownGraceMs);
  runtime.onClose('running recovery actions', async () => stopping.abort());

  logger.info({ concurrency: settings.checkConcurrency, pipelines: config.pipelines.length, checkins: config.checkins.length }, 'check worker started');
  return {
    name: 'checks',
    stateVersion: runtime.stateVersion,
    ready: RoleRuntime.ready(worker, recoveryWorker),
    worker,
    recoveryWorker,
    async close() {
      await runtime.close();
      logger.info('check worker stopped');
    },
  };
};
