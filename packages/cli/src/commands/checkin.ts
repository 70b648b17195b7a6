import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import {
  type CheckinDefinition,
  type CheckinRun,
  type DatamonConfig,
  formatLocal,
  formatLocalTime,
  type NotificationChannel,
  type NotificationRecord,
  type PipelineDefinition,
  STATUS_ICON,
} from '@datamon/core';
import type { Logger } from '@datamon/io';
import {
  type CheckinJobSummary,
  createQueueEvents,
  createQueues,
  DELIVERY_ATTEMPTS,
  type DatamonQueues,
  enqueueManualCheckin,
  notificationIds,
  QUEUE_NAMES,
  type QueueKey,
  sleep,
} from '@datamon/jobs';
import { notifierRegistry } from '@datamon/notifiers';
import { checkinWord } from '@datamon/notifiers/render';
import { closeRedis, DatamonStore, describeRedis, ensureStateVersion, type RedisClient, StateVersionError } from '@datamon/store';
import type { RoleHandle } from '@datamon/workers';
import { type CliContext, CommandError, CONFIG_OPTION, configPathOf, EXIT } from '../context.ts';
import { buildCheckReport, renderCheckTable } from './check.ts';
import { CHANNEL_LABEL } from './notify.ts';
import { connectRedisQuickly } from '../redis.ts';
import { stateRefusal } from '../state-guard.ts';

/** How long it waits for the check-in to run and its messages to be delivered (or fail for good). */
export const CHECKIN_WAIT_MS = 60_000;

/** The check-in with this id; an unknown id ends the command with exit 3 and the known ids. */
export function findCheckin(config: Pick<DatamonConfig, 'checkins'>, id: string): CheckinDefinition {
  const checkin = config.checkins.find((candidate) => candidate.id === id);
  if (checkin) return checkin;
  const known = config.checkins.map((candidate) => candidate.id).join(', ') || 'none configured';
  throw new CommandError(`unknown check-in "${id}" (known: ${known})`, EXIT.failed);
}

/** Redis, if it answers within a couple of seconds; otherwise the command cannot run. */
async function connectRedis(config: DatamonConfig): Promise<RedisClient> {
  try {
    return await connectRedisQuickly(config);
  } catch (err) {
    throw new CommandError(
      `Redis at ${describeRedis(config.redis)} is not reachable (${err instanceof Error ? err.message : String(err)}): a check-in runs through the queues like a scheduled one, ` +
        'so it needs Redis; `datamon check` runs the checks without it',
      EXIT.failed,
    );
  }
}

/** The roles whose queues have no worker right now: this process stands in for them. */
async function missingRoles(queues: DatamonQueues): Promise<('checks' | 'alerts')[]> {
  const hasWorker = async (key: QueueKey) => ((await queues.all.get(QUEUE_NAMES[key])?.getWorkersCount()) ?? 0) > 0;
  const [checks, alerts, chat, email] = await Promise.all((['checks', 'alerts', 'chat', 'email'] as const).map(hasWorker));
  const missing: ('checks' | 'alerts')[] = [];
  if (!checks) missing.push('checks');
  if (!alerts || !chat || !email) missing.push('alerts');
  return missing;
}

/** One channel's message, as far as the notification record knows. */
interface ChannelOutcome {
  channel: NotificationChannel;
  record: NotificationRecord | null;
}

const FINAL: ReadonlySet<NotificationRecord['outcome']> = new Set(['sent', 'skipped', 'failed']);

function describeOutcome({ channel, record }: ChannelOutcome): string {
  const label = CHANNEL_LABEL[channel];
  if (!record) return `${label}: not delivered yet (queued; an alert worker sends it)`;
  const attempts = `${record.attempts} attempt${record.attempts === 1 ? '' : 's'}`;
  switch (record.outcome) {
    case 'sent':
      return `${label}: sent (${attempts})`;
    case 'skipped':
      return `${label}: skipped: ${record.error ?? 'channel not configured'}`;
    case 'failed':
      return record.attempts < DELIVERY_ATTEMPTS
        ? `${label}: FAILED (permanent, retrying will not help): ${record.error ?? ''}`
        : `${label}: FAILED after ${attempts}: ${record.error ?? ''}`;
    case 'retrying':
      return `${label}: still retrying after ${attempts} (${record.error ?? 'transient error'}); the alert worker keeps trying`;
  }
}

/**
 * Runs a check-in now, by hand, exactly as a scheduled one runs: a `checkin` job on the checks
 * queue (the same producer the API uses), whose processor checks, stores the run and hands the
 * card and email to the delivery queues with their retries and records. When no worker is
 * running for a queue, this process runs the role itself until the run's messages are delivered
 * or have failed for good.
 *
 * @returns the lines for people and whether a message failed (or was not delivered in time)
 */
export async function runCheckinNow(
  config: DatamonConfig,
  checkin: CheckinDefinition,
  deps: { logger: Logger; waitMs?: number; now?: () => Date; requestedBy?: string },
): Promise<{ text: string; failed: NotificationChannel[] }> {
  const now = deps.now ?? (() => new Date());
  const waitMs = deps.waitMs ?? CHECKIN_WAIT_MS;
  const redis = await connectRedis(config);
  const store = new DatamonStore(redis, { prefix: config.redis.prefix, historyDays: config.monitoring.history_days });
  try {
    // It writes results, a run and messages there, as a role does: only on a layout it knows.
    await ensureStateVersion(store);
  } catch (err) {
    await closeRedis(redis);
    throw err instanceof StateVersionError ? new CommandError(stateRefusal(err), EXIT.failed) : err;
  }
  const queues = createQueues(config, { connection: redis });
  const events = createQueueEvents(config, 'checks');
  const roles: RoleHandle[] = [];
  try {
    const missing = await missingRoles(queues);
    if (missing.length > 0) {
      const workers = await import('@datamon/workers');
      for (const role of missing) {
        const start = role === 'checks' ? workers.startCheckWorker : workers.startAlertWorker;
        roles.push(await start({ config, logger: deps.logger, now }));
      }
    }
    await events.waitUntilReady();
    const by = deps.requestedBy ?? `cli ${userInfo().username}@${hostname()}`;
    // A run of this check-in already queued, or run this minute, answers for this one too.
    const { job } = await enqueueManualCheckin(queues, checkin.id, by, now());
    const summary = (await job.waitUntilFinished(events, waitMs)) as CheckinJobSummary;
    const run = summary.checkinRunId ? await store.checkinRuns.get(summary.checkinRunId) : null;
    if (!run) throw new CommandError(`the ${checkin.label} check-in did not run: ${summary.skipped ?? 'its run was not stored'}`, EXIT.failed);

    const outcomes = await waitForMessages(store, run, Date.now() + waitMs);
    return { text: report(config, checkin, run, outcomes, missing), failed: outcomes.filter((o) => o.record?.outcome !== 'sent' && o.record?.outcome !== 'skipped').map((o) => o.channel) };
  } finally {
    for (const role of roles.reverse()) await role.close();
    await events.close().catch(() => undefined);
    await queues.close();
    await closeRedis(redis);
  }
}

/** Polls the notification record until each channel's message is sent, skipped or failed, or time is up. */
async function waitForMessages(store: DatamonStore, run: CheckinRun, deadline: number): Promise<ChannelOutcome[]> {
  const channels = notifierRegistry.channels();
  for (;;) {
    const outcomes = await Promise.all(channels.map(async (channel) => ({ channel, record: await store.notifications.get(notificationIds.checkin(run, channel)) })));
    if (outcomes.every((o) => o.record && FINAL.has(o.record.outcome)) || Date.now() >= deadline) return outcomes;
    await sleep(100);
  }
}

function report(config: DatamonConfig, checkin: CheckinDefinition, run: CheckinRun, outcomes: ChannelOutcome[], standIns: readonly string[]): string {
  const zone = config.monitoring.timezone;
  const byId = new Map(config.pipelines.map((pipeline) => [pipeline.id, pipeline]));
  const pipelines = run.results.map((result) => byId.get(result.pipelineId)).filter((pipeline): pipeline is PipelineDefinition => pipeline !== undefined);
  const results = run.results.filter((result) => byId.has(result.pipelineId)).map((result) => ({ ...result, checkedAt: run.ranAt }));
  const count = (outcome: NotificationRecord['outcome']) => outcomes.filter((o) => o.record?.outcome === outcome).length;
  const failed = outcomes.length - count('sent') - count('skipped') - count('retrying');
  const where = `Redis (${describeRedis(config.redis)}, prefix ${config.redis.prefix})`;
  const ranBy =
    standIns.length === 0
      ? 'by the running workers'
      : `by this process, standing in for the ${standIns.map((role) => (role === 'checks' ? 'check worker' : 'alert worker')).join(' and ')} (none was running)`;
  const lines = [
    `${run.label} (${checkin.id}), run by hand at ${formatLocalTime(run.ranAt, zone)} (${zone}): ${checkinWord(run.overall)}`,
    '',
    // The check-in's own status is in the first line (WAITING while a pipeline is pending).
    renderCheckTable(buildCheckReport(pipelines, results), { colour: false, overall: false }).trimEnd(),
    '',
    ...outcomes.map(describeOutcome),
    `${count('sent')} sent, ${count('skipped')} skipped, ${failed} failed${count('retrying') > 0 ? `, ${count('retrying')} still retrying` : ''}.`,
    `Ran through the queues on ${where} ${ranBy}: the results, the check-in run and the notification record are stored, and status changes go to the alert worker.`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Each check-in's latest run, or why they are not known (Redis not answering). */
export type LastRuns = { runs: Readonly<Record<string, CheckinRun>> } | { unknown: string };

/** The latest runs from Redis, if it answers within a couple of seconds. */
export async function readLastRuns(config: DatamonConfig): Promise<LastRuns> {
  let redis: RedisClient;
  try {
    redis = await connectRedisQuickly(config);
  } catch (err) {
    return { unknown: `Redis at ${describeRedis(config.redis)} is not reachable (${err instanceof Error ? err.message : String(err)})` };
  }
  try {
    const store = new DatamonStore(redis, { prefix: config.redis.prefix, historyDays: config.monitoring.history_days });
    return { runs: await store.checkinRuns.allLatest() };
  } catch (err) {
    return { unknown: `Redis at ${describeRedis(config.redis)} did not answer (${err instanceof Error ? err.message : String(err)})` };
  } finally {
    await closeRedis(redis);
  }
}

function describeLastRun(run: CheckinRun | undefined, zone: string): string {
  if (!run) return 'never run';
  const how = [run.late ? 'late' : '', run.manual ? `by hand${run.requestedBy ? `, ${run.requestedBy}` : ''}` : ''].filter(Boolean).join(', ');
  return `${STATUS_ICON[run.overall]} ${checkinWord(run.overall)} at ${formatLocal(run.ranAt, zone)}${how ? ` (${how})` : ''}`;
}

/**
 * `datamon checkin list`: one line per configured check-in (id, when, days, label, pipelines)
 * and its latest run, or a line saying the latest runs are unknown.
 */
export function renderCheckinList(config: Pick<DatamonConfig, 'checkins' | 'monitoring'>, lastRuns: LastRuns): string {
  const zone = config.monitoring.timezone;
  if (config.checkins.length === 0) return 'No check-ins are configured (schedule.checkins).\n';
  const rows = config.checkins.map((checkin) => [
    checkin.id,
    checkin.time ?? `cron ${checkin.cron}`,
    checkin.days === 'workdays' ? 'workdays' : 'every day',
    checkin.label,
    checkin.pipelines.join(', '),
    'runs' in lastRuns ? describeLastRun(lastRuns.runs[checkin.id], zone) : 'unknown',
  ]);
  const header = ['ID', 'WHEN', 'DAYS', 'LABEL', 'PIPELINES', 'LAST RUN'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] as number))).join('  ');
  const lines = [line(header), ...rows.map(line), '', `Times are local to ${zone}.`];
  if ('unknown' in lastRuns) lines.push(`Last runs unknown: ${lastRuns.unknown}`);
  return `${lines.join('\n')}\n`;
}

/** `datamon checkin run ID` and `datamon checkin list [--config PATH]` (README "Command line"). */
export function register(program: Command, ctx: CliContext): void {
  const checkin = program.command('checkin').description('work with check-ins');
  checkin
    .command('list')
    .description('list the check-ins: when they run, on which days, what they report, and how each last run went (from Redis, when it answers)')
    .option(...CONFIG_OPTION)
    .action(async (_options: { config?: string }, command: Command) => {
      const config = ctx.loadConfig(configPathOf(command));
      ctx.out.write(renderCheckinList(config, await readLastRuns(config)));
    });
  checkin
    .command('run')
    .description('run a check-in now, through the queues like a scheduled one, and send its card and email; say what was sent, skipped or failed (exit 3 on a failure)')
    .argument('<id>', 'check-in id (e.g. morning, first_shift, second_shift)')
    .option(...CONFIG_OPTION)
    .action(async (id: string, _options: { config?: string }, command: Command) => {
      const config = ctx.loadConfig(configPathOf(command));
      const definition = findCheckin(config, id);
      const { text, failed } = await runCheckinNow(config, definition, { logger: ctx.logger('cli', config) });
      ctx.out.write(text);
      if (failed.length > 0) {
        throw new CommandError(`the ${definition.label} check-in ran, but its message failed on ${failed.map((channel) => CHANNEL_LABEL[channel]).join(' and ')} (see above)`, EXIT.failed);
      }
    });
}
