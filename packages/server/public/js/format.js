// @ts-check
/** Times as people at the monitored site read them: in `monitoring.timezone`. */

import { formatDuration } from './shared.js';

export { STATUS_COLOUR, STATUS_ICON, formatDuration } from './shared.js';

/** @type {string | undefined} */
let timeZone = undefined;
let timeFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
let secondsFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
let dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' });
let weekdayFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'short' });
let dateKeyFormat = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' });
let zoneFormat = new Intl.DateTimeFormat('en-GB', { timeZoneName: 'short' });
let fullFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'long' });

/**
 * Uses the monitor's time zone for everything shown (an unknown zone keeps the browser's).
 * @param {string | undefined} zone
 */
export function useTimeZone(zone) {
  try {
    timeFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: zone });
    secondsFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: zone });
    dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: zone });
    weekdayFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'short', timeZone: zone });
    dateKeyFormat = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: zone });
    zoneFormat = new Intl.DateTimeFormat('en-GB', { timeZoneName: 'short', timeZone: zone });
    fullFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'long', timeZone: zone });
    timeZone = zone;
  } catch {
    timeZone = undefined;
  }
}

export function currentTimeZone() {
  return timeZone;
}

/**
 * The local calendar day of an instant, `YYYY-MM-DD`.
 * @param {Date | number} date
 */
export function dayKey(date) {
  return dateKeyFormat.format(date);
}

/** @param {string | null | undefined} iso */
export function isToday(iso, now = new Date()) {
  return iso ? dayKey(new Date(iso)) === dayKey(now) : false;
}

/**
 * The monitor's zone as people abbreviate it at that instant ("GMT", "BST", "GMT-5").
 * @param {Date} date
 */
export function zoneName(date) {
  return zoneFormat.formatToParts(date).find((part) => part.type === 'timeZoneName')?.value ?? '';
}

/**
 * "14:05 GMT" today, "Tue 14:05 GMT" within the week either side, "3 Jun 14:05 GMT" further; "—"
 * for none. Every time carries the monitor's zone: a viewer elsewhere is not left to guess.
 * @param {string | null | undefined} iso
 */
export function formatTime(iso, now = new Date()) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  const time = `${timeFormat.format(date)} ${zoneName(date)}`;
  if (isToday(iso, now)) return time;
  const near = Math.abs(now.getTime() - date.getTime()) < 6 * 86_400_000;
  return `${(near ? weekdayFormat : dayFormat).format(date)} ${time}`;
}

/**
 * The full date and time, for a hover: "Saturday 28 November 2026 at 04:51:03 GMT".
 * @param {string | null | undefined} iso
 */
export function fullDate(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : fullFormat.format(date);
}

/** @param {Date} date */
export function formatClock(date) {
  return `${secondsFormat.format(date)} ${zoneName(date)}`;
}

/**
 * "14:05 · 3 h 5 min": when it started and for how long.
 * @param {string | null | undefined} iso
 */
export function formatSince(iso, now = new Date()) {
  if (!iso) return '—';
  return `${formatTime(iso, now)} · ${formatDuration(now.getTime() - Date.parse(iso))}`;
}

/** @param {unknown} value */
export function formatValue(value) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-GB') : value.toLocaleString('en-GB', { maximumFractionDigits: 2 });
  return String(value);
}
