import { formatBound, formatNearBound, roundTenth } from './format.ts';
import type { MeasuredOutcome } from './rule-outcome.ts';

const HOUR_MS = 3_600_000;

export interface FreshnessInput {
  /** What was measured, e.g. "FactCalls.call_start". */
  subject: string;
  /** The newest value found; null when the table (or filtered set) has no rows. */
  newest: Date | null;
  now: Date;
  /** Older than this many hours: WARNING. */
  warningHours: number;
  /** Older than this many hours: CRITICAL. */
  criticalHours: number;
  /**
   * The age counted in working time only (README "Business calendar"), when the calendar closes
   * some days: replaces `now - newest`, and the message says so.
   */
  workingAgeMs?: number | null;
}

/**
 * Data freshness (README "Default pipelines", `mysql_freshness`): the newest row's age in hours against the bounds.
 * "Older than" is strict: exactly `criticalHours` old is still only WARNING. The value is the age
 * in hours to one decimal; no rows at all is CRITICAL.
 *
 * @param input - the newest instant, `now` and the bounds
 * @returns the status, a sentence naming the subject and its age, and the bound applied
 */
export function evaluateFreshness(input: FreshnessInput): MeasuredOutcome {
  const { subject, newest, now, warningHours, criticalHours } = input;
  const critical = `critical over ${formatBound(criticalHours)} h`;
  const warning = `warning over ${formatBound(warningHours)} h`;
  if (newest === null) {
    return { status: 'CRITICAL', value: null, threshold: critical, message: `no rows: ${subject} has no newest value (${critical})` };
  }
  const elapsed = (now.getTime() - newest.getTime()) / HOUR_MS;
  const working = typeof input.workingAgeMs === 'number' && elapsed >= 0;
  const age = working ? (input.workingAgeMs as number) / HOUR_MS : elapsed;
  if (age < 0) {
    // A row "from the future" is nearly always database.timezone not matching the warehouse's clock.
    return {
      status: 'OK',
      value: roundTenth(age),
      threshold: warning,
      message: `newest ${subject} is ${(-age).toFixed(1)} h in the future (is database.timezone right?)`,
    };
  }
  const [status, threshold, bound] =
    age > criticalHours ? (['CRITICAL', critical, criticalHours] as const)
    : age > warningHours ? (['WARNING', warning, warningHours] as const)
    : (['OK', warning, warningHours] as const);
  const old = working ? 'old in working time' : 'old';
  return { status, value: roundTenth(age), threshold, message: `newest ${subject} is ${formatAge(age, bound)} ${old} (${threshold})` };
}

/** "26.0 h", or "4 min" under an hour (when the bound is in whole hours, so minutes cannot blur it). */
function formatAge(hours: number, bound: number): string {
  if (hours < 1 && bound >= 1) return `${Math.round(hours * 60)} min`;
  return `${formatNearBound(hours, bound)} h`;
}
