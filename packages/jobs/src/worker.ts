import { hostname } from 'node:os';
import { type Job, Worker, type WorkerOptions } from 'bullmq';
import type { RedisClient, RedisSettings } from '@datamon/store';
import type { ConnectionReport } from './connection-report.ts';
import { type AnyJobOf, type AnyResultOf, QUEUE_NAMES, type QueueJobs, type QueueKey } from './contracts.ts';
import { sharedWorkerOptions } from './options.ts';
import { queuePrefix } from './producers.ts';
import type { RuntimeSettings } from './settings.ts';
import { scheduledSlotOf } from './slots.ts';

export interface WorkerSetup {
  connection: RedisClient;
  config: { redis: Pick<RedisSettings, 'prefix' | 'cluster'> };
  concurrency: number;
  settings?: RuntimeSettings;
  report?: ConnectionReport;
  /** Shown as `processedBy` on each job (Bull Board); the host and pid by default. */
  workerName?: string;
  /** At most this many jobs per duration across every worker of the queue (Chat's pace). */
  limiter?: WorkerOptions['limiter'];
  /** Backoff for jobs whose `backoff.type` is custom (deliveries honour Retry-After). */
  backoffStrategy?: NonNullable<WorkerOptions['settings']>['backoffStrategy'];
}

/**
 * A BullMQ worker for one queue with the shared options and an `error` listener. A processor is a
 * plain function of the job (`processCheckJob`, `processAlertJob`, `processDelivery`); a
 * scheduler-made job's `scheduledFor` is filled in with its slot first (a scheduler's job
 * template is the same for every run, so its payload cannot carry it).
 *
 * @param key - the queue
 * @param processor - handles one job; `job.name` narrows `job.data` to its payload type
 */
export function createWorker<K extends QueueKey>(
  key: K,
  processor: (job: AnyJobOf<QueueJobs[K]>) => Promise<AnyResultOf<QueueJobs[K]>>,
  setup: WorkerSetup,
): Worker<unknown, unknown, string> {
  const name = QUEUE_NAMES[key];
  const worker = new Worker<unknown, unknown, string>(
    name,
    async (job: Job<unknown, unknown, string>) => {
      fillScheduledSlot(job);
      // The queue's payloads were typed when they were added (Producer); this is their way back.
      return processor(job as unknown as AnyJobOf<QueueJobs[K]>);
    },
    {
      connection: setup.connection,
      prefix: queuePrefix(setup.config, setup.connection),
      concurrency: setup.concurrency,
      name: setup.workerName ?? `${hostname()}:${process.pid}`,
      ...sharedWorkerOptions(setup.settings),
      ...(setup.limiter ? { limiter: setup.limiter } : {}),
      ...(setup.backoffStrategy ? { settings: { backoffStrategy: setup.backoffStrategy } } : {}),
    },
  );
  worker.on('error', setup.report?.listener(`worker ${name}`) ?? ignore);
  return worker;
}

/** Writes a scheduler-made job's slot into its payload's `scheduledFor` (in memory). */
export function fillScheduledSlot(job: Job<unknown, unknown, string>): void {
  const slot = scheduledSlotOf(job);
  if (job.repeatJobKey && slot && typeof job.data === 'object' && job.data !== null && 'scheduledFor' in job.data) {
    (job.data as { scheduledFor: string }).scheduledFor = slot;
  }
}

function ignore(): void {}
