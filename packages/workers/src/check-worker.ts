import { createCheckRunner, type CheckRunner } from '@datamon/checks';
import {
  type CheckinDefinition,
  type CheckinRun,
  type CheckResult,
  isTooLate,
  overallStatus,
  type PipelineDefinition,
  QUEUE_NAMES,
} from '@datamon/core';
import { type Job, UnrecoverableError, type Worker } from 'bullmq';
import { checkinRunId, jobIds, schedulerIds } from './job-ids.ts';
import {
  type AnyJobOf,
  type CheckinJobSummary,
  type CheckJobResults,
  type ChecksQueueJobs,
  createRoleWorker,
  type JobOf,
  Producer,
  type QuickCheckSummary,
} from './queues.ts';
import { recordResults } from './result-intake.ts';
import { type RoleDeps, type RoleHandle, RoleRuntime, type RoleStarter } from './role.ts';
import { type RuntimeSettings, runtimeSettings } from './settings.ts';

/**
 * The check-worker role: runs the `checks` queue's jobs (quick check, check-ins, run-now), stores
 * each result once, and hands status changes to the alert worker. Start as many processes as
 * you like on one Redis: BullMQ shares the jobs between them, and a large quick check is split
 * into parts so they share one round too.
 */

export interface CheckWorkerDeps extends RoleDeps {
  /** The checks (by default `createCheckRunner(config)`; its pool is closed with the role). */
  runner?: CheckRunner;
  /** Process tuning (by default from the environment, see settings.ts). */
  settings?: RuntimeSettings;
  /** Name shown as the jobs' `processedBy`. */
  workerName?: string;
}

export interface CheckWorkerHandle extends RoleHandle {
  /** Resolves once the worker is connected and taking jobs. */
  readonly ready: Promise<void>;
  readonly worker: Worker<unknown, unknown, string>;
}

/** A scheduled check-in that starts this long after its slot (no worker was free) says it is late. */
export const LATE_AFTER_MS = 5 * 60 * 1000;

/** How long a check-in's `lastSlot` is kept (a removed check-in's key goes away by itself). */
const LAST_SLOT_TTL_MS = 8 * 24 * 3600 * 1000;

/** Sets the key to ARGV[1] unless it already holds a later (or the same) ISO instant. */
const SET_IF_LATER = `
local current = redis.call('GET', KEYS[1])
if (not current) or current < ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

type CheckJob = AnyJobOf<ChecksQueueJobs, CheckJobResults>;
type CheckJobOf<N extends keyof ChecksQueueJobs & string> = JobOf<ChecksQueueJobs, CheckJobResults, N>;

/**
 * Starts a check worker. Concurrency is `DATAMON_CHECK_CONCURRENCY` (default 8) jobs per process.
 * Returns at once; if Redis is down it says so once and starts working when Redis answers.
 */
export const startCheckWorker: RoleStarter<CheckWorkerHandle, CheckWorkerDeps> = async (deps) => {
  const { config, logger } = deps;
  const clock = deps.now ?? (() => new Date());
  const settings = deps.settings ?? runtimeSettings();
  const runtime = new RoleRuntime(config, logger);
  const { store, queues } = runtime;
  const checks = new Producer<ChecksQueueJobs>(queues.checks.queue);
  const runner = deps.runner ?? createCheckRunner(config, { logger });
  runtime.onClose('check runner', () => runner.close());

  const pipelines = new Map(config.pipelines.map((pipeline) => [pipeline.id, pipeline]));
  const checkins = new Map(config.checkins.map((checkin) => [checkin.id, checkin]));
  const definitions = { pipelines: config.pipelines, checkins: config.checkins };

  /**
   * Rebuilds the status snapshot after a job's writes. Jobs finishing together (the parts of a
   * quick check) share rebuilds: a job arriving while one runs waits for the next, which starts
   * after it and so includes its results. Each rebuild reads every pipeline's latest result, so
   * one per part would cost more than the checks.
   */
  const refreshSnapshot = coalesce(async () => {
    await store.refreshSnapshot(definitions, clock());
  });

  /**
   * The instant a job checks "as of", the same on every attempt: a retried job then produces
   * the same `checkedAt`, so its results are stored once and its alert jobs keep their ids.
   * Kept in the job's progress, which survives a retry and a stalled (dead) worker.
   */
  async function pinnedNow(job: Job<unknown, unknown, string>): Promise<Date> {
    const progress = job.progress as unknown;
    if (typeof progress === 'object' && progress !== null && typeof (progress as { startedAt?: unknown }).startedAt === 'string') {
      return new Date((progress as { startedAt: string }).startedAt);
    }
    const now = clock();
    await job.updateProgress({ startedAt: now.toISOString() });
    return now;
  }

  /** Runs the checks, stores each result once for this job, and enqueues what the alert worker must see. */
  async function checkAndStore(jobId: string, list: PipelineDefinition[], now: Date): Promise<{ results: CheckResult[]; evaluations: number }> {
    const results = await runner.runMany(list, now);
    const { evaluations } = await recordResults({ store, alerts: queues.alerts }, results, jobId);
    return { results, evaluations };
  }

  function pipelinesByIds(ids: readonly string[], where: string): PipelineDefinition[] {
    return ids.map((id) => {
      const pipeline = pipelines.get(id);
      // Retrying cannot help: this process's config does not know it.
      if (!pipeline) throw new UnrecoverableError(`${where}: unknown pipeline "${id}" (known: ${[...pipelines.keys()].join(', ')})`);
      return pipeline;
    });
  }

  async function quickCheck(job: CheckJobOf<'quick-check'>): Promise<QuickCheckSummary> {
    const now = await pinnedNow(job);
    const scheduledFor = job.data.scheduledFor || now.toISOString();
    const due = config.pipelines.filter((pipeline) => pipeline.quick_check !== false);
    if (due.length > settings.quickCheckChunk) {
      // Split so every check-worker process takes a share of the round.
      const parts = chunk(
        due.map((pipeline) => pipeline.id),
        settings.quickCheckChunk,
      );
      await checks.addBulk(
        parts.map((pipelineIds, index) => ({
          name: 'quick-check-part' as const,
          data: { scheduledFor, pipelineIds },
          opts: { jobId: jobIds.quickCheckPart(String(job.id), index, parts.length) },
        })),
      );
      logger.info({ jobId: job.id, pipelines: due.length, parts: parts.length }, 'quick check split into parts');
      return { scheduledFor, checked: 0, parts: parts.length, evaluations: 0 };
    }
    const { evaluations } = await checkAndStore(String(job.id), due, now);
    await refreshSnapshot();
    logger.info({ jobId: job.id, pipelines: due.length, evaluations }, 'quick check done');
    return { scheduledFor, checked: due.length, parts: 0, evaluations };
  }

  async function quickCheckPart(job: CheckJobOf<'quick-check-part'>): Promise<QuickCheckSummary> {
    const now = await pinnedNow(job);
    const list = pipelinesByIds(job.data.pipelineIds, `quick-check part ${job.id}`);
    const { evaluations } = await checkAndStore(String(job.id), list, now);
    await refreshSnapshot();
    logger.debug({ jobId: job.id, pipelines: list.length, evaluations }, 'quick check part done');
    return { scheduledFor: job.data.scheduledFor, checked: list.length, parts: 0, evaluations };
  }

  async function checkin(job: CheckJobOf<'checkin'>): Promise<CheckinJobSummary> {
    const definition = checkins.get(job.data.checkinId);
    if (!definition) {
      throw new UnrecoverableError(`unknown check-in "${job.data.checkinId}" (known: ${[...checkins.keys()].join(', ')})`);
    }
    const now = await pinnedNow(job);
    const scheduledFor = job.data.scheduledFor || now.toISOString();
    const fromSchedule = Boolean(job.repeatJobKey);
    const lateBy = now.getTime() - Date.parse(scheduledFor);
    if (fromSchedule && isTooLate(new Date(scheduledFor), now)) {
      // Every worker was down for half a day: a card that late helps nobody (see MAX_LATENESS_MS).
      logger.warn({ checkinId: definition.id, scheduledFor }, 'check-in slot is too old to run; skipped');
      return { checkinRunId: null, overall: null, late: true, skipped: 'slot more than 12 h old' };
    }
    const late = job.data.late || (fromSchedule && lateBy > LATE_AFTER_MS);
    const list = pipelinesByIds(definition.pipelines, `check-in ${definition.id}`);
    const { results } = await checkAndStore(String(job.id), list, now);
    const run = buildCheckinRun(definition, scheduledFor, now, late, job.data.manual, results);
    await store.checkinRuns.record(run);
    // Manual runs are extra: they do not stand in for the scheduled slot.
    if (!job.data.manual) {
      await runtime.redis.eval(SET_IF_LATER, 1, store.keys.lastSlot(schedulerIds.checkin(definition.id)), scheduledFor, String(LAST_SLOT_TTL_MS));
    }
    await queues.alerts.add('checkin-report', { checkinRunId: run.id, checkinId: definition.id }, { jobId: jobIds.checkinReport(definition.id, scheduledFor) });
    await refreshSnapshot();
    logger.info({ checkinId: definition.id, scheduledFor, overall: run.overall, late, manual: run.manual }, 'check-in ran');
    return { checkinRunId: run.id, overall: run.overall, late };
  }

  async function runPipeline(job: CheckJobOf<'run-pipeline'>): Promise<CheckResult> {
    const [pipeline] = pipelinesByIds([job.data.pipelineId], 'run-pipeline');
    const now = await pinnedNow(job);
    const { results } = await checkAndStore(String(job.id), [pipeline as PipelineDefinition], now);
    await refreshSnapshot();
    const result = results[0] as CheckResult;
    logger.info({ pipelineId: result.pipelineId, status: result.status, requestedBy: job.data.requestedBy }, 'pipeline checked on request');
    return result;
  }

  async function processJob(job: CheckJob): Promise<CheckJobResults[keyof CheckJobResults]> {
    switch (job.name) {
      case 'quick-check':
        return quickCheck(job);
      case 'quick-check-part':
        return quickCheckPart(job);
      case 'checkin':
        return checkin(job);
      case 'run-pipeline':
        return runPipeline(job);
      default:
        throw new UnrecoverableError(`the checks queue has no job named "${(job as Job).name}"`);
    }
  }

  const worker = createRoleWorker<ChecksQueueJobs, CheckJobResults>(QUEUE_NAMES.checks, processJob, {
    connection: runtime.redis,
    config,
    concurrency: settings.checkConcurrency,
    settings,
    report: runtime.report,
    workerName: deps.workerName,
  });
  worker.on('failed', (job, err) => {
    logger.warn({ err, jobId: job?.id, job: job?.name, attempt: job?.attemptsMade }, 'check job failed');
  });
  worker.on('stalled', (jobId) => {
    logger.warn({ jobId }, 'check job stalled (its worker stopped); it runs again');
  });
  runtime.onCloseWorker('check worker', worker, settings.shutdownGraceMs);

  const ready = worker.waitUntilReady().then(
    () => undefined,
    () => undefined,
  );
  logger.info({ concurrency: settings.checkConcurrency, pipelines: config.pipelines.length, checkins: config.checkins.length }, 'check worker started');

  return {
    name: 'checks',
    ready,
    worker,
    async close() {
      await runtime.close();
      logger.info('check worker stopped');
    },
  };
};

/** A stored check-in run, its id deterministic from the check-in and slot. */
export function buildCheckinRun(
  definition: CheckinDefinition,
  scheduledFor: string,
  ranAt: Date,
  late: boolean,
  manual: boolean,
  results: readonly CheckResult[],
): CheckinRun {
  return {
    id: checkinRunId(definition.id, scheduledFor),
    checkinId: definition.id,
    label: definition.label,
    scheduledFor,
    ranAt: ranAt.toISOString(),
    late,
    manual,
    overall: overallStatus(results.map((result) => result.status)),
    results: results.map((result) => ({ pipelineId: result.pipelineId, status: result.status, message: result.message, value: result.value })),
  };
}

/**
 * Wraps `run` so that concurrent calls share runs: a call made while a run is in progress gets
 * the next run (started once the current one ends), shared by every call made meanwhile.
 */
export function coalesce(run: () => Promise<void>): () => Promise<void> {
  let current: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const start = (): Promise<void> => {
    const started = run().finally(() => {
      if (current === started) current = null;
    });
    current = started;
    return started;
  };
  return () => {
    if (!current) return start();
    next ??= current
      .catch(() => undefined)
      .then(() => {
        next = null;
        return start();
      });
    return next;
  };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
