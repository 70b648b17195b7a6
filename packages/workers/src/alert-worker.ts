import { coalesce, type NotificationChannel } from '@datamon/core';
import { CHAT_LIMITER, createWorker, deliveryBackoff, type RuntimeSettings, runtimeSettings } from '@datamon/jobs';
import { type AlertJobDeps, type DeliveryDeps, processAlertJob, processDelivery } from '@datamon/jobs/processors';
import { closeNotifiers, createNotifiers, type Notifier, notifierRegistry } from '@datamon/notifiers';
import type { Worker } from 'bullmq';
import { type RoleDeps, type RoleHandle, RoleRuntime, type RoleStarter } from './role.ts';

/**
 * The alert role: wiring only. A worker on the `alerts` queue runs `processAlertJob` (incidents
 * through the incident rule, check-in and summary messages), and one worker per channel runs
 * `processDelivery`: Chat at about one message a second across every worker (BullMQ's limiter),
 * with bursts merged; email one at a time.
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
  readonly deliveryWorkers: Readonly<Record<NotificationChannel, Worker<unknown, unknown, string>>>;
}

export const startAlertWorker: RoleStarter<AlertWorkerHandle, AlertWorkerDeps> = async (deps) => {
  const { config, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const settings = deps.settings ?? runtimeSettings();
  const runtime = new RoleRuntime(config, logger);
  const { store, queues } = runtime;
  const notifiers = deps.notifiers ?? createNotifiers(config, { logger });
  runtime.onClose('notifiers', () => closeNotifiers(notifiers));
  const definitions = { pipelines: config.pipelines, checkins: config.checkins };
  const common = { connection: runtime.redis, config, settings, report: runtime.report, workerName: deps.workerName };

  const alertDeps: AlertJobDeps = {
    config,
    store,
    queues,
    channels: notifierRegistry.channels(),
    now,
    logger,
    refreshSnapshot: coalesce(async () => {
      await store.refreshSnapshot(definitions, now());
    }),
  };
  // Evaluations of one pipeline are serialised by its lock; different pipelines run side by side.
  const alertsWorker = createWorker('alerts', (job) => processAlertJob(job, alertDeps), { ...common, concurrency: 4 });
  alertsWorker.on('failed', (job, err) => logger.warn({ err, jobId: job?.id, job: job?.name }, 'alert job failed'));

  const deliveryDeps = (channel: NotificationChannel): DeliveryDeps => ({ notifier: notifiers[channel], store, now, logger });
  const chatQueue = queues.chat.queue;
  const chatDeps: DeliveryDeps = { ...deliveryDeps('chat'), burst: { queue: chatQueue, store }, rateLimit: (ms) => chatQueue.rateLimit(ms) };
  const backoffStrategy = (attemptsMade: number, _type: string | undefined, err: Error | undefined) => deliveryBackoff(attemptsMade, err);
  const deliveryWorkers: Record<NotificationChannel, Worker<unknown, unknown, string>> = {
    // A disabled channel sends nothing, so it needs no pace.
    chat: createWorker('chat', (job) => processDelivery(job, chatDeps), {
      ...common,
      concurrency: 1,
      backoffStrategy,
      ...(notifiers.chat.disabledReason === null ? { limiter: CHAT_LIMITER } : {}),
    }),
    email: createWorker('email', (job) => processDelivery(job, deliveryDeps('email')), { ...common, concurrency: 1, backoffStrategy }),
  };
  for (const worker of Object.values(deliveryWorkers)) {
    worker.on('failed', (job, err) => logger.warn({ err, jobId: job?.id, attempt: job?.attemptsMade }, 'delivery failed'));
  }

  // Closed last-registered-first: the alert worker stops enqueueing before deliveries stop.
  for (const [channel, worker] of Object.entries(deliveryWorkers)) runtime.onCloseWorker(`${channel} delivery worker`, worker, settings.shutdownGraceMs);
  runtime.onCloseWorker('alert worker', alertsWorker, settings.shutdownGraceMs);

  logger.info({ chat: notifiers.chat.disabledReason ?? notifiers.chat.target, email: notifiers.email.disabledReason ?? notifiers.email.target }, 'alert worker started');
  return {
    name: 'alerts',
    ready: RoleRuntime.ready(alertsWorker, ...Object.values(deliveryWorkers)),
    alertsWorker,
    deliveryWorkers,
    async close() {
      await runtime.close();
      logger.info('alert worker stopped');
    },
  };
};
