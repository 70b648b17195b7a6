/** Times as people at the monitored site read them: in `monitoring.timezone`. */

export const STATUS_ICON = { OK: '✅', WARNING: '⚠️', CRITICAL: '🔴', PENDING: '⏳' };
export const STATUS_COLOUR = { OK: '#188038', WARNING: '#f29900', CRITICAL: '#d93025', PENDING: '#5f6368' };

let timeZone = undefined;
let timeFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
let secondsFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
let dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' });
let weekdayFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'short' });
let dateKeyFormat = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' });

/** Uses the monitor's time zone for everything shown (an unknown zone keeps the browser's). */
export function useTimeZone(zone) {
  try {
    timeFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: zone });
    secondsFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: zone });
    dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: zone });
    weekdayFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'short', timeZone: zone });
    dateKeyFormat = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: zone });
    timeZone = zone;
  } catch {
    timeZone = undefined;
  }
}

export function currentTimeZone() {
  return timeZone;
}

/** The local calendar day of an instant, `YYYY-MM-DD`. */
export function dayKey(date) {
  return dateKeyFormat.format(date);
}

export function isToday(iso, now = new Date()) {
  return Boolean(iso) && dayKey(new Date(iso)) === dayKey(now);
}

/** "14:05" today, "Tue 14:05" within the week either side, "3 Jun 14:05" further; "—" for none. */
export function formatTime(iso, now = new Date()) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  if (isToday(iso, now)) return timeFormat.format(date);
  const near = Math.abs(now.getTime() - date.getTime()) < 6 * 86_400_000;
  return `${(near ? weekdayFormat : dayFormat).format(date)} ${timeFormat.format(date)}`;
}

export function formatClock(date) {
  return secondsFormat.format(date);
}

/** "3 h 5 min", "12 min", "40 s", "2 d 4 h". */
export function formatDuration(ms) {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** "14:05 · 3 h 5 min": when it started and for how long. */
export function formatSince(iso, now = new Date()) {
  if (!iso) return '—';
  return `${formatTime(iso, now)} · ${formatDuration(now.getTime() - Date.parse(iso))}`;
}

export function formatValue(value) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-GB') : value.toLocaleString('en-GB', { maximumFractionDigits: 2 });
  return String(value);
}
