/**
 * Deterministic job ids: the same work always gets the same id, so a producer that runs twice
 * (a retried job, ten schedulers starting at once) adds the job once — BullMQ ignores an add
 * whose id is already in the queue.
 *
 * BullMQ refuses a custom id with a `:` unless it has exactly three `:`-separated parts, so
 * instants are written in ISO 8601 basic format (`20260330T063000Z`), which has no colons.
 */

/** `2026-03-30T06:30:00.000Z` -> `20260330T063000Z` (milliseconds kept when not zero). */
export function compactInstant(instant: Date | string): string {
  const iso = (typeof instant === 'string' ? new Date(instant) : instant).toISOString();
  return iso.replace(/[-:]/g, '').replace(/\.000Z$/, 'Z');
}

export const jobIds = {
  /** A check-in run late for a missed slot (at most one per check-in and slot). */
  lateCheckin: (checkinId: string, slot: Date | string) => `checkin:${checkinId}:${compactInstant(slot)}-late`,
  /** The report of one check-in run. */
  checkinReport: (checkinId: string, scheduledFor: string) => `checkin-report:${checkinId}:${compactInstant(scheduledFor)}`,
  /** The alert evaluation of one result (a pipeline is never checked twice in one millisecond). */
  evaluate: (pipelineId: string, checkedAt: string) => `evaluate:${pipelineId}:${Date.parse(checkedAt)}`,
  /** One part of a fanned-out quick check, named after the quick-check job it came from. */
  quickCheckPart: (parentJobId: string, index: number, count: number) => `quick-check-part:${parentJobId.replaceAll(':', '.')}:${index + 1}-of-${count}`,
} as const;

/** The id BullMQ gives the run a job scheduler makes for the slot `slotMs`. */
export function scheduledJobId(schedulerId: string, slotMs: number): string {
  return `repeat:${schedulerId}:${slotMs}`;
}

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
