import type { CheckResult } from './result.ts';
import type { NotificationChannel, NotificationKind } from './incident.ts';

/**
 * Typed job contracts: one map from job name to payload per queue, shared by producers and
 * processors. Nothing crosses a queue boundary untyped.
 */

export const QUEUE_NAMES = {
  checks: 'checks',
  alerts: 'alerts',
  notifications: 'notifications',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/** Jobs of the `checks` queue, run by the check workers. */
export interface CheckJobs {
  /** Every pipeline but those with `quick_check: false`. */
  'quick-check': { scheduledFor: string };
  /** One check-in's pipelines, then its card and email. */
  checkin: { checkinId: string; scheduledFor: string; late: boolean; manual: boolean };
  /** One pipeline now (API run-now). */
  'run-pipeline': { pipelineId: string; requestedAt: string; requestedBy: string };
}

/** Jobs of the `alerts` queue, run by the alert worker. */
export interface AlertJobs {
  /** A pipeline's status changed (or it was checked while an incident is open). */
  evaluate: { pipelineId: string; result: CheckResult; previousStatus: CheckResult['status'] | null };
  /** Time passed: escalate what stays CRITICAL, end silences. */
  tick: { scheduledFor: string };
  /** A check-in ran: send its card and email whatever the statuses. */
  'checkin-report': { checkinRunId: string; checkinId: string };
  /** The end-of-day summary. */
  'daily-summary': { scheduledFor: string };
}

/** Jobs of the `notifications` queue: one message to one channel. */
export interface NotificationJobs {
  deliver: {
    notificationId: string;
    channel: NotificationChannel;
    kind: NotificationKind;
    incidentId: string | null;
    pipelineId: string | null;
    /** Rendered Google Chat body or email, ready to send. */
    payload: ChatPayload | EmailPayload;
  };
}

export interface ChatPayload {
  type: 'chat';
  /** Google Chat `thread.threadKey`; the incident id, or null for check-in and summary cards. */
  threadKey: string | null;
  body: Record<string, unknown>;
}

export interface EmailPayload {
  type: 'email';
  subject: string;
  html: string;
  text: string;
}

export type JobName<Jobs> = Extract<keyof Jobs, string>;
export type JobPayload<Jobs, N extends JobName<Jobs>> = Jobs[N];
