/**
 * How datamon writes things for people, the same everywhere: in cards and emails (the
 * renderers) and on the dashboard, which is served these very functions as a module
 * (`/js/shared.js`, made from this file at start-up). So each function here must stand alone:
 * no reference to anything outside its own body.
 */

/** "40 s", "12 min", "1 h 5 min", "2 d 3 h": a span of time, to the unit that matters. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}
