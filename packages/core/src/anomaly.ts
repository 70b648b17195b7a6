import { formatCount } from './rules/format.ts';
import type { ExpectedValue } from './result.ts';

/**
 * Volume anomalies for `mysql_count` pipelines with a day window.
 * Pure: the caller passes the tested value and the candidate baseline days.
 *
 * Rules:
 * - Baseline: the same weekday as the tested day, strictly before it. Points with `excluded` set
 *   (not a working day, maintenance, already flagged as anomalous) are left out, and so are points
 *   on another weekday, malformed dates and non-finite values. Of the rest, one per date (the last
 *   given wins), only the most recent `weeks` count.
 * - Fewer than `min_points` baseline days: no verdict, "learning (2 of 4)".
 * - Median m and spread s = 1.4826 × MAD, at least 1. The usual band is [m − k·s, m + k·s] with
 *   k = `sensitivity`; `low` is never below 0.
 * - Anomalous when the value is outside the band (|x − m| > k·s, strict) AND
 *   |x − m| ≥ |m| × `min_change_percent` / 100. When m is 0 only the band applies and there is no
 *   percentage. An anomaly is a WARNING, never CRITICAL by itself: the caller maps it.
 * - For a "today" window the caller passes counts up to the same local time of day.
 * - `enabled` is the caller's switch: this function evaluates whatever it is given.
 *
 * Flaws of simpler schemes this avoids:
 * - the tested day in its own baseline (it drags the median towards itself and hides the drop):
 *   any point on or after the tested date is ignored;
 * - past incidents widening the bounds (a mean and standard deviation swallow one bad week):
 *   median and MAD barely move for one wild day, and flagged days are left out anyway;
 * - verdicts from too few points (two days make any third look odd): `min_points` is required;
 * - alarms on tiny absolute moves of a very steady series: the spread floor of 1 and the
 *   minimum percentage change.
 */

export interface AnomalySettings {
  enabled: boolean;
  weeks: number;
  sensitivity: number;
  min_points: number;
  min_change_percent: number;
}

export const DEFAULT_ANOMALY: Readonly<AnomalySettings> = Object.freeze({
  enabled: false,
  weeks: 8,
  sensitivity: 3,
  min_points: 4,
  min_change_percent: 20,
});

/** A past day's counts as the baseline cache keeps them: the whole day, and per minute of it for intraday baselines. */
export interface DayCounts {
  total: number;
  /** [minute since the day's wall-clock start, count] pairs, non-zero only; null when not asked for. */
  minutes: [number, number][] | null;
  /** When it was counted (ISO): a day counted before the end of the next day is counted once more. */
  countedAt: string;
}

export interface BaselinePoint {
  /** YYYY-MM-DD, local. */
  date: string;
  value: number;
  /** Why this day is not part of the baseline; set means left out. */
  excluded?: 'closed' | 'maintenance' | 'anomaly' | null;
}

/** The usual value and band: `ExpectedSchema` in result.ts (stored with results, served, charted). */
export type Expected = ExpectedValue;

export interface AnomalyInput {
  value: number;
  /** The tested day (YYYY-MM-DD local): a point with this date is never part of its own baseline. */
  date: string;
  /** 'yesterday' or 'today' (today: counts up to the same time of day). */
  window: 'today' | 'yesterday';
  /** What is counted, plural, for the message: "calls" (from the table name if nothing better). */
  noun: string;
  points: readonly BaselinePoint[];
  settings: AnomalySettings;
}

export type AnomalyVerdict =
  | { kind: 'learning'; points: number; needed: number; message: string }
  | { kind: 'normal'; expected: Expected; message: string }
  | { kind: 'anomaly'; direction: 'above' | 'below'; percent: number | null; expected: Expected; message: string };

/** Scales a MAD to a standard deviation for normally distributed data. */
const MAD_SCALE = 1.4826;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** The median; throws on an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

/** 1.4826 × the median absolute deviation from `med` (default: the median), at least 1. */
export function madSpread(values: readonly number[], med: number = median(values)): number {
  const mad = median(values.map((v) => Math.abs(v - med)));
  return Math.max(1, MAD_SCALE * mad);
}

/** Day number (days since 1970-01-01) of a YYYY-MM-DD date, or null when malformed. */
function dayNumber(date: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return null;
  return ms / 86_400_000;
}

/** The weekday name of a local date, "Tuesday". */
export function weekdayName(date: string): string {
  const day = dayNumber(date);
  if (day === null) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  // 1970-01-01 was a Thursday.
  return WEEKDAYS[(((day + 4) % 7) + 7) % 7] as string;
}

/** The baseline values: usable points on the tested weekday before `date`, latest `weeks` only. */
function baselineValues(input: AnomalyInput, testedDay: number): number[] {
  const byDate = new Map<number, number>();
  for (const point of input.points) {
    if (point.excluded) continue;
    const day = dayNumber(point.date);
    if (day === null || day >= testedDay || (testedDay - day) % 7 !== 0) continue;
    if (!Number.isFinite(point.value)) continue;
    byDate.set(day, point.value);
  }
  const weeks = Math.max(0, Math.floor(input.settings.weeks));
  return [...byDate.entries()]
    .sort((a, b) => b[0] - a[0])
    .slice(0, weeks)
    .map(([, value]) => value);
}

export function evaluateAnomaly(input: AnomalyInput): AnomalyVerdict {
  const testedDay = dayNumber(input.date);
  if (testedDay === null) throw new RangeError(`not a YYYY-MM-DD date: ${input.date}`);
  if (!Number.isFinite(input.value)) throw new RangeError(`not a finite value: ${input.value}`);
  const { settings, value: x } = input;
  const values = baselineValues(input, testedDay);
  const needed = Math.max(1, Math.ceil(settings.min_points));
  if (values.length < needed) {
    return { kind: 'learning', points: values.length, needed, message: `learning (${values.length} of ${needed})` };
  }

  const m = median(values);
  const s = madSpread(values, m);
  const width = settings.sensitivity * s;
  const lowRaw = m - width;
  const highRaw = m + width;
  const expected: Expected = { median: m, low: Math.max(0, lowRaw), high: highRaw, points: values.length };

  const weekday = weekdayName(input.date);
  const today = input.window === 'today';
  const byThisTime = today ? ' by this time' : '';
  const band = `${formatCount(expected.low)}-${formatCount(expected.high)}`;
  const deviation = Math.abs(x - m);
  // Compared with the band itself so a value at `low` or `high` is inside it.
  const outsideBand = x > highRaw || x < lowRaw;
  const bigEnough = m === 0 || deviation >= (Math.abs(m) * settings.min_change_percent) / 100;

  if (!(outsideBand && bigEnough)) {
    const message = outsideBand
      ? `outside the usual ${band} for a ${weekday}${byThisTime}, but within ${settings.min_change_percent}% of the median ${formatCount(m)}`
      : `within the usual ${band} for a ${weekday}${byThisTime}`;
    return { kind: 'normal', expected, message };
  }

  const direction = x > m ? 'above' : 'below';
  const percent = m === 0 ? null : Math.round((deviation / Math.abs(m)) * 100);
  const what = `${formatCount(x)} ${input.noun} ${today ? 'so far today' : 'yesterday'}`;
  const change =
    percent === null
      ? `${direction} a usual ${weekday} of ${formatCount(m)}${byThisTime}`
      : `${percent === 0 ? 'less than 1%' : `${percent}%`} ${direction} a usual ${weekday}${byThisTime}`;
  const over = `over ${values.length} ${weekday}${values.length === 1 ? '' : 's'}`;
  const message = `${what}, ${change} (median ${formatCount(m)}, usual ${band} ${over})`;
  return { kind: 'anomaly', direction, percent, expected, message };
}
