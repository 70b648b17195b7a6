import { formatLocal, formatLocalTime, localDate } from '../time.ts';
import { formatBound, formatNearBound, roundTenth } from './format.ts';
import type { MeasuredOutcome } from './rule-outcome.ts';

const MINUTE_MS = 60_000;

export interface SheetAgeInput {
  /** What was read, e.g. "sheet productivity" or "sheet inbound (Status!B1)". */
  subject: string;
  /** When it was last updated. */
  updatedAt: Date;
  now: Date;
  /** `monitoring.timezone`, to show when the update happened. */
  zone: string;
  /** More than this many minutes old: WARNING. */
  warningMinutes: number;
  /** More than this many minutes old: CRITICAL. */
  criticalMinutes: number;
  /** The age counted in working time only, when the calendar closes some days (replaces `now - updatedAt`). */
  workingAgeMs?: number | null;
}

/**
 * Sheet freshness (README "Default pipelines", `sheet_updated`): minutes since the last update against the bounds,
 * strictly ("more than 120 min ago"). The value is the age in minutes to one decimal.
 *
 * @param input - the update instant, `now`, the zone and the bounds
 * @returns the status and a sentence with the age and the local time of the update
 */
export function evaluateSheetAge(input: SheetAgeInput): MeasuredOutcome {
  const { subject, updatedAt, now, zone, warningMinutes, criticalMinutes } = input;
  const elapsed = (now.getTime() - updatedAt.getTime()) / MINUTE_MS;
  const working = typeof input.workingAgeMs === 'number' && elapsed >= 0;
  const age = working ? (input.workingAgeMs as number) / MINUTE_MS : elapsed;
  const when = localDate(updatedAt, zone) === localDate(now, zone) ? formatLocalTime(updatedAt, zone) : formatLocal(updatedAt, zone);
  const critical = `critical over ${formatBound(criticalMinutes)} min`;
  const warning = `warning over ${formatBound(warningMinutes)} min`;
  if (age < 0) {
    return { status: 'OK', value: roundTenth(age), threshold: warning, message: `${subject} last updated at ${when}, in the future by ${(-age).toFixed(0)} min` };
  }
  const [status, threshold, bound] =
    age > criticalMinutes ? (['CRITICAL', critical, criticalMinutes] as const)
    : age > warningMinutes ? (['WARNING', warning, warningMinutes] as const)
    : (['OK', warning, warningMinutes] as const);
  return {
    status,
    value: roundTenth(age),
    threshold,
    message: `${subject} last updated ${formatNearBound(age, bound, 0)} min ${working ? 'of working time ' : ''}ago, at ${when} (${threshold})`,
  };
}
