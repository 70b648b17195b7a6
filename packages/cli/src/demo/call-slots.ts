import { instantToWallClock } from '@datamon/core';

/**
 * The shape of the demo's call traffic, computed in code and inserted as a few thousand "slots"
 * (one per hour) that the database multiplies into a million calls. Pure: `now` is passed in.
 */

/** Relative call volume per local hour of the day: quiet nights, a morning peak, a tea-time dip. */
const HOUR_WEIGHTS = [
  0.05, 0.04, 0.03, 0.03, 0.04, 0.08, 0.25, 0.7, 1.3, 1.6, 1.55, 1.45,
  1.2, 1.25, 1.4, 1.35, 1.2, 0.9, 0.6, 0.45, 0.35, 0.25, 0.15, 0.08,
];
/** Relative volume per local weekday, Monday (1) to Sunday (7): Mondays busiest, weekends light. */
const WEEKDAY_WEIGHTS: Record<number, number> = { 1: 1.25, 2: 1.1, 3: 1.05, 4: 1.05, 5: 1.0, 6: 0.55, 7: 0.45 };

export interface CallSlot {
  /** Slot start as the warehouse's wall-clock DATETIME (`database.timezone`). */
  start: string;
  /** Seconds the slot lasts (3600, or less for the hour in progress). */
  seconds: number;
  /** Calls placed in it. */
  calls: number;
}

export interface CallSlotOptions {
  now: Date;
  /** `monitoring.timezone`: the hours and weekdays people work in. */
  zone: string;
  /** `database.timezone`: how the warehouse writes DATETIMEs. */
  warehouseZone: string;
  days: number;
  rows: number;
  /** The newest call is this long before `now` (minutes): small for a healthy ETL, > 24 h for a stale one. */
  newestAgeMinutes: number;
}

/**
 * Hour slots covering `days` days up to `now - newestAgeMinutes`, each with its share of `rows`
 * by local hour and weekday. The shares are rounded with carried remainders so they add up to
 * exactly `rows`.
 */
export function callSlots(options: CallSlotOptions): CallSlot[] {
  const end = options.now.getTime() - options.newestAgeMinutes * MINUTE_MS;
  const first = Math.floor((end - options.days * DAY_MS) / HOUR_MS) * HOUR_MS;
  const localHourAndWeekday = hourAndWeekdayIn(options.zone);
  const raw: { start: number; seconds: number; weight: number }[] = [];
  for (let start = first; start < end; start += HOUR_MS) {
    const seconds = Math.max(1, Math.floor((Math.min(start + HOUR_MS, end) - start) / 1000));
    const { hour, weekday, date } = localHourAndWeekday(new Date(start));
    raw.push({ start, seconds, weight: (HOUR_WEIGHTS[hour] ?? 1) * (WEEKDAY_WEIGHTS[weekday] ?? 1) * dayNoise(date) * (seconds / 3600) });
  }
  const total = raw.reduce((sum, slot) => sum + slot.weight, 0);
  let carried = 0;
  let placed = 0;
  const slots = raw.map((slot, index) => {
    const exact = (options.rows * slot.weight) / total + carried;
    const calls = index === raw.length - 1 ? options.rows - placed : Math.max(0, Math.round(exact));
    carried = exact - calls;
    placed += calls;
    return { start: instantToWallClock(new Date(slot.start), options.warehouseZone), seconds: slot.seconds, calls };
  });
  return slots.filter((slot) => slot.calls > 0);
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Local hour (0-23), ISO weekday (1 Monday - 7 Sunday) and date of an instant in `zone`. */
function hourAndWeekdayIn(zone: string): (instant: Date) => { hour: number; weekday: number; date: string } {
  const format = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23', weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit' });
  return (instant) => {
    const parts = format.formatToParts(instant);
    const value = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
    const hour = Number(value('hour') || 0);
    const weekday = WEEKDAYS[value('weekday') || 'Mon'] ?? 1;
    return { hour, weekday, date: `${value('year')}-${value('month')}-${value('day')}` };
  };
}

/**
 * A day's volume varies by a few percent, the same on every run (a hash of the date): a real
 * contact centre's same weekdays are never identical, and the demo's usual bands are then bands.
 */
export function dayNoise(date: string): number {
  let hash = 2166136261;
  for (const char of date) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619);
  return 1 + (((hash >>> 0) % 1000) / 1000 - 0.5) * 0.16;
}
