import { randomUUID } from 'node:crypto';
import type { NotificationChannel } from '@datamon/core';

/**
 * Deterministic ids, all ours: the same work always gets the same id, so a producer that runs
 * twice (a retried job, ten schedulers starting at once) adds the job once — BullMQ ignores an
 * add whose id is already in the queue — and a notification decided twice is delivered once.
 *
 * BullMQ refuses a custom job id with a `:` unless it has exactly three `:`-separated parts, so
 * instants are written in ISO 8601 basic format (`20260330T063000Z`), which has no colons, and
 * notification ids (which have `:`) are mapped to `|` in delivery job ids.
 */

/** `2026-03-30T06:30:00.000Z` -> `20260330T063000Z` (milliseconds kept when not zero). */
export function compactInstant(instant: Date | string): string {
  const iso = (typeof instant === 'string' ? new Date(instant) : instant).toISOString();
  return iso.replace(/[-:]/g, '').replace(/\.000Z$/, 'Z');
}

export const jobIds = {
  /** A check-in run late for a missed slot (at most one per check-in and slot). */
  lateCheckin: (checkinId: string, slot: Date | string) => `checkin:${checkinId}:${compactInstant(slot)}-late`,
  /** A check-in run by hand (the API, the CLI): one per check-in and minute asked in. */
  manualCheckin: (checkinId: string, requestedAt: Date | string) =>
    `checkin:${checkinId}:${compactInstant(new Date(Math.floor(new Date(requestedAt).getTime() / 60_000) * 60_000))}-manual`,
  /** A pipeline checked on request: each request is work of its own (a queued one is shared by deduplication). */
  runPipeline: (pipelineId: string) => `run:${pipelineId}:${randomUUID()}`,
  /** The report of one check-in run. */
  checkinReport: (checkinId: string, scheduledFor: string) => `checkin-report:${checkinId}:${compactInstant(scheduledFor)}`,
  /** The alert evaluation of one result (a pipeline is never checked twice in one millisecond). */
  evaluate: (pipelineId: string, checkedAt: string) => `evaluate:${pipelineId}:${Date.parse(checkedAt)}`,
  /** One part of a fanned-out quick check, named after the quick-check job it came from. */
  quickCheckPart: (parentJobId: string, index: number, count: number) => `quick-check-part:${parentJobId.replaceAll(':', '.')}:${index + 1}-of-${count}`,
  /** The round a scheduler runs as it starts (one per minute however many start). */
  firstRound: (at: Date) => `quick-check:first:${compactInstant(new Date(Math.floor(at.getTime() / 60_000) * 60_000))}`,
  /** One ticket event (its delivery id: the same on every retry and replay). */
  ticket: (deliveryId: string) => `ticket|${deliveryId.replaceAll(':', '|')}`,
  /** One run of an incident's recovery action, named by what started it. */
  recover: (incidentId: string, trigger: string) => `recover|${incidentId}|${trigger.replaceAll(':', '|')}`,
  /** The re-check after run `attempt` of an incident's recovery action. */
  recoveryRecheck: (incidentId: string, attempt: number) => `recheck|${incidentId}|${attempt}`,
  /** The delivery of one notification (one per notification id). */
  delivery: (notificationId: string) => `deliver|${notificationId.replaceAll(':', '|')}`,
} as const;

/** Job scheduler ids (one per scheduled thing). */
export const schedulerIds = {
  checkin: (checkinId: string) => `checkin:${checkinId}`,
  quickCheck: 'quick-check',
  dailySummary: 'daily-summary',
  tick: 'tick',
} as const;

/** A CheckinRun's id: one per check-in and slot (a manual run's slot is when it was asked for). */
export function checkinRunId(checkinId: string, scheduledFor: string): string {
  return `${checkinId}:${scheduledFor}`;
}

/** Notification ids of messages that belong to no incident (incident ones come from the rule). */
export const notificationIds = {
  /** A check-in run's card or email: one per run and channel. */
  checkin: (run: { checkinId: string; scheduledFor: string }, channel: NotificationChannel) => `checkin|${run.checkinId}|${compactInstant(run.scheduledFor)}|${channel}`,
  /** A card about the monitor itself: it stopped checking (since when), or is back (when). */
  monitor: (state: 'degraded' | 'ok', since: string) => `monitor|${state}|${compactInstant(since)}|chat`,
  /** The daily summary of one local date. */
  dailySummary: (date: string, channel: NotificationChannel) => `daily-summary|${date}|${channel}`,
} as const;
