import type { ChatPayload, CheckResult, EmailPayload, NotificationChannel, NotificationKind, Status, TicketEventName } from '@datamon/core';
import type { Job } from 'bullmq';

/**
 * Every job datamon runs, in one place: the queues, and for each queue one map from job name to
 * its payload (`data`) and what its processor returns (`result`). Producers (`producers.ts`),
 * processors (`processors/`) and Bull Board all read these; nothing crosses a queue untyped.
 *
 * | queue | jobs | processor |
 * |---|---|---|
 * | `checks` | quick-check, quick-check-part, checkin, run-pipeline | `processCheckJob` (processors/check-jobs.ts) |
 * | `alerts` | evaluate, tick, checkin-report, daily-summary | `processAlertJob` (processors/alert-jobs.ts) |
 * | `deliver-chat` | deliver (about one a second, bursts merged) | `processDelivery` (processors/delivery.ts) |
 * | `deliver-email` | deliver | `processDelivery` |
 * | `tickets` | ticket (retried like Chat) | `processTicketJob` (processors/tickets.ts) |
 * | `recovery` | recover | `processRecoveryJob` (processors/recovery.ts) |
 */

export const QUEUE_NAMES = {
  checks: 'checks',
  alerts: 'alerts',
  chat: 'deliver-chat',
  email: 'deliver-email',
  tickets: 'tickets',
  recovery: 'recovery',
} as const satisfies Record<'checks' | 'alerts' | 'tickets' | 'recovery' | NotificationChannel, string>;

export type QueueKey = keyof typeof QUEUE_NAMES;
export type QueueName = (typeof QUEUE_NAMES)[QueueKey];

/** One job's contract: its payload and its processor's return value. */
export interface Contract<Data, Result> {
  data: Data;
  result: Result;
}

/** What a quick check (or one part of it) did. */
export interface QuickCheckSummary {
  scheduledFor: string;
  /** Pipelines checked by this job itself. */
  checked: number;
  /** Parts it was split into (0: it checked everything itself). */
  parts: number;
  /** Alert evaluations it enqueued. */
  evaluations: number;
}

/** What a check-in job did. */
export interface CheckinJobSummary {
  checkinRunId: string | null;
  overall: Status | null;
  late: boolean;
  /** Set when the run was skipped, saying why. */
  skipped?: string;
}

/** Jobs of the `checks` queue, run by the check workers. */
export interface ChecksJobs {
  /**
   * Every pipeline but those with `quick_check: false`; with `all`, every pipeline (the first
   * round after a start, so nothing stays unchecked until its check-in).
   */
  'quick-check': Contract<{ scheduledFor: string; all?: boolean }, QuickCheckSummary>;
  /** One share of a large quick check, so every check-worker process takes part in one round. */
  'quick-check-part': Contract<{ scheduledFor: string; pipelineIds: string[]; roundId?: string }, QuickCheckSummary>;
  /** One check-in's pipelines, then its card and email. `requestedBy`: who ran it by hand. */
  checkin: Contract<{ checkinId: string; scheduledFor: string; late: boolean; manual: boolean; requestedBy?: string | null }, CheckinJobSummary>;
  /**
   * One pipeline now (API run-now); returns the result itself (`?wait=1`). `recoveryOf`: the
   * re-check after a recovery action of that incident (README "Tickets and recovery"); if the
   * pipeline is still not OK, the action runs again while attempts remain.
   */
  'run-pipeline': Contract<{ pipelineId: string; requestedAt: string; requestedBy: string; recoveryOf?: string }, CheckResult>;
}

/** Jobs of the `alerts` queue, run by the alert worker. */
export interface AlertsJobs {
  /** A pipeline's status changed (or it was checked while an incident is open). */
  evaluate: Contract<{ pipelineId: string; result: CheckResult; previousStatus: Status | null }, { notifications: number }>;
  /** Time passed: escalate what stays CRITICAL, send what a silence or flap damping held. */
  tick: Contract<{ scheduledFor: string }, { pipelines: number; notifications: number }>;
  /** A check-in ran: send its card and email whatever the statuses. */
  'checkin-report': Contract<{ checkinRunId: string; checkinId: string }, { notificationIds: string[] }>;
  /** The end-of-day summary. */
  'daily-summary': Contract<{ scheduledFor: string }, { notificationIds: string[] }>;
}

/** One message to one channel, rendered and ready to send. */
export interface Delivery {
  notificationId: string;
  channel: NotificationChannel;
  kind: NotificationKind;
  incidentId: string | null;
  pipelineId: string | null;
  /** The check-in a check-in card or email reports. */
  checkinId?: string | null;
  payload: ChatPayload | EmailPayload;
}

/** A notification carried by another job's delivery (claimed from the queue to merge a burst). */
export interface MergedDelivery {
  /** The BullMQ id of the job it came from, removed from the queue once claimed. */
  jobId: string;
  data: Delivery;
}

/**
 * A delivery job's data: the delivery plus, once the job has claimed others (a Chat burst), the
 * set it answers for. Only the delivery processor writes `merged`; producers add a `Delivery`.
 */
export type DeliverJobData = Delivery & { merged?: MergedDelivery[] };

/** What one delivery job did. */
export interface DeliveryOutcome {
  outcome: 'sent' | 'skipped';
  /** Notifications this message carried (more than 1: a merged burst; 0: all had been sent). */
  notifications: number;
}

/** Jobs of each delivery queue (`deliver-chat`, `deliver-email`). */
export interface DeliveryJobs {
  deliver: Contract<DeliverJobData, DeliveryOutcome>;
}

/** Jobs of the `tickets` queue: one event of an incident told to its ticket (README "Tickets and recovery"). */
export interface TicketsJobs {
  ticket: Contract<
    { incidentId: string; pipelineId: string; event: TicketEventName; deliveryId: string; by: string | null },
    { outcome: 'sent' | 'skipped'; key: string | null; reason?: string }
  >;
}

/** What a recovery job did. */
export interface RecoveryJobSummary {
  outcome: 'ran' | 'skipped';
  ok: boolean | null;
  /** Why it was skipped, or the run's outcome in words. */
  detail: string;
}

/** Jobs of the `recovery` queue: a pipeline's recovery action for one incident. */
export interface RecoveryJobs {
  /** `manual`: asked for through the API (does not count toward `max_attempts`). */
  recover: Contract<{ incidentId: string; pipelineId: string; manual: boolean; requestedBy: string }, RecoveryJobSummary>;
}

/** Each queue's job map. */
export interface QueueJobs {
  checks: ChecksJobs;
  alerts: AlertsJobs;
  chat: DeliveryJobs;
  email: DeliveryJobs;
  tickets: TicketsJobs;
  recovery: RecoveryJobs;
}

export type JobName<Jobs> = Extract<keyof Jobs, string>;
type Member<Jobs, N extends JobName<Jobs>, F extends 'data' | 'result'> = Jobs[N] extends Contract<infer D, infer R> ? (F extends 'data' ? D : R) : never;
export type DataOf<Jobs, N extends JobName<Jobs>> = Member<Jobs, N, 'data'>;
export type ResultOf<Jobs, N extends JobName<Jobs>> = Member<Jobs, N, 'result'>;

/** A job of one name, typed from its map: `job.data` and the return value are its contract's. */
export type JobOf<Jobs, N extends JobName<Jobs>> = Job<DataOf<Jobs, N>, ResultOf<Jobs, N>, N>;

/** Any job of a map, as a union discriminated by `name`. */
export type AnyJobOf<Jobs> = { [N in JobName<Jobs>]: JobOf<Jobs, N> }[JobName<Jobs>];

/** Any result of a map. */
export type AnyResultOf<Jobs> = { [N in JobName<Jobs>]: ResultOf<Jobs, N> }[JobName<Jobs>];
