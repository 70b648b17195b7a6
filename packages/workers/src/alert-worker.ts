import { inBackground, type NotificationChannel } from '@datamon/core';
import { CHAT_LIMITER, createWorker, deliveryBackoff, type RuntimeSettings, runtimeSettings } from '@datamon/jobs';
import { type AlertJobDeps, type DeliveryDeps, processAlertJob, processDelivery, processMonitorWatch, processTicketJob, type TicketJobDeps } from '@datamon/jobs/processors';
import { createTicketTracker, type TicketTracker } from '@datamon/notifiers/tickets';
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
  /** The ticket system (by default from `tickets`; null: none). */
  tracker?: TicketTracker | null;
  /** How often it looks at the monitor itself (`DATAMON_WATCH_EVERY_MS`, default 15 s). */
  watchEveryMs?: number;
}

export interface AlertWorkerHandle extends RoleHandle {
  readonly ready: Promise<void>;
  readonly alertsWorker: Worker<unknown, unknown, string>;
  readonly deliveryWorkers: Readonly<Record<NotificationChannel, Worker<unknown, unknown, string>>>;
  /** Tells tickets about incidents (README "Tickets and recovery"). */
  readonly ticketsWorker: Worker<unknown, unknown, string>;
}

/** How long after an incident changes the alert worker rebuilds the dashboard's snapshot. */
export const SNAPSHOT_DELAY_MS = 200;

export const startAlertWorker: RoleStarter<AlertWorkerHandle, AlertWorkerDeps> = async (deps) => {
  const { config, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const settings = deps.settings ?? runtimeSettings();
  const runtime = new RoleRuntime(config, logger, 'alerts', now);
  const { store, queues } = runtime;
  const notifiers = deps.notifiers ?? createNotifiers(config, { logger });
  runtime.onClose('notifiers', () => closeNotifiers(notifiers));
  const definitions = { pipelines: config.pipelines, checkins: config.checkins };
  const common = { connection: runtime.redis, config, settings, report: runtime.report, workerName: deps.workerName };

  // The dashboard's snapshot, rebuilt in the background a moment after incidents change: a round
  // that opens a thousand incidents rebuilds it a few times, not a thousand (each reads every
  // pipeline's result). Registered before the workers, so it is written once more after they stop.
  let snapshotFailing = false;
  const snapshot = inBackground(
    async () => {
      await store.refreshSnapshot(definitions, now());
      snapshotFailing = false;
    },
    {
      delayMs: SNAPSHOT_DELAY_MS,
      onError: (err) => {
        if (!snapshotFailing) logger.warn({ err }, 'could not rebuild the status snapshot; trying again');
        snapshotFailing = true;
      },
    },
  );
  runtime.onClose('status snapshot', () => snapshot.flush());
  const alertDeps: AlertJobDeps = {
    config,
    store,
    queues,
    channels: notifierRegistry.channels(),
    now,
    logger,
    refreshSnapshot: async () => snapshot.request(),
  };
  // Evaluations of one pipeline are serialised by its lock; different pipelines run side by side.
  const alertsWorker = createWorker('alerts', runtime.gated((job) => processAlertJob(job, alertDeps)), { ...common, concurrency: 4 });
  alertsWorker.on('failed', (job, err) => logger.warn({ err, jobId: job?.id, job: job?.name }, 'alert job failed'));

  const deliveryDeps = (channel: NotificationChannel): DeliveryDeps => ({ notifier: notifiers[channel], store, now, logger });
  const chatQueue = queues.chat.queue;
  const chatDeps: DeliveryDeps = { ...deliveryDeps('chat'), burst: { queue: chatQueue, store }, rateLimit: (ms) => chatQueue.rateLimit(ms) };
  const backoffStrategy = (attemptsMade: number, _type: string | undefined, err: Error | undefined) => deliveryBackoff(attemptsMade, err);
  const deliveryWorkers: Record<NotificationChannel, Worker<unknown, unknown, string>> = {
    // A disabled channel sends nothing, so it needs no pace.
    chat: createWorker('chat', runtime.gated((job) => processDelivery(job, chatDeps)), {
      ...common,
      concurrency: 1,
      backoffStrategy,
      ...(notifiers.chat.disabledReason === null ? { limiter: CHAT_LIMITER } : {}),
    }),
    email: createWorker('email', runtime.gated((job) => processDelivery(job, deliveryDeps('email'))), { ...common, concurrency: 1, backoffStrategy }),
  };
  for (const worker of Object.values(deliveryWorkers)) {
    worker.on('failed', (job, err) => logger.warn({ err, jobId: job?.id, attempt: job?.attemptsMade }, 'delivery failed'));
  }
  const ticketDeps: TicketJobDeps = {
    config,
    store,
    tracker: deps.tracker !== undefined ? deps.tracker : createTicketTracker({ ...config.tickets, zone: config.monitoring.timezone }),
    now,
    logger,
    refreshSnapshot: alertDeps.refreshSnapshot,
  };
  const ticketsWorker = createWorker('tickets', runtime.gated((job) => processTicketJob(job, ticketDeps)), { ...common, concurrency: 2, backoffStrategy });
  ticketsWorker.on('failed', (job, err) => logger.warn({ err: err.message, jobId: job?.id, attempt: job?.attemptsMade }, 'ticket update failed'));

  // The monitor watching itself: a card when checking stops, one when it is back. Its own timer,
  // not a scheduled job: a dead scheduler must not silence the alarm about a dead scheduler.
  const startedAt = now();
  const watch = () => {
    if (runtime.report.unreachable || !runtime.stateAccepted) return;
    processMonitorWatch({ config, store, queues, now, logger, startedAt }).catch((err: unknown) => logger.warn({ err }, 'could not look at the monitor itself'));
  };
  const watchTimer = setInterval(watch, deps.watchEveryMs ?? (Number(process.env.DATAMON_WATCH_EVERY_MS) || 15_000));
  runtime.onClose('monitor watch', async () => clearInterval(watchTimer));

  // Closed last-registered-first: the alert worker stops enqueueing before deliveries stop.
  for (const [channel, worker] of Object.entries(deliveryWorkers)) runtime.onCloseWorker(`${channel} delivery worker`, worker, settings.shutdownGraceMs);
  runtime.onCloseWorker('tickets worker', ticketsWorker, settings.shutdownGraceMs);
  runtime.onCloseWorker('alert worker', alertsWorker, settings.shutdownGraceMs);

  logger.info({ chat: notifiers.chat.disabledReason ?? notifiers.chat.target, email: notifiers.email.disabledReason ?? notifiers.email.target }, 'alert worker started');
  return {
    name: 'alerts',
    stateVersion: runtime.stateVersion,
    ready: RoleRuntime.ready(alertsWorker, ticketsWorker, ...Object.values(deliveryWorkers)),
    alertsWorker,
    deliveryWorkers,
    ticketsWorker,
    async close() {
      await runtime.close();
      logger.info('alert worker stopped');
    },
  };
};
