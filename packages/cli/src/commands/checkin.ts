import type { Command } from 'commander';
import { createCheckRunner } from '@datamon/checks';
import {
  type CheckinDefinition,
  type CheckinRun,
  type CheckResult,
  type DatamonConfig,
  formatLocalTime,
  type NotificationChannel,
  type PipelineDefinition,
} from '@datamon/core';
import { type Logger, redactUrl } from '@datamon/io';
import { closeNotifiers, createNotifiers, type Notifier, renderCheckinCard, renderCheckinEmail } from '@datamon/notifiers';
import { closeRedis, createRedisConnection, DatamonStore } from '@datamon/store';
import { buildCheckinRun, ChatPace, checkinNotificationId, createQueues, recordResults } from '@datamon/workers';
import type { Redis } from 'ioredis';
import { type CliContext, CommandError, CONFIG_OPTION, configPathOf, EXIT } from '../context.ts';
import { buildCheckReport, renderCheckTable } from './check.ts';
import { CHANNEL_LABEL, describeNotifyTest, type NotifyTestOutcome, sendOutcome } from './notify.ts';

/** How long `checkin run` waits for Redis before carrying on without it. */
const REDIS_CONNECT_TIMEOUT_MS = 2_000;

/** The check-in with this id; an unknown id ends the command with exit 3 and the known ids. */
export function findCheckin(config: Pick<DatamonConfig, 'checkins'>, id: string): CheckinDefinition {
  const checkin = config.checkins.find((candidate) => candidate.id === id);
  if (checkin) return checkin;
  const known = config.checkins.map((candidate) => candidate.id).join(', ') || 'none configured';
  throw new CommandError(`unknown check-in "${id}" (known: ${known})`, EXIT.failed);
}

/** Redis, if it answers within a couple of seconds; otherwise why not (the command carries on). */
async function connectRedis(url: string): Promise<{ redis: Redis; problem: null } | { redis: null; problem: string }> {
  const redis = createRedisConnection(url, {
    lazyConnect: true,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return { redis, problem: null };
  } catch (err) {
    redis.disconnect();
    return { redis: null, problem: err instanceof Error ? err.message : String(err) };
  }
}

/** What the Redis side of a run did, for the closing line. */
interface StoreReport {
  stored: boolean;
  evaluations: number;
  problem: string | null;
}

/**
 * Stores the results (once, under a job id of this run) and the check-in run, queues the alert
 * evaluations a status change calls for (the check worker's own `recordResults`), and refreshes
 * the dashboard's snapshot.
 */
async function storeRun(config: DatamonConfig, redis: Redis, store: DatamonStore, run: CheckinRun, results: readonly CheckResult[], now: Date): Promise<number> {
  const queues = createQueues(config, { connection: redis });
  try {
    const { evaluations } = await recordResults({ store, alerts: queues.alerts }, results, `checkin-cli:${run.id}`);
    await store.checkinRuns.record(run);
    await store.refreshSnapshot({ pipelines: config.pipelines, checkins: config.checkins }, now);
    return evaluations;
  } finally {
    await queues.close();
  }
}

/** Sends the card and the email side by side; a failure on one does not stop the other. */
async function send(
  run: CheckinRun,
  config: DatamonConfig,
  notifiers: Record<NotificationChannel, Notifier>,
  store: DatamonStore | null,
  pace: ChatPace | null,
  logger: Logger,
): Promise<NotifyTestOutcome[]> {
  const sendOne = async (channel: NotificationChannel): Promise<NotifyTestOutcome> => {
    const payload = channel === 'chat' ? renderCheckinCard(run, config) : renderCheckinEmail(run, config);
    // Take Chat's turn like the delivery worker does, so a card sent by hand never crowds a burst.
    if (channel === 'chat' && notifiers.chat.disabledReason === null) await pace?.turn().catch(() => undefined);
    const outcome = await sendOutcome(channel, () => notifiers[channel].send(payload));
    if (store) {
      await store.notifications
        .record({
          id: checkinNotificationId(run, channel),
          at: new Date().toISOString(),
          incidentId: null,
          pipelineId: null,
          channel,
          kind: 'checkin',
          outcome: outcome.outcome,
          error: outcome.outcome === 'sent' ? null : outcome.detail,
          attempts: 1,
        })
        .catch((err: unknown) => logger.warn({ err, channel }, 'could not record the notification'));
    }
    return outcome;
  };
  return Promise.all((['chat', 'email'] as const).map(sendOne));
}

/**
 * Runs a check-in now, by hand: its checks straight against their sources, then its card and
 * email straight through the notifiers (no running workers needed). With Redis reachable the
 * results, the run and the notification record are stored and the alert worker is handed any
 * status change, as a scheduled check-in would; without it the checks still run and the
 * messages still go, and the output says nothing was stored.
 *
 * @returns the lines for people and whether a message failed
 */
export async function runCheckinNow(
  config: DatamonConfig,
  checkin: CheckinDefinition,
  deps: { logger: Logger; notifiers?: Record<NotificationChannel, Notifier>; now?: Date },
): Promise<{ text: string; failed: NotificationChannel[] }> {
  const now = deps.now ?? new Date();
  const byId = new Map(config.pipelines.map((pipeline) => [pipeline.id, pipeline]));
  const pipelines = checkin.pipelines.map((id) => byId.get(id)).filter((pipeline): pipeline is PipelineDefinition => pipeline !== undefined);

  const runner = createCheckRunner(config, { logger: deps.logger });
  const connecting = connectRedis(config.redis.url);
  let results: CheckResult[];
  try {
    results = await runner.runMany(pipelines, now);
  } finally {
    await runner.close();
  }
  const run = buildCheckinRun(checkin, now.toISOString(), now, false, true, results);

  const connection = await connecting;
  const redis = connection.redis;
  const store = redis ? new DatamonStore(redis, { prefix: config.redis.prefix, historyDays: config.monitoring.history_days }) : null;
  const report: StoreReport = { stored: false, evaluations: 0, problem: connection.problem };
  const notifiers = deps.notifiers ?? createNotifiers(config, { logger: deps.logger });
  let outcomes: NotifyTestOutcome[];
  try {
    if (redis && store) {
      try {
        report.evaluations = await storeRun(config, redis, store, run, results, now);
        report.stored = true;
      } catch (err) {
        report.problem = err instanceof Error ? err.message : String(err);
      }
    }
    outcomes = await send(run, config, notifiers, report.stored ? store : null, redis && report.stored ? new ChatPace(redis, `${config.redis.prefix}:chat-pace`) : null, deps.logger);
  } finally {
    if (!deps.notifiers) await closeNotifiers(notifiers);
    if (redis) await closeRedis(redis);
  }

  const zone = config.monitoring.timezone;
  const lines = [
    `${run.label} (${checkin.id}), run by hand at ${formatLocalTime(run.ranAt, zone)} (${zone}): ${run.overall}`,
    '',
    renderCheckTable(buildCheckReport(pipelines, results), { colour: false }).trimEnd(),
    '',
    describeNotifyTest(outcomes).trimEnd(),
    report.stored
      ? `Stored in Redis (${redactUrl(config.redis.url)}, prefix ${config.redis.prefix}): ${results.length} results, the check-in run and the notification record; ${plural(report.evaluations, 'status change')} queued for the alert worker.`
      : `Not stored: Redis at ${redactUrl(config.redis.url)} is not reachable (${report.problem ?? 'unknown reason'}); the results, the check-in run and the notification record were not saved, and no incident was updated.`,
  ];
  return { text: `${lines.join('\n')}\n`, failed: outcomes.filter((o) => o.outcome === 'failed').map((o) => o.channel) };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `datamon checkin run ID [--config PATH]` (SPEC 7). */
export function register(program: Command, ctx: CliContext): void {
  const checkin = program.command('checkin').description('work with check-ins');
  checkin
    .command('run')
    .description('run a check-in now and send its card and email; say what was sent, skipped or failed (exit 3 on a failure)')
    .argument('<id>', 'check-in id (e.g. morning, first_shift, second_shift)')
    .option(...CONFIG_OPTION)
    .action(async (id: string, options: { config?: string }, command: Command) => {
      const config = ctx.loadConfig(configPathOf(command));
      const definition = findCheckin(config, id);
      const { text, failed } = await runCheckinNow(config, definition, { logger: ctx.logger('cli', config) });
      ctx.out.write(text);
      if (failed.length > 0) {
        throw new CommandError(`the ${definition.label} check-in ran, but its message failed on ${failed.map((channel) => CHANNEL_LABEL[channel]).join(' and ')} (see above)`, EXIT.failed);
      }
    });
}
