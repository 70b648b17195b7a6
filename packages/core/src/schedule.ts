import { CronExpressionParser } from 'cron-parser';
import { localDate } from './time.ts';

/**
 * Cron arithmetic in a time zone, done exactly the way BullMQ's job schedulers do it
 * (`CronExpressionParser.parse(pattern, { tz, currentDate }).next()`), so what datamon predicts
 * or backfills is what BullMQ runs. Pure: `now` is always passed in.
 */

/**
 * The next `count` instants strictly after `from` at which `pattern` fires in `zone`.
 * Right across clock changes: 07:30 Europe/London is 06:30 UTC in summer and 07:30 UTC in
 * winter; a local time skipped by the spring change fires at the same UTC instant one hour
 * later in wall-clock terms, and one repeated by the autumn change fires once.
 *
 * @param pattern - five-field cron pattern, read in `zone`
 * @param zone - IANA time zone (`monitoring.timezone`)
 * @param from - the instant to count from (excluded)
 * @param count - how many instants to return
 */
export function nextRuns(pattern: string, zone: string, from: Date, count = 1): Date[] {
  const schedule = CronExpressionParser.parse(pattern, { tz: zone, currentDate: from });
  return Array.from({ length: count }, () => schedule.next().toDate());
}

/** The first instant strictly after `from` at which `pattern` fires in `zone`. */
export function nextRun(pattern: string, zone: string, from: Date): Date {
  return nextRuns(pattern, zone, from, 1)[0] as Date;
}

/**
 * The most recent instant at or before `now` at which `pattern` fired in `zone`.
 * (cron-parser's `prev()` excludes its starting instant; one millisecond later includes it.)
 */
export function previousRun(pattern: string, zone: string, now: Date): Date {
  const schedule = CronExpressionParser.parse(pattern, { tz: zone, currentDate: new Date(now.getTime() + 1) });
  return schedule.prev().toDate();
}

/**
 * How old a missed slot may be and still be run late (README "Check-ins and the schedule" "run late, once, and says so").
 * A check-in card half a day after its time tells nobody anything they can still act on.
 */
export const MAX_LATENESS_MS = 12 * 60 * 60 * 1000;

export interface MissedSlotInput {
  /** The check-in's cron pattern. */
  pattern: string;
  /** `monitoring.timezone`. */
  zone: string;
  now: Date;
  /** The latest slot the check-in ran for (the store's `lastSlot`), or null if never. */
  lastSlot: Date | null;
  /** Defaults to {@link MAX_LATENESS_MS}. */
  maxLatenessMs?: number;
}

/**
 * The slot of a check-in that was missed and should run late now, or null.
 *
 * The rule, in full: only the check-in's most recent slot at or before `now` is considered
 * (never a backlog); it must fall on today's local date in `zone` (yesterday's slots are gone
 * for good); it must be at most `maxLatenessMs` old; and it must be newer than the last slot the
 * check-in ran for. Whether a run for that slot is already queued is for the caller to check.
 */
export function missedSlot(input: MissedSlotInput): Date | null {
  const slot = previousRun(input.pattern, input.zone, input.now);
  const age = input.now.getTime() - slot.getTime();
  if (age > (input.maxLatenessMs ?? MAX_LATENESS_MS)) return null;
  if (localDate(slot, input.zone) !== localDate(input.now, input.zone)) return null;
  if (input.lastSlot && input.lastSlot.getTime() >= slot.getTime()) return null;
  return slot;
}

/** True when a slot is too old to run at all (see {@link MAX_LATENESS_MS}). */
export function isTooLate(slot: Date, now: Date, maxLatenessMs = MAX_LATENESS_MS): boolean {
  return now.getTime() - slot.getTime() > maxLatenessMs;
}
