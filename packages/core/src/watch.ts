import { nextRun, previousRun } from './schedule.ts';

/**
 * The watchman (README "Watching the monitor"): is the monitor itself still looking? Pure: what
 * is stored (the last completed quick-check round, each role's heartbeat, paused queues) and the
 * time go in; the verdict, with what stopped and since when, comes out.
 */

/** The roles that must be running somewhere for the monitor to be checking and telling. */
export const WATCHED_ROLES = ['scheduler', 'checks', 'alerts'] as const;
export type WatchedRole = (typeof WATCHED_ROLES)[number];

/** A role's heartbeat is older than this: it is taken for gone. */
export const HEARTBEAT_STALE_MS = 60_000;

export interface WatchInput {
  now: Date;
  /** When the watching process started: nothing heard of yet counts from here. */
  startedAt: Date;
  /** When the last quick-check round completed, or null if none ever did. */
  lastRoundAt: Date | null;
  /** `schedule.quick_check` and `monitoring.timezone`: how often a round is due. */
  quickCheck: { pattern: string; zone: string };
  /** The newest heartbeat of each role seen (any instance), or absent. */
  heartbeats: Partial<Record<WatchedRole, Date>>;
  /** Queues paused (no job runs while a queue is paused), and who paused them when it was on purpose. */
  pausedQueues: readonly { queue: string; by: string | null; at: string | null }[];
}

export interface WatchProblem {
  kind: 'rounds' | 'role' | 'paused';
  /** The role that is missing, for `role`; the queue, for `paused`. */
  subject: string | null;
  /** Since when (ISO): the last round, the last heartbeat, or when watching started. */
  since: string;
  /** One line for people, without the time (shown from `since` in the reader's zone), e.g. "no check worker has reported for over a minute". */
  message: string;
}

export interface WatchReport {
  healthy: boolean;
  /** When checking stopped (the earliest problem's `since`), or null while healthy. */
  since: string | null;
  problems: WatchProblem[];
  lastRoundAt: string | null;
  /** Seconds since the last completed round (or since watching started, if none). */
  lastRoundAgeSeconds: number;
  /** How often a round is due, in seconds. */
  roundIntervalSeconds: number;
  roles: { role: WatchedRole; up: boolean; lastSeen: string | null }[];
}

/** The quick check's interval around `now`: from its last run to its next one. */
export function roundInterval(pattern: string, zone: string, now: Date): number {
  return nextRun(pattern, zone, now).getTime() - previousRun(pattern, zone, now).getTime();
}

/**
 * The verdict. Checking has stopped when no round completed for two intervals, a role's
 * heartbeat is older than a minute (a role never heard of counts from `startedAt`), or a queue
 * is paused.
 */
export function evaluateWatch(input: WatchInput): WatchReport {
  const now = input.now.getTime();
  const intervalMs = roundInterval(input.quickCheck.pattern, input.quickCheck.zone, input.now);
  const roundBase = input.lastRoundAt ?? input.startedAt;
  const problems: WatchProblem[] = [];
  if (now - roundBase.getTime() > 2 * intervalMs) {
    problems.push({
      kind: 'rounds',
      subject: null,
      since: roundBase.toISOString(),
      message: input.lastRoundAt
        ? `no quick-check round has completed for over two intervals (one is due every ${Math.round(intervalMs / 60_000)} min)`
        : `no quick-check round has completed yet (one is due every ${Math.round(intervalMs / 60_000)} min)`,
    });
  }
  const roles = WATCHED_ROLES.map((role) => {
    const seen = input.heartbeats[role] ?? null;
    const base = seen ?? input.startedAt;
    const up = now - base.getTime() <= HEARTBEAT_STALE_MS;
    if (!up) {
      problems.push({
        kind: 'role',
        subject: role,
        since: base.toISOString(),
        message: seen ? `no ${ROLE_LABEL[role]} has reported for over a minute` : `no ${ROLE_LABEL[role]} has reported`,
      });
    }
    return { role, up, lastSeen: seen?.toISOString() ?? null };
  });
  for (const { queue, by, at } of input.pausedQueues) {
    problems.push({
      kind: 'paused',
      subject: queue,
      since: at ?? input.now.toISOString(),
      message: `the ${queue} queue is paused${by ? ` by ${by}, on purpose` : ''}: none of its jobs run until it is resumed`,
    });
  }
  const since = problems.length === 0 ? null : problems.map((problem) => problem.since).sort()[0] ?? null;
  return {
    healthy: problems.length === 0,
    since,
    problems,
    lastRoundAt: input.lastRoundAt?.toISOString() ?? null,
    lastRoundAgeSeconds: Math.max(0, Math.round((now - roundBase.getTime()) / 1000)),
    roundIntervalSeconds: Math.round(intervalMs / 1000),
    roles,
  };
}

/** How each role is named to people. */
export const ROLE_LABEL: Readonly<Record<WatchedRole, string>> = { scheduler: 'scheduler', checks: 'check worker', alerts: 'alert worker' };

/** What the alert worker last told about the monitor itself. */
export interface MonitorNotice {
  state: 'degraded' | 'ok';
  /** When the told state began (ISO). */
  since: string;
}

/**
 * Whether the monitor's own state calls for a card: one when checking stops ("monitor
 * degraded"), one when it is back. Nothing while it stays as told; nothing at all until
 * something was wrong (a monitor starting healthy has nothing to announce).
 */
export function monitorNoticeDue(told: MonitorNotice | null, report: WatchReport, now: Date): MonitorNotice | null {
  if (!report.healthy && told?.state !== 'degraded') return { state: 'degraded', since: report.since ?? now.toISOString() };
  if (report.healthy && told?.state === 'degraded') return { state: 'ok', since: now.toISOString() };
  return null;
}
