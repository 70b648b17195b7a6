import { DateTime } from 'luxon';

/** Days between the spreadsheet epoch (1899-12-30) and the Unix epoch. */
const SHEETS_EPOCH_OFFSET_DAYS = 25_569;
const DATE_AND_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/;

/**
 * The instant a Sheets cell says, or null when it holds no timestamp. Pure. Accepted:
 * - an ISO 8601 timestamp with an offset or `Z` ("2026-03-30T10:15:00Z");
 * - a wall-clock "YYYY-MM-DD HH:MM[:SS]", read in `zone` (the monitoring zone);
 * - a date-formatted cell, which the API gives as a serial number of days since 1899-12-30
 *   (read as wall-clock in `zone`, like the sheet's own time zone is assumed to be).
 */
export function parseSheetTimestamp(cell: unknown, zone: string): Date | null {
  if (typeof cell === 'number' && Number.isFinite(cell) && cell > 0) {
    const wallClockMs = Math.round((cell - SHEETS_EPOCH_OFFSET_DAYS) * 86_400_000);
    const asUtc = DateTime.fromMillis(wallClockMs, { zone: 'UTC' });
    const local = DateTime.fromObject(
      { year: asUtc.year, month: asUtc.month, day: asUtc.day, hour: asUtc.hour, minute: asUtc.minute, second: asUtc.second },
      { zone },
    );
    return local.isValid ? local.toJSDate() : null;
  }
  if (typeof cell !== 'string') return null;
  const text = cell.trim();
  // A date alone is not a time of update: only date-and-time texts are read.
  if (!DATE_AND_TIME.test(text)) return null;
  // With an offset or Z the text is an instant; without one luxon reads it as wall-clock in `zone`.
  const parsed = DateTime.fromISO(text.replace(' ', 'T'), { zone });
  return parsed.isValid ? parsed.toJSDate() : null;
}
