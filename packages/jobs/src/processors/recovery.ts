import { secretValues } from '@datamon/config';
import { type DatamonConfig, type IncidentRecord, type PipelineDefinition, type RecoverySettings, recoveryDue, type TimelineEntry } from '@datamon/core';
import { describeAction, describeActionOutcome, type Logger, type RecoveryAction, runRecoveryAction, KILL_GRACE_MS } from '@datamon/io';
import { renderRecoveryCard } from '@datamon/notifiers/render';
import type { DatamonStore } from '@datamon/store';
import type { JobOf, RecoveryJobs, RecoveryJobSummary } from '../contracts.ts';
import { type DatamonQueues, enqueueDeliveries, enqueueRecovery, enqueueRecoveryRecheck } from '../producers.ts';

/** What a recovery job needs; the check role wires it, tests pass their own. */
export interface RecoveryJobDeps {
  config: DatamonConfig;
  store: DatamonStore;
  queues: Pick<DatamonQueues, 'chat' | 'email' | 'checks'>;
  now: () => Date;
  logger: Logger;
  /** Aborted when the process shuts down: a running action is stopped and its job put back. */
  signal?: AbortSignal;
}

/** The run lock outlives the action's timeout by this much (the kill's grace, the bookkeeping). */
const LOCK_MARGIN_MS = KILL_GRACE_MS + 30_000;

/** A run stopped by this process's shutdown: the job goes back to the queue and runs again elsewhere. */
export class RecoveryInterruptedError extends Error {
  override readonly name = 'RecoveryInterruptedError';
}

/**
 * Runs a pipeline's recovery action for one incident (README "Tickets and recovery"). The action
 * comes from the config only: a job names the incident, never what to run. One run at a time per
 * pipeline across every worker process (a Redis lock held for the action's timeout); an automatic
 * run counts toward `max_attempts` before it starts, so no crash or second worker can run it past
 * the limit; a manual run (the API) does not count. The outcome (exit code or HTTP status,
 * duration, the last 10,000 bytes of output with secrets masked) goes into the timeline and, as a
 * card, into the incident's Chat thread; the pipeline is then checked again after
 * `recheck_after_minutes` (`run-pipeline` with `recoveryOf`; see {@link recoveryRecheckDone}).
 */
export async function processRecoveryJob(job: JobOf<RecoveryJobs, 'recover'>, deps: RecoveryJobDeps): Promise<RecoveryJobSummary> {
  const { incidentId, pipelineId, manual, requestedBy } = job.data;
  const { store } = deps;
  const pipeline = deps.config.pipelines.find((candidate) => candidate.id === pipelineId);
  const settings = pipeline?.recovery ?? null;
  if (!pipeline || !settings) return skipped(`${pipelineId} has no recovery action in the config`);
  const incident = await store.incidents.get(incidentId);
  if (!incident || incident.closedAt !== null) return skipped('the incident is closed');
  if (!manual && !recoveryDue(incident)) return skipped('the incident is no longer CRITICAL on its own (blocked, in maintenance or better)');

  const note = (detail: string, by: string | null = null) =>
    store.incidents.addTimeline(incidentId, [{ at: deps.now().toISOString(), event: 'recovery', detail, by } satisfies TimelineEntry]);
  const token = await store.recovery.tryStart(pipelineId, { incidentId, startedAt: deps.now().toISOString(), manual }, settings.timeout_seconds * 1000 + LOCK_MARGIN_MS);
  if (!token) {
    await note('not run: a recovery run of this pipeline is in progress');
    return skipped('a recovery run of this pipeline is in progress');
  }
  let ran: { runNumber: number; recheckAt: Date; ok: boolean; words: string };
  try {
    const state = await store.recovery.get(incidentId);
    if (!manual && state.attempts >= settings.max_attempts) return skipped(`all ${settings.max_attempts} automatic attempts are used`);
    const attempts = manual ? state.attempts : state.attempts + 1;
    // Counted before it runs: a crash mid-run never leads to a run past max_attempts.
    await store.recovery.set(incidentId, { ...state, attempts });
    const action = actionOf(settings);
    const secrets = secretValues(deps.config);
    const described = describeAction(action, secrets);
    const run = manual ? `run by hand by ${requestedBy}` : `attempt ${attempts} of ${settings.max_attempts}`;
    await note(`started (${run}): ${described}`, manual ? requestedBy : null);
    const startedAt = deps.now();
    const outcome = await runRecoveryAction(action, { timeoutMs: settings.timeout_seconds * 1000, secrets, ...(deps.signal ? { signal: deps.signal } : {}) });
    if (deps.signal?.aborted) {
      // Not this action's fault: give the attempt back and let another worker run it.
      await store.recovery.set(incidentId, state);
      await note('interrupted by a shutdown of its worker; it runs again');
      throw new RecoveryInterruptedError(`recovery of ${incidentId} interrupted by a shutdown`);
    }
    const words = describeActionOutcome(outcome);
    await store.recovery.set(incidentId, {
      attempts,
      succeeded: state.succeeded || outcome.ok,
      runs: [...state.runs, { at: startedAt.toISOString(), manual, ok: outcome.ok, outcome: words, durationMs: outcome.durationMs }],
    });
    ran = { runNumber: state.runs.length + 1, recheckAt: new Date(deps.now().getTime() + settings.recheck_after_minutes * 60_000), ok: outcome.ok, words };
    await note(`${outcome.ok ? 'succeeded' : 'failed'}: ${words}${outcome.output ? `\n${outcome.output}` : ''}`);
    await postResult(deps, incident, { ok: outcome.ok, action: described, outcome: words, output: outcome.output, at: startedAt.toISOString(), run, recheckAt: ran.recheckAt.toISOString() }, ran.runNumber);
  } finally {
    await store.recovery.finish(pipelineId, token);
  }
  // Only once the run lock is released: a re-check due at once must find the pipeline free to run again.
  await enqueueRecoveryRecheck(deps.queues, incident, ran.runNumber, ran.recheckAt.getTime() - deps.now().getTime(), deps.now());
  deps.logger.info({ incidentId, pipelineId, ok: ran.ok, outcome: ran.words, manual }, 'recovery action ran');
  return { outcome: 'ran', ok: ran.ok, detail: ran.words };
}

/**
 * After the re-check that follows a recovery run: if the pipeline is still not OK and its
 * incident is the same and open, the action runs again (the recover job checks what attempts remain).
 */
export async function recoveryRecheckDone(
  deps: { store: DatamonStore; queues: Pick<DatamonQueues, 'recovery'>; logger: Logger },
  incidentId: string,
  pipeline: PipelineDefinition,
  ok: boolean,
): Promise<void> {
  if (ok || !pipeline.recovery) return;
  const incident = await deps.store.incidents.get(incidentId);
  if (!incident || incident.closedAt !== null) return;
  const { runs } = await deps.store.recovery.get(incidentId);
  await enqueueRecovery(deps.queues, { incidentId, pipelineId: pipeline.id, manual: false, requestedBy: 'datamon' }, `recheck-${runs.length}`);
}

function actionOf(settings: RecoverySettings): RecoveryAction {
  if ('command' in settings) return { command: settings.command };
  const { url, method, headers, body } = settings.http;
  return { http: { url, method, headers, ...(body === null ? {} : { body }) } };
}

async function postResult(deps: RecoveryJobDeps, incident: IncidentRecord, report: Parameters<typeof renderRecoveryCard>[1], runNumber: number): Promise<void> {
  await enqueueDeliveries(deps.queues, [
    {
      notificationId: `${incident.id}:recovery:${runNumber}:chat`,
      channel: 'chat',
      kind: 'recovery',
      incidentId: incident.id,
      pipelineId: incident.pipelineId,
      payload: renderRecoveryCard(incident, report, deps.config),
    },
  ]);
}

function skipped(detail: string): RecoveryJobSummary {
  return { outcome: 'skipped', ok: null, detail };
}

