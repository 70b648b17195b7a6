import escapeHtml from 'escape-html';
import { formatDuration, STATUS_COLOUR, STATUS_ICON, type Status, type StatusCounts } from '@datamon/core';

/**
 * Text helpers shared by the card and email renderers. Everything that comes from a check (or
 * the config) goes through `html()` before it is put into HTML-capable text, in cards and emails.
 */

/** HTML-escapes any value (`null`/`undefined` become empty). */
export function html(value: unknown): string {
  return escapeHtml(value === null || value === undefined ? '' : String(value));
}

/**
 * Text for Chat fields that are plain text (card header title and subtitle): they do not render
 * HTML, so escaping would show `&lt;`; angle brackets are swapped for look-alikes instead, so that
 * nothing tag-like travels anywhere in a body.
 */
export function plain(value: unknown): string {
  return String(value ?? '').replaceAll('<', '‹').replaceAll('>', '›');
}

/** The icon and the coloured status word, for Chat text (`<font color>` is what Chat renders). */
export function chatStatus(status: Status): string {
  return `${STATUS_ICON[status]} <font color="${STATUS_COLOUR[status]}"><b>${status}</b></font>`;
}

/** The icon and the coloured status word, for email HTML (inline style: mail clients drop CSS). */
export function emailStatus(status: Status): string {
  return `${STATUS_ICON[status]} <span style="color:${STATUS_COLOUR[status]};font-weight:bold">${status}</span>`;
}

/** The time between two ISO instants, for people. */
export function durationBetween(from: string, to: string): string {
  return formatDuration(Date.parse(to) - Date.parse(from));
}

/** Made once: each `Intl` formatter holds ICU memory outside the JavaScript heap. */
const MEASURED = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });

/** A measured value for people: numbers with separators, null as "no value". */
export function formatValue(value: number | string | null): string {
  if (value === null) return 'no value';
  if (typeof value === 'number') return MEASURED.format(value);
  return value;
}

/**
 * "1 critical, 1 warning" (the statuses that need a look, worst first); "all 3 OK" when none.
 * This is the part in brackets of a check-in subject.
 */
export function countsPhrase(counts: StatusCounts): string {
  const parts: string[] = [];
  if (counts.CRITICAL > 0) parts.push(`${counts.CRITICAL} critical`);
  if (counts.WARNING > 0) parts.push(`${counts.WARNING} warning`);
  if (counts.PENDING > 0) parts.push(`${counts.PENDING} waiting`);
  return parts.length > 0 ? parts.join(', ') : `all ${counts.OK} OK`;
}

/**
 * A check-in's status word: PENDING is "WAITING" there (README "Watching the monitor"): a
 * check-in with a pipeline still waiting for its event has not found everything OK.
 */
export function checkinWord(status: Status): string {
  return status === 'PENDING' ? 'WAITING' : status;
}

/** "1 incident" / "2 incidents". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
