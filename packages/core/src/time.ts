import { DateTime, IANAZone } from 'luxon';

/** Local-time arithmetic in IANA zones. Pure: `now` is always passed in. */

/**
 * Whether `zone` names a real IANA time zone. Through luxon's zone cache, so each name is tried
 * once: trying one builds an `Intl.DateTimeFormat`, whose ICU memory is malloc'd and, made a
 * thousand times a round, stays in the process as fragmented heap (measured: ~30 MB RSS in the
 * alert worker after rounds of 1,000 changes).
 */
export function isValidTimeZone(zone: string): boolean {
  return zone !== '' && IANAZone.create(zone).isValid;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isHHMM(value: string): boolean {
  return HHMM.test(value);
}

/** Minutes after local midnight of an "HH:MM" string. Throws on a malformed one. */
export function parseHHMM(value: string): number {
  const match = HHMM.exec(value);
  if (!match) throw new Error(`"${value}" is not a time of day (HH:MM, 00:00 to 23:59)`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** The local calendar date of `now` in `zone`, as YYYY-MM-DD. */
export function localDate(now: Date, zone: string): string {
  return DateTime.fromJSDate(now, { zone }).toISODate() as string;
}

/** Minutes since local midnight of `now` in `zone` (wall-clock, so 07:30 is 450 on any day). */
export function localMinutes(now: Date, zone: string): number {
  const local = DateTime.fromJSDate(now, { zone });
  return local.hour * 60 + local.minute;
}

/** The UTC instant of a local wall-clock time on the local day of `now`. */
export function localTimeOn(now: Date, zone: string, hhmm: string): Date {
  const minutes = parseHHMM(hhmm);
  const day = DateTime.fromJSDate(now, { zone }).startOf('day');
  return day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 }).toJSDate();
}

export interface InstantRange {
  /** Inclusive start. */
  start: Date;
  /** Exclusive end. */
  end: Date;
}

/**
 * The local day `offsetDays` from the day of `now` (0 today, -1 yesterday) as a half-open range of
 * instants. Right on clock-change days: 2026-03-29 in London is 23 hours long, 2026-10-25 is 25.
 */
export function localDayRange(now: Date, zone: string, offsetDays = 0): InstantRange {
  const start = DateTime.fromJSDate(now, { zone }).startOf('day').plus({ days: offsetDays });
  const end = start.plus({ days: 1 });
  return { start: start.toJSDate(), end: end.toJSDate() };
}

/** A local date `YYYY-MM-DD` in `zone` as a half-open range of instants (23 h or 25 h on clock-change days). */
export function localDateRange(date: string, zone: string): InstantRange {
  const start = DateTime.fromISO(date, { zone }).startOf('day');
  if (!start.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`"${date}" is not a date (YYYY-MM-DD)`);
  return { start: start.toJSDate(), end: start.plus({ days: 1 }).toJSDate() };
}

/** Formats an instant for people, in the monitoring zone: "2026-03-30 11:45". */
export function formatLocal(instant: Date | string, zone: string): string {
  const dt = typeof instant === 'string' ? DateTime.fromISO(instant) : DateTime.fromJSDate(instant);
  return dt.setZone(zone).toFormat('yyyy-LL-dd HH:mm');
}

/** Formats an instant's time of day for people, in the zone: "11:45". */
export function formatLocalTime(instant: Date | string, zone: string): string {
  const dt = typeof instant === 'string' ? DateTime.fromISO(instant) : DateTime.fromJSDate(instant);
  return dt.setZone(zone).toFormat('HH:mm');
}

/**
 * A wall-clock DATETIME as stored by the warehouse ("2026-03-30 07:12:00", no zone) read as an
 * instant in `zone`.
 */
export function wallClockToInstant(wallClock: string, zone: string): Date {
  const dt = DateTime.fromSQL(wallClock, { zone });
  if (!dt.isValid) throw new Error(`"${wallClock}" is not a DATETIME value`);
  return dt.toJSDate();
}

/** An instant as the warehouse's wall-clock DATETIME string in `zone`, for query parameters. */
export function instantToWallClock(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat('yyyy-LL-dd HH:mm:ss');
}

/** A local date `days` later (negative: earlier), `YYYY-MM-DD`: calendar days, clock changes aside. */
export function addDays(date: string, days: number): string {
  const dt = DateTime.fromISO(date, { zone: 'UTC' });
  if (!dt.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`"${date}" is not a date (YYYY-MM-DD)`);
  return dt.plus({ days }).toISODate() as string;
}

/** The instant on local `date` at the same local time of day as `now` (in `zone`). */
export function sameTimeOfDay(date: string, now: Date, zone: string): Date {
  const local = DateTime.fromJSDate(now, { zone });
  return DateTime.fromISO(date, { zone }).set({ hour: local.hour, minute: local.minute, second: local.second, millisecond: local.millisecond }).toJSDate();
}

/** Minutes between two wall-clock DATETIME strings, as the warehouse's TIMESTAMPDIFF counts them. */
export function wallClockMinutes(from: string, to: string): number {
  return DateTime.fromSQL(to, { zone: 'UTC' }).diff(DateTime.fromSQL(from, { zone: 'UTC' }), 'minutes').minutes;
}

/** Fills {YYYYMMDD}, {YYYY}, {MM}, {DD} with the local date of `now`. */
export function fillDateTemplate(pattern: string, now: Date, zone: string): string {
  const local = DateTime.fromJSDate(now, { zone });
  return pattern
    .replaceAll('{YYYYMMDD}', local.toFormat('yyyyLLdd'))
    .replaceAll('{YYYY}', local.toFormat('yyyy'))
    .replaceAll('{MM}', local.toFormat('LL'))
    .replaceAll('{DD}', local.toFormat('dd'));
}
