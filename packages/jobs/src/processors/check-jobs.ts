import type { CheckRunner } from '@datamon/checks';
import { recoveryRecheckDone } from './recovery.ts';
import {
  ancestors,
  blockingRoot,
  calendarOf,
  type CheckinDefinition,
  type CheckinRun,
  type CheckResult,
  type DatamonConfig,
  type ExpectedDays,
  checkinStatus,
  graphOf,
  packParts,
  isTooLate,
  localDate,
  type PipelineDefinition,
} from '@datamon/core';
import type { Logger } from '@datamon/io';
import type { DatamonStore } from '@datamon/store';
import { type Job, UnrecoverableError } from 'bullmq';
import type { AnyJobOf, AnyResultOf, CheckinJobSummary, ChecksJobs, JobOf, QuickCheckSummary } from '../contracts.ts';
import { checkinRunId, jobIds } from '../ids.ts';
import type { DatamonQueues } from '../producers.ts';
import type { RuntimeSettings } from '../settings.ts';
import { recordResults } from './result-intake.ts';

/** What the check jobs need; the check-worker role wires it, tests pass their own. */
export interface CheckJobDeps {
  config: DatamonConfig;
  store: DatamonStore;
  queues: Pick<DatamonQueues, 'checks' | 'alerts' | 'recovery'>;
  runner: CheckRunner;
  now: () => Date;
  logger: Logger;
  settings: Pick<RuntimeSettings, 'quickCheckChunk'>;
  /** Rebuilds the dashboard's snapshot after results were stored (shared by jobs finishing together). */
  refreshSnapshot: () => Promise<void>;
}

/** A scheduled check-in that starts this long after its slot (no worker was free) says it is late. */
export const LATE_AFTER_MS = 5 * 60 * 1000;

/**
 * The `checks` queue's processor: the quick check (split into parts when large, so every
 * check-worker process takes a share), check-ins and run-now. Each result is stored once per job
 * and status changes are handed to the alert worker.
 */
export async function processCheckJob(job: AnyJobOf<ChecksJobs>, deps: CheckJobDeps): Promise<AnyResultOf<ChecksJobs>> {
  switch (job.name) {
    case 'quick-check':
      return quickCheck(job, deps);
    case 'quick-check-part':
      return quickCheckPart(job, deps);
    case 'checkin':
      return checkin(job, deps);
    case 'run-pipeline':
      return runPipeline(job, deps);
    default:
      throw new UnrecoverableError(`the checks queue has no job named "${(job as Job).name}"`);
  }
}

/**
 * The instant a job checks "as of", the same on every attempt: a retried job then produces the
 * same `checkedAt`, so its results are stored once and its alert jobs keep their ids. Kept in the
 * job's progress, which survives a retry and a stalled (dead) worker.
 */
async function pinnedNow(job: Job<unknown, unknown, string>, deps: CheckJobDeps): Promise<Date> {
  const progress = job.progress as unknown;
  if (typeof progress === 'object' && progress !== null && typeof (progress as { startedAt?: unknown }).startedAt === 'string') {
    return new Date((progress as { startedAt: string }).startedAt);
  }
  const now = deps.now();
  await job.updateProgress({ startedAt: now.toISOString() });
  return now;
}

/** Runs the checks, stores each result once for this job, and enqueues what the alert worker must see. */
async function checkAndStore(jobId: string, list: PipelineDefinition[], now: Date, deps: CheckJobDeps): Promise<{ results: CheckResult[]; evaluations: number }> {
  const results = await deps.runner.runMany(list, now);
  const { evaluations } = await recordResults(deps, results, jobId);
  return { results, evaluations };
}

const byIdCache = new WeakMap<DatamonConfig, Map<string, PipelineDefinition>>();

function pipelinesByIds(config: DatamonConfig, ids: readonly string[], where: string): PipelineDefinition[] {
  let byId = byIdCache.get(config);
  if (!byId) {
    byId = new Map(config.pipelines.map((pipeline) => [pipeline.id, pipeline]));
    byIdCache.set(config, byId);
  }
  const known = byId;
  return ids.map((id) => {
    const pipeline = known.get(id);
    // Retrying cannot help: this process's config does not know it.
    if (!pipeline) throw new UnrecoverableError(`${where}: unknown pipeline "${id}" (known: ${[...known.keys()].join(', ')})`);
    return pipeline;
  });
}

async function quickCheck(job: JobOf<ChecksJobs, 'quick-check'>, deps: CheckJobDeps): Promise<QuickCheckSummary> {
  const now = await pinnedNow(job, deps);
  const scheduledFor = job.data.scheduledFor || now.toISOString();
  const due = job.data.all ? deps.config.pipelines : deps.config.pipelines.filter((pipeline) => pipeline.quick_check !== false);
  if (due.length > deps.settings.quickCheckChunk) {
    // Pipelines that depend on each other stay in one part: judged together, a root's first
    // alert lists what it blocks (README "Dependencies").
    const parts = packParts(
      graphOf(deps.config.pipelines),
      due.map((pipeline) => pipeline.id),
      deps.settings.quickCheckChunk,
    );
    const roundId = String(job.id);
    // The round completes when its last part does (the watchman reads when rounds complete).
    await deps.store.monitor.roundSplit(roundId, parts.length);
    await deps.queues.checks.addBulk(
      parts.map((pipelineIds, index) => ({
        name: 'quick-check-part' as const,
        data: { scheduledFor, pipelineIds, roundId },
        opts: { jobId: jobIds.quickCheckPart(roundId, index, parts.length) },
      })),
    );
    deps.logger.info({ jobId: job.id, pipelines: due.length, parts: parts.length }, 'quick check split into parts');
    return { scheduledFor, checked: 0, parts: parts.length, evaluations: 0 };
  }
  const { evaluations } = await checkAndStore(String(job.id), due, now, deps);
  await deps.store.monitor.roundDone(deps.now());
  await deps.refreshSnapshot();
  deps.logger.info({ jobId: job.id, pipelines: due.length, evaluations }, 'quick check done');
  return { scheduledFor, checked: due.length, parts: 0, evaluations };
}

async function quickCheckPart(job: JobOf<ChecksJobs, 'quick-check-part'>, deps: CheckJobDeps): Promise<QuickCheckSummary> {
  const now = await pinnedNow(job, deps);
  const list = pipelinesByIds(deps.config, job.data.pipelineIds, `quick-check part ${job.id}`);
  const { evaluations } = await checkAndStore(String(job.id), list, now, deps);
  const roundCompleted = job.data.roundId ? await deps.store.monitor.partDone(job.data.roundId, String(job.id), deps.now()) : true;
  // One snapshot per round, by its last part: each rebuild reads every pipeline's latest result,
  // so one per part would cost more than the checks. A retried part rebuilds too, since the round
  // may have completed on its first attempt, which then stopped before rebuilding.
  if (roundCompleted || job.attemptsStarted > 1 || job.attemptsMade > 0) await deps.refreshSnapshot();
  deps.logger.debug({ jobId: job.id, pipelines: list.length, evaluations }, 'quick check part done');
  return { scheduledFor: job.data.scheduledFor, checked: list.length, parts: 0, evaluations };
}

async function checkin(job: JobOf<ChecksJobs, 'checkin'>, deps: CheckJobDeps): Promise<CheckinJobSummary> {
  const { config, logger, store } = deps;
  const definition = config.checkins.find((candidate) => candidate.id === job.data.checkinId);
  if (!definition) {
    throw new UnrecoverableError(`unknown check-in "${job.data.checkinId}" (known: ${config.checkins.map((c) => c.id).join(', ')})`);
  }
  const now = await pinnedNow(job, deps);
  const scheduledFor = job.data.scheduledFor || now.toISOString();
  const fromSchedule = Boolean(job.repeatJobKey);
  if (fromSchedule && isTooLate(new Date(scheduledFor), now)) {
    // Every worker was down for half a day: a card that late helps nobody (see MAX_LATENESS_MS).
    logger.warn({ checkinId: definition.id, scheduledFor }, 'check-in slot is too old to run; skipped');
    return { checkinRunId: null, overall: null, late: true, skipped: 'slot more than 12 h old' };
  }
  // README "Business calendar": a workdays check-in does not run on a closed day (a run by hand does).
  const closed = job.data.manual ? null : closedFor(definition, config, scheduledFor);
  if (closed) {
    logger.info({ checkinId: definition.id, scheduledFor, closed }, 'check-in not run: not a working day');
    return { checkinRunId: null, overall: null, late: job.data.late, skipped: `not a working day: ${closed}` };
  }
  // A slot runs once, whichever of its scheduled run and a late run gets there first. Manual runs
  // are extra: they do not stand in for a slot.
  if (!job.data.manual && !(await store.checkinSlots.claim(definition.id, scheduledFor, String(job.id)))) {
    logger.info({ checkinId: definition.id, scheduledFor, jobId: job.id }, 'check-in slot already ran; skipped');
    return { checkinRunId: null, overall: null, late: job.data.late, skipped: 'slot already ran' };
  }
  const late = job.data.late || (fromSchedule && now.getTime() - Date.parse(scheduledFor) > LATE_AFTER_MS);
  const list = pipelinesByIds(config, definition.pipelines, `check-in ${definition.id}`);
  const { results } = await checkAndStore(String(job.id), list, now, deps);
  const blockedByOf = await blockingRoots(deps, results);
  const run = buildCheckinRun(definition, scheduledFor, now, late, job.data.manual, results, job.data.requestedBy ?? null, blockedByOf);
  await store.checkinRuns.record(run);
  await deps.queues.alerts.add('checkin-report', { checkinRunId: run.id, checkinId: definition.id }, { jobId: jobIds.checkinReport(definition.id, scheduledFor) });
  await deps.refreshSnapshot();
  logger.info({ checkinId: definition.id, scheduledFor, overall: run.overall, late, manual: run.manual }, 'check-in ran');
  return { checkinRunId: run.id, overall: run.overall, late };
}

async function runPipeline(job: JobOf<ChecksJobs, 'run-pipeline'>, deps: CheckJobDeps): Promise<CheckResult> {
  const [pipeline] = pipelinesByIds(deps.config, [job.data.pipelineId], 'run-pipeline');
  // Pings that arrive from here on need a check of their own (see PingRepository.record).
  if (job.data.requestedBy === 'ping') await deps.store.pings.checkStarting(job.data.pipelineId, deps.now().toISOString());
  const now = await pinnedNow(job, deps);
  const { results } = await checkAndStore(String(job.id), [pipeline as PipelineDefinition], now, deps);
  await deps.refreshSnapshot();
  const result = results[0] as CheckResult;
  if (job.data.recoveryOf) await recoveryRecheckDone(deps, job.data.recoveryOf, pipeline as PipelineDefinition, result.status === 'OK');
  deps.logger.info({ pipelineId: result.pipelineId, status: result.status, requestedBy: job.data.requestedBy }, 'pipeline checked on request');
  return result;
}

/** Why the local day of a slot is closed for something with `days: workdays`, or null when it is open. */
export function closedFor(what: { days: ExpectedDays }, config: DatamonConfig, at: string | Date): string | null {
  if (what.days !== 'workdays') return null;
  const calendar = calendarOf(config);
  if (!calendar.restricts) return null;
  const verdict = calendar.day(localDate(new Date(at), config.monitoring.timezone));
  return verdict.working ? null : verdict.reason;
}

/** What blocks each failing result (README "Dependencies"), from these results and the latest of their upstreams. */
async function blockingRoots(deps: CheckJobDeps, results: readonly CheckResult[]): Promise<(pipelineId: string) => string | null> {
  const graph = graphOf(deps.config.pipelines);
  if (!graph.any) return () => null;
  const fresh = new Map(results.map((result) => [result.pipelineId, result.status]));
  const upstreams = [...new Set(results.flatMap((result) => ancestors(graph, result.pipelineId)))].filter((id) => !fresh.has(id));
  const stored = await deps.store.results.latestMany(upstreams);
  const statusOf = (id: string) => fresh.get(id) ?? stored[id]?.status ?? null;
  return (pipelineId) => {
    const status = fresh.get(pipelineId);
    return status === 'WARNING' || status === 'CRITICAL' ? blockingRoot(graph, pipelineId, statusOf) : null;
  };
}

/** A stored check-in run, its id deterministic from the check-in and slot. */
export function buildCheckinRun(
  definition: CheckinDefinition,
  scheduledFor: string,
  ranAt: Date,
  late: boolean,
  manual: boolean,
  results: readonly CheckResult[],
  requestedBy: string | null = null,
  blockedByOf: (pipelineId: string) => string | null = () => null,
): CheckinRun {
  return {
    id: checkinRunId(definition.id, scheduledFor),
    checkinId: definition.id,
    label: definition.label,
    scheduledFor,
    ranAt: ranAt.toISOString(),
    late,
    manual,
    requestedBy: manual ? requestedBy : null,
    overall: checkinStatus(results.map((result) => result.status)),
    results: results.map((result) => ({
      pipelineId: result.pipelineId,
      status: result.status,
      message: result.message,
      value: result.value,
      blockedBy: blockedByOf(result.pipelineId),
    })),
  };
}
