import { DateTime } from 'luxon';
import { bankHolidays, type HolidayRegion } from './bank-holidays.ts';
import { localDate } from './time.ts';

/**
 * Business calendars (the `calendar:` config section): which local dates are working days. Pure: instants
 * and zones are passed in; the holiday data comes from `date-holidays` (bank-holidays.ts).
 */

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = Object.freeze(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

export type { HolidayRegion };
export const HOLIDAY_REGIONS: readonly HolidayRegion[] = Object.freeze(['none', 'england-and-wales', 'scotland', 'northern-ireland']);

export interface CalendarSettings {
  workdays: Weekday[];
  holidays: HolidayRegion;
  /** YYYY-MM-DD, local. */
  extra_holidays: string[];
  /** YYYY-MM-DD, local; an extra workday wins over everything. */
  extra_workdays: string[];
}

export const DEFAULT_CALENDAR: Readonly<CalendarSettings> = Object.freeze({
  workdays: Object.freeze([...WEEKDAYS]) as Weekday[],
  holidays: 'none' as const,
  extra_holidays: Object.freeze([]) as unknown as string[],
  extra_workdays: Object.freeze([]) as unknown as string[],
});

/** Why a local date is or is not a working day. */
export interface DayVerdict {
  working: boolean;
  /** Why it is closed ("Christmas Day", "Saturday (not a workday)", "an extra holiday"); null when working. */
  reason: string | null;
}

export interface BusinessCalendar {
  /** The verdict for a local date `YYYY-MM-DD`. */
  day(date: string): DayVerdict;
  /** Whether the local date (in `zone`) of an instant is a working day. */
  isWorkingDay(instant: Date, zone: string): boolean;
  /** The latest working local date strictly before `date` (YYYY-MM-DD). Looks back at most 366 days (throws if none, i.e. no workdays at all). */
  previousWorkingDay(date: string): string;
  /**
   * Milliseconds of working time between two instants (only the parts that fall on working local days in
   * `zone`; a day is worked from its local midnight to the next local midnight, so clock-change days are
   * 23 h or 25 h long). 0 if `to <= from`.
   */
  workingTimeBetween(from: Date, to: Date, zone: string): number;
  /** Whether this calendar changes anything (false for the default: every day a working day). */
  readonly restricts: boolean;
}

const WEEKDAY_NAMES: Record<Weekday, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

/** `Date#getUTCDay()` order. */
const BY_UTC_DAY: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Midnight UTC of a real YYYY-MM-DD date as epoch ms, or null. */
function parseDate(date: string): number | null {
  const match = DATE.exec(date);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  // Date.UTC maps years 0-99 to 1900-1999, and rolls 02-30 over into March.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return ms;
}

function requireDate(date: string): number {
  const ms = parseDate(date);
  if (ms === null) throw new Error(`"${date}" is not a date (YYYY-MM-DD)`);
  return ms;
}

/** The local date of an instant; luxon gives no date (rather than throwing) for an unknown zone. */
function localDateIn(instant: Date, zone: string): string {
  const date = localDate(instant, zone) as string | null;
  if (!date) throw new Error(`"${zone}" is not a time zone`);
  return date;
}

function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function weekdayOf(ms: number): Weekday {
  return BY_UTC_DAY[new Date(ms).getUTCDay()] as Weekday;
}

const yearCache = new Map<string, readonly { date: string; name: string }[]>();

function cachedHolidays(region: HolidayRegion, year: number): readonly { date: string; name: string }[] {
  if (region === 'none') return [];
  const key = `${region}:${year}`;
  let list = yearCache.get(key);
  if (!list) {
    list = Object.freeze(bankHolidays(region, year));
    yearCache.set(key, list);
  }
  return list;
}

/** The public holidays of a region in a year: `[{date: 'YYYY-MM-DD', name}]`, sorted. */
export function publicHolidays(region: HolidayRegion, year: number): { date: string; name: string }[] {
  if (!HOLIDAY_REGIONS.includes(region)) throw new Error(`"${String(region)}" is not a holiday region (${HOLIDAY_REGIONS.join(', ')})`);
  return cachedHolidays(region, year).map((holiday) => ({ ...holiday }));
}

const WORKING: DayVerdict = Object.freeze({ working: true, reason: null });

export function createCalendar(settings: CalendarSettings): BusinessCalendar {
  const workdays = new Set(settings.workdays);
  const region = settings.holidays;
  if (!HOLIDAY_REGIONS.includes(region)) throw new Error(`"${String(region)}" is not a holiday region (${HOLIDAY_REGIONS.join(', ')})`);
  const extraHolidays = new Set(settings.extra_holidays);
  const extraWorkdays = new Set(settings.extra_workdays);
  const restricts = WEEKDAYS.some((weekday) => !workdays.has(weekday)) || region !== 'none' || extraHolidays.size > 0;

  const byYear = new Map<number, Map<string, string>>();
  const holidayName = (date: string): string | undefined => {
    if (region === 'none') return undefined;
    const year = Number(date.slice(0, 4));
    let names = byYear.get(year);
    if (!names) {
      names = new Map(cachedHolidays(region, year).map((holiday) => [holiday.date, holiday.name]));
      byYear.set(year, names);
    }
    return names.get(date);
  };

  const verdict = (date: string, ms: number): DayVerdict => {
    if (!restricts || extraWorkdays.has(date)) return WORKING;
    const holiday = holidayName(date);
    if (holiday !== undefined) return { working: false, reason: holiday };
    if (extraHolidays.has(date)) return { working: false, reason: 'an extra holiday' };
    const weekday = weekdayOf(ms);
    if (!workdays.has(weekday)) return { working: false, reason: `${WEEKDAY_NAMES[weekday]} (not a workday)` };
    return WORKING;
  };

  const day = (date: string): DayVerdict => verdict(date, requireDate(date));

  return {
    restricts,
    day,
    isWorkingDay(instant, zone) {
      return day(localDateIn(instant, zone)).working;
    },
    previousWorkingDay(date) {
      const start = requireDate(date);
      for (let back = 1; back <= 366; back++) {
        const ms = start - back * DAY_MS;
        const candidate = formatDate(ms);
        if (verdict(candidate, ms).working) return candidate;
      }
      throw new Error(`no working day in the 366 days before ${date} (the calendar has no workdays)`);
    },
    workingTimeBetween(from, to, zone) {
      const end = to.getTime();
      const begin = from.getTime();
      if (end <= begin) return 0;
      if (!restricts) return end - begin;
      // Local midnights only at the edges of runs of working days: luxon's zone maths is the slow part.
      const midnight = (ms: number) => {
        const date = new Date(ms);
        const local = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
        return DateTime.fromObject(local, { zone }).toMillis();
      };
      const first = requireDate(localDateIn(from, zone));
      const last = requireDate(localDateIn(to, zone));
      let total = 0;
      let runStart: number | null = null;
      for (let ms = first; ms <= last + DAY_MS; ms += DAY_MS) {
        const working = ms <= last && verdict(formatDate(ms), ms).working;
        if (working && runStart === null) runStart = ms;
        if (!working && runStart !== null) {
          total += Math.max(0, Math.min(end, midnight(ms)) - Math.max(begin, midnight(runStart)));
          runStart = null;
        }
      }
      return total;
    },
  };
}

const KEYS = ['workdays', 'holidays', 'extra_holidays', 'extra_workdays'] as const;

function show(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid date' : value.toISOString();
  return JSON.stringify(value) ?? String(value);
}

/** A config problem per bad value (unknown weekday, unknown region, a date not YYYY-MM-DD or not a real date), as "calendar.<key>: ..." lines; [] when fine. */
export function calendarProblems(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return [`calendar: must be a mapping with ${KEYS.join(', ')} (got ${show(raw)})`];
  }
  const problems: string[] = [];
  const value = raw as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    if (!(KEYS as readonly string[]).includes(key)) problems.push(`calendar.${key}: unknown key (calendar takes ${KEYS.join(', ')})`);
  }

  const workdays = value.workdays;
  if (workdays !== undefined) {
    if (!Array.isArray(workdays)) {
      problems.push(`calendar.workdays: must be a list of weekdays (${WEEKDAYS.join(', ')}), got ${show(workdays)}`);
    } else {
      for (const item of workdays) {
        if (!WEEKDAYS.includes(item as Weekday)) problems.push(`calendar.workdays: ${show(item)} is not a weekday (${WEEKDAYS.join(', ')})`);
      }
      if (workdays.length === 0) problems.push(`calendar.workdays: is empty; list at least one weekday (${WEEKDAYS.join(', ')})`);
    }
  }

  const holidays = value.holidays;
  if (holidays !== undefined && !HOLIDAY_REGIONS.includes(holidays as HolidayRegion)) {
    problems.push(`calendar.holidays: ${show(holidays)} is not a holiday region (${HOLIDAY_REGIONS.join(', ')})`);
  }

  for (const key of ['extra_holidays', 'extra_workdays'] as const) {
    const dates = value[key];
    if (dates === undefined) continue;
    if (!Array.isArray(dates)) {
      problems.push(`calendar.${key}: must be a list of dates (YYYY-MM-DD), got ${show(dates)}`);
      continue;
    }
    for (const item of dates) {
      if (typeof item !== 'string' || !DATE.test(item)) {
        problems.push(`calendar.${key}: ${show(item)} is not a date in YYYY-MM-DD form`);
      } else if (parseDate(item) === null) {
        problems.push(`calendar.${key}: "${item}" is not a real date`);
      }
    }
  }
  return problems;
}

const calendars = new WeakMap<object, BusinessCalendar>();

/** The calendar of a config's `calendar:` settings, built once per settings object. */
export function calendarOf(config: { calendar: CalendarSettings }): BusinessCalendar {
  let calendar = calendars.get(config.calendar);
  if (!calendar) {
    calendar = createCalendar(config.calendar);
    calendars.set(config.calendar, calendar);
  }
  return calendar;
}
