import {
  type AlertJobs,
  type ChatPayload,
  type DatamonConfig,
  type EmailPayload,
  type IncidentEvent,
  type NotificationChannel,
  type NotificationJobs,
  type NotificationKind,
  QUEUE_NAMES,
  dailyUptime,
  evaluateIncident,
  incidentSettings,
  localDate,
  localDay,
} from '@datamon/core';
import {
  type Notifier,
  closeNotifiers,
  createNotifiers,
  renderCheckinCard,
  renderCheckinEmail,
  renderDailySummaryCard,
  renderDailySummaryEmail,
  renderIncidentNotification,
} from '@datamon/notifiers';
import { pipelineLock } from '@datamon/store';
import { UnrecoverableError, type Worker } from 'bullmq';
import { compactInstant } from './job-ids.ts';
import { type AnyJobOf, type BulkEntry, createRoleWorker, type DatamonQueues } from './queues.ts';
import { type RoleDeps, type RoleHandle, RoleRuntime, type RoleStarter } from './role.ts';
import { type RuntimeSettings, runtimeSettings } from './settings.ts';
import { ChatPace } from './chat-pace.ts';
import { deliveryBackoff, deliveryJobOptions, type DeliveryOutcome, processDelivery } from './notification-delivery.ts';

/**
 * The alert role: turns status changes into incidents and notifications (the `alerts` queue) and
 * delivers them (the `notifications` queue). The decisions are core's pure `evaluateIncident`;
 * this file only loads state, applies the decision and enqueues each message once, with the
 * decision's deterministic id as the delivery job id, so a replayed evaluation or a second alert
 * worker never sends anything twice.
 */

export interface AlertWorkerDeps extends RoleDeps {
  /** Delivery channels (by default from the config); closed with the role. */
  notifiers?: Record<NotificationChannel, Notifier>;
  settings?: RuntimeSettings;
  workerName?: string;
}

export interface AlertWorkerHandle extends RoleHandle {
  readonly ready: Promise<void>;
  readonly alertsWorker: Worker<unknown, unknown, string>;
  readonly deliveryWorker: Worker<unknown, unknown, string>;
}

export interface AlertJobResults {
  evaluate: { notifications: number };
  tick: { pipelines: number; notifications: number };
  'checkin-report': { notifications: number };
  'daily-summary': { notifications: number };
}

type AlertJob = AnyJobOf<AlertJobs, AlertJobResults>;
type Delivery = NotificationJobs['deliver'];

/** BullMQ job ids may not hold `:` (beyond its own three-part form): notification ids map to one. */
export function deliveryJobId(notificationId: string): string {
  return `deliver|${notificationId.replaceAll(':', '|')}`;
}

/** The notification id of a check-in run's card or email: one per run and channel. */
export function checkinNotificationId(run: { checkinId: string; scheduledFor: string }, channel: NotificationChannel): string {
  return `checkin|${run.checkinId}|${compactInstant(run.scheduledFor)}|${channel}`;
}

export const startAlertWorker: RoleStarter<AlertWorkerHandle, AlertWorkerDeps> = async (deps) => {
  const { config, logger } = deps;
  const clock = deps.now ?? (() => new Date());
  const settings = deps.settings ?? runtimeSettings();
  const runtime = new RoleRuntime(config, logger);
  const { store, queues } = runtime;
  const notifiers = deps.notifiers ?? createNotifiers(config, { logger });
  runtime.onClose('notifiers', () => closeNotifiers(notifiers));
  const rule = incidentSettings(config);
  const pipelines = new Map(config.pipelines.map((pipeline) => [pipeline.id, pipeline]));
  const definitions = { pipelines: config.pipelines, checkins: config.checkins };

  async function enqueue(deliveries: Delivery[]): Promise<number> {
    const entries: BulkEntry<NotificationJobs>[] = deliveries.map((data) => ({
      name: 'deliver',
      data,
      opts: { jobId: deliveryJobId(data.notificationId), ...deliveryJobOptions },
    }));
    await queues.notifications.addBulk(entries);
    return entries.length;
  }

  /** Applies one event to one pipeline's incident, under the lock the API also takes. */
  async function apply(pipelineId: string, event: IncidentEvent, now: Date): Promise<number> {
    const pipeline = pipelines.get(pipelineId);
    if (!pipeline) throw new UnrecoverableError(`unknown pipeline "${pipelineId}"`);
    return store.withLock(pipelineLock(pipelineId), async () => {
      const [latest, silencedUntil] = await Promise.all([store.incidents.latest(pipelineId), store.silences.until(pipelineId, now)]);
      const decision = evaluateIncident(
        latest,
        { pipeline: { id: pipeline.id, name: pipeline.name }, silencedUntil: silencedUntil?.toISOString() ?? null, event },
        now,
        rule,
      );
      // Enqueue before persisting: a crash in between replays the same decision with the same ids.
      const sent = await enqueue(
        decision.notifications.map((notification) => ({
          notificationId: notification.id,
          channel: notification.channel,
          kind: notification.kind,
          incidentId: notification.incidentId,
          pipelineId: notification.pipelineId,
          payload: renderIncidentNotification(notification, config),
        })),
      );
      if (decision.changed && decision.next) await store.incidents.save(decision.next);
      return decision.changed ? sent + 1 : sent;
    });
  }

  function bothChannels(
    idOf: (channel: NotificationChannel) => string,
    kind: NotificationKind,
    render: { chat: () => ChatPayload; email: () => EmailPayload },
  ): Delivery[] {
    return (['chat', 'email'] as const).map((channel) => ({
      notificationId: idOf(channel),
      channel,
      kind,
      incidentId: null,
      pipelineId: null,
      payload: render[channel](),
    }));
  }

  async function processJob(job: AlertJob): Promise<AlertJobResults[keyof AlertJobResults]> {
    const now = clock();
    switch (job.name) {
      case 'evaluate': {
        const changes = await apply(job.data.pipelineId, { type: 'result', result: job.data.result }, now);
        if (changes > 0) await store.refreshSnapshot(definitions, now);
        return { notifications: changes };
      }
      case 'tick': {
        let notifications = 0;
        for (const pipelineId of pipelines.keys()) notifications += await apply(pipelineId, { type: 'tick' }, now);
        if (notifications > 0) await store.refreshSnapshot(definitions, now);
        return { pipelines: pipelines.size, notifications };
      }
      case 'checkin-report': {
        const run = await store.checkinRuns.get(job.data.checkinRunId);
        if (!run) throw new UnrecoverableError(`check-in run "${job.data.checkinRunId}" is not stored`);
        const count = await enqueue(
          bothChannels((channel) => checkinNotificationId(run, channel), 'checkin', { chat: () => renderCheckinCard(run, config), email: () => renderCheckinEmail(run, config) }),
        );
        return { notifications: count };
      }
      case 'daily-summary': {
        const at = new Date(job.data.scheduledFor || now.toISOString());
        const date = localDate(at, config.monitoring.timezone);
        const day = localDay(date, config.monitoring.timezone);
        const ids = config.pipelines.map((pipeline) => pipeline.id);
        const histories = await Promise.all(ids.map((id) => store.results.history(id, day.start, new Date(day.end.getTime() - 1))));
        const incidents = await store.incidents.list({ state: 'all', limit: 1000 });
        const figures = dailyUptime({
          date,
          zone: config.monitoring.timezone,
          pipelineIds: ids,
          results: histories.flatMap((history, index) => history.map((entry) => ({ pipelineId: ids[index] as string, status: entry.status, checkedAt: entry.checkedAt }))),
          incidents,
        });
        const count = await enqueue(
          bothChannels((channel) => `daily-summary|${date}|${channel}`, 'daily_summary', {
            chat: () => renderDailySummaryCard(figures, config),
            email: () => renderDailySummaryEmail(figures, config),
          }),
        );
        return { notifications: count };
      }
      default:
        throw new UnrecoverableError(`unknown alerts job "${(job as { name: string }).name}"`);
    }
  }

  const alertsWorker = createRoleWorker<AlertJobs, AlertJobResults>(QUEUE_NAMES.alerts, processJob, {
    connection: runtime.redis,
    config,
    // Evaluations of one pipeline are serialised by its lock; different pipelines run side by side.
    concurrency: 4,
    settings,
    report: runtime.report,
    workerName: deps.workerName,
  });
  alertsWorker.on('failed', (job, err) => logger.warn({ err, jobId: job?.id, job: job?.name }, 'alert job failed'));

  const deliveryWorker = createDeliveryWorker(config, runtime, queues, notifiers, settings, clock, deps.workerName);

  // Closed last-registered-first: the alert worker stops enqueueing before deliveries stop.
  runtime.onCloseWorker('delivery worker', deliveryWorker, settings.shutdownGraceMs);
  runtime.onCloseWorker('alert worker', alertsWorker, settings.shutdownGraceMs);

  const ready = Promise.all([alertsWorker.waitUntilReady(), deliveryWorker.waitUntilReady()]).then(
    () => undefined,
    () => undefined,
  );
  logger.info({ chat: notifiers.chat.disabledReason ?? notifiers.chat.target, email: notifiers.email.disabledReason ?? notifiers.email.target }, 'alert worker started');
  return {
    name: 'alerts',
    ready,
    alertsWorker,
    deliveryWorker,
    async close() {
      await runtime.close();
      logger.info('alert worker stopped');
    },
  };
};

/**
 * The delivery worker: one message to one channel per job, its outcome recorded every time
 * (SPEC 5). Chat messages take turns, about one a second per space across every delivery worker,
 * and a burst of incident cards waiting for their turn goes as one merged card (chat-burst.ts).
 * Emails are neither paced nor merged: one per incident, each with its own subject, sent one at a
 * time (concurrency 1), so a Chat turn never holds an email back nor the reverse.
 */
function createDeliveryWorker(
  config: DatamonConfig,
  runtime: RoleRuntime,
  queues: DatamonQueues,
  notifiers: Record<NotificationChannel, Notifier>,
  settings: RuntimeSettings,
  clock: () => Date,
  workerName: string | undefined,
): Worker<unknown, unknown, string> {
  const prefix = config.redis.prefix;
  const burst = {
    queue: queues.notifications.queue,
    redis: runtime.redis,
    store: runtime.store,
    claimKey: (notificationId: string) => `${prefix}:delivery-claim:${notificationId}`,
  };
  const chatPace = new ChatPace(runtime.redis, `${prefix}:chat-pace`);
  const worker = createRoleWorker<NotificationJobs, { deliver: DeliveryOutcome }>(
    QUEUE_NAMES.notifications,
    (job) => processDelivery(job, { notifiers, store: runtime.store, now: clock, logger: runtime.logger, burst, chatPace }),
    {
      connection: runtime.redis,
      config,
      concurrency: 1,
      settings,
      report: runtime.report,
      workerName,
      backoffStrategy: (attemptsMade, _type, err) => deliveryBackoff(attemptsMade, err),
    },
  );
  worker.on('failed', (job, err) => runtime.logger.warn({ err, jobId: job?.id, attempt: job?.attemptsMade }, 'delivery failed'));
  return worker;
}
