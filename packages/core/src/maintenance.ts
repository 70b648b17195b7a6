import { CronExpressionParser } from 'cron-parser';
import { DateTime } from 'luxon';
import { cronProblem } from './cron.ts';
import { isValidTimeZone, wallClockToInstant } from './time.ts';

/**
 * Maintenance windows (README "Business calendar and maintenance windows"): recurring and one-off
 * windows from the config file and ad hoc ones opened through the API, turned into concrete
 * occurrences. During an occurrence the checks run but nothing is sent for its pipelines. Pure:
 * `now` and the zone are passed in; the caller loads ad hoc windows and early ends from Redis.
 */

/**
 * A window as the config file writes it, after validation. `pipelines: null` = every pipeline.
 * A recurring window starts at each `cron` slot (local time); a one-off window's `from` and `to`
 * are local wall-clock times "YYYY-MM-DD HH:MM" in `monitoring.timezone`.
 */
export type MaintenanceConfig =
  | { name: string; pipelines: string[] | null; cron: string; duration_minutes: number }
  | { name: string; pipelines: string[] | null; from: string; to: string };

/** A window opened now through the API (stored in Redis by the caller). `from` and `to` are ISO instants. */
export interface AdHocWindow {
  id: string;
  name: string;
  pipelines: string[] | null;
  from: string;
  to: string;
  createdBy: string;
}

/** One concrete occurrence of a window. */
export interface MaintenanceOccurrence {
  /** Stable: the same occurrence always has the same id. Config windows: `cfg-<index>-<start epoch ms>`; ad hoc: its own id. */
  id: string;
  name: string;
  /** The pipelines it covers; null = every pipeline. */
  pipelines: string[] | null;
  /** ISO instant (UTC), inclusive. */
  start: string;
  /** ISO instant (UTC), exclusive; an early end (DELETE) already applied. */
  end: string;
  source: 'config' | 'api';
  /** Who opened an ad hoc window; null for config windows. */
  createdBy: string | null;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** The longest window: a week of silence is already more than anyone should forget about. */
const MAX_DURATION_MINUTES = 7 * 24 * 60;
/** What `GET /api/maintenance` lists ahead (README: "those of the next 7 days"). */
const DEFAULT_HORIZON_DAYS = 7;
/** A `* * * * *` window over 7 days would be 10,080 occurrences; nobody reads past this many. */
const MAX_OCCURRENCES_PER_WINDOW = 10_000;
/**
 * How far before cron-parser's `prev()` to start walking forward. Around a clock change `prev()`
 * can name a slot `next()` never fires (the second 01:00 of an autumn night) or miss one it does
 * (01:00 on the spring night, fired at 02:00 summer time); the true latest slot is at most the
 * size of the change away, and no zone changes by more than 2 hours.
 */
const PREV_SLACK_MS = 3 * HOUR_MS;

/**
 * Occurrences that are active at `now` or start within `days` days after it (start <= now + days),
 * sorted by start (then end, then id).
 *
 * - A recurring window's slots are the instants cron-parser's `next()` yields in `zone`, which is
 *   what BullMQ fires, so the spring and autumn nights agree with the schedule. A slot's
 *   occurrence ends `duration_minutes` of elapsed time after it (a 90-minute window is 90 minutes
 *   long on a clock-change night too). Only the latest slot at or before `now` can be active: an
 *   earlier one overlapping it ends sooner and covers nothing more.
 * - A one-off window's local `from`/`to` are read in `zone`; it is listed until it ends. A local
 *   time skipped by the spring change is read as the same clock time an hour later (luxon's rule).
 * - Ad hoc windows are listed until they end; one whose instants do not parse is left out.
 * - `endedEarly` maps an occurrence id to the ISO instant it was ended through the API; the
 *   occurrence ends then, so one ended before it started is never listed.
 *
 * Listing a frequent cron a week ahead costs one cron step per occurrence (about 2,000 for
 * `*\/5`, at most {@link MAX_OCCURRENCES_PER_WINDOW} per window). A caller that only needs what
 * is active now (the alert path) passes `days: 0`, which steps through at most the last three
 * hours of slots per window.
 *
 * @param input.config - the validated `maintenance:` list; an occurrence's id uses its index here,
 *   so pass the whole list in file order
 * @param input.zone - `monitoring.timezone`
 * @param input.days - how far ahead to list, in days of elapsed time; default 7
 */
export function maintenanceOccurrences(input: {
  config: readonly MaintenanceConfig[];
  adHoc: readonly AdHocWindow[];
  endedEarly?: Readonly<Record<string, string>>;
  now: Date;
  zone: string;
  days?: number;
}): MaintenanceOccurrence[] {
  const { zone } = input;
  if (!isValidTimeZone(zone)) throw new Error(`"${zone}" is not a time zone`);
  const days = input.days ?? DEFAULT_HORIZON_DAYS;
  if (!Number.isFinite(days) || days < 0) throw new RangeError(`days must be 0 or more, got ${days}`);
  const nowMs = input.now.getTime();
  const horizonMs = nowMs + days * DAY_MS;
  const endedEarly = input.endedEarly ?? {};
  const occurrences: MaintenanceOccurrence[] = [];

  const add = (occurrence: Omit<MaintenanceOccurrence, 'start' | 'end'>, startMs: number, naturalEndMs: number) => {
    const endedAt = Object.hasOwn(endedEarly, occurrence.id) ? Date.parse(endedEarly[occurrence.id] as string) : Number.NaN;
    const endMs = Number.isNaN(endedAt) ? naturalEndMs : Math.min(naturalEndMs, endedAt);
    if (endMs <= nowMs || endMs <= startMs || startMs > horizonMs) return;
    occurrences.push({ ...occurrence, start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() });
  };

  input.config.forEach((window, index) => {
    const base = { name: window.name, pipelines: window.pipelines, source: 'config' as const, createdBy: null };
    if ('cron' in window) {
      const durationMs = window.duration_minutes * MINUTE_MS;
      for (const startMs of recurringStarts(window.cron, zone, durationMs, nowMs, horizonMs)) {
        add({ id: `cfg-${index}-${startMs}`, ...base }, startMs, startMs + durationMs);
      }
    } else {
      const startMs = wallClockToInstant(window.from, zone).getTime();
      add({ id: `cfg-${index}-${startMs}`, ...base }, startMs, wallClockToInstant(window.to, zone).getTime());
    }
  });

  for (const window of input.adHoc) {
    const startMs = Date.parse(window.from);
    const endMs = Date.parse(window.to);
    // A malformed record in Redis must not hide every other window from the dashboard.
    if (Number.isNaN(startMs) || Number.isNaN(endMs)) continue;
    add({ id: window.id, name: window.name, pipelines: window.pipelines, source: 'api', createdBy: window.createdBy }, startMs, endMs);
  }

  return occurrences.sort((a, b) => compareInstants(a.start, b.start) || compareInstants(a.end, b.end) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Start instants (epoch ms) of a recurring window that are still running at `now` or start by
 * `horizonMs`: at most the latest slot at or before `now` (if it has not ended), then every slot
 * up to the horizon, {@link MAX_OCCURRENCES_PER_WINDOW} at most.
 */
function recurringStarts(cron: string, zone: string, durationMs: number, nowMs: number, horizonMs: number): number[] {
  // A slot at or before now - duration has ended, so the walk starts there at the earliest; near
  // `prev()` when it can, so a frequent cron with a long duration does not step through a week.
  let walkFrom = nowMs - durationMs;
  try {
    const previous = CronExpressionParser.parse(cron, { tz: zone, currentDate: new Date(nowMs + 1) }).prev().getTime();
    walkFrom = Math.max(walkFrom, previous - PREV_SLACK_MS);
  } catch {
    // No earlier slot at all: walk from the earliest start that could still be running.
  }
  const slots = CronExpressionParser.parse(cron, { tz: zone, currentDate: new Date(walkFrom) });
  let running: number | null = null;
  const upcoming: number[] = [];
  for (;;) {
    let slot: number;
    try {
      slot = slots.next().getTime();
    } catch {
      break; // the pattern fires no more (cron-parser gives up after years without a match)
    }
    if (slot <= nowMs) {
      if (slot + durationMs > nowMs) running = slot;
      continue;
    }
    if (slot > horizonMs) break;
    upcoming.push(slot);
    if (upcoming.length + (running === null ? 0 : 1) >= MAX_OCCURRENCES_PER_WINDOW) break;
  }
  return running === null ? upcoming : [running, ...upcoming];
}

function compareInstants(a: string, b: string): number {
  return Date.parse(a) - Date.parse(b);
}

/** The occurrences active at `now` (start <= now < end). */
export function activeMaintenance(occurrences: readonly MaintenanceOccurrence[], now: Date): MaintenanceOccurrence[] {
  const nowMs = now.getTime();
  return occurrences.filter((occurrence) => Date.parse(occurrence.start) <= nowMs && nowMs < Date.parse(occurrence.end));
}

/**
 * For one pipeline: the end (ISO) of the active window covering it that ends last, or null when
 * none covers it. Overlapping windows hold its alerts until the last of them ends, so that is the
 * "maintenance until" the dashboard shows.
 *
 * @param active - occurrences already known to be active (see {@link activeMaintenance})
 */
export function maintenanceUntil(pipelineId: string, active: readonly MaintenanceOccurrence[]): string | null {
  let until: string | null = null;
  for (const occurrence of active) {
    if (occurrence.pipelines !== null && !occurrence.pipelines.includes(pipelineId)) continue;
    if (until === null || Date.parse(occurrence.end) > Date.parse(until)) until = occurrence.end;
  }
  return until;
}

const KEYS = ['name', 'pipelines', 'cron', 'duration_minutes', 'from', 'to'] as const;
const RECURRING_KEYS = ['cron', 'duration_minutes'] as const;
const ONE_OFF_KEYS = ['from', 'to'] as const;
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/;
const EITHER_KIND = 'either cron + duration_minutes (a recurring window) or from + to (a one-off window)';

function show(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid date' : value.toISOString();
  return JSON.stringify(value) ?? String(value);
}

/** Why a local "YYYY-MM-DD HH:MM" value is not one, or null; the zone does not matter for its shape. */
function localTimeProblem(value: unknown): string | null {
  if (typeof value !== 'string') return `must be a local time "YYYY-MM-DD HH:MM" in quotes, got ${show(value)}`;
  if (!LOCAL_TIME.test(value)) return `"${value}" is not a local time in the form "YYYY-MM-DD HH:MM"`;
  // The round trip also refuses 24:00, which luxon would roll over into the next day.
  const parsed = DateTime.fromFormat(value, 'yyyy-LL-dd HH:mm', { zone: 'UTC' });
  if (!parsed.isValid || parsed.toFormat('yyyy-LL-dd HH:mm') !== value) return `"${value}" is not a real date and time`;
  return null;
}

/**
 * Reads the config file's `maintenance:` list (README "Business calendar and maintenance windows").
 * Problems, each as "maintenance[i].<key>: ..." ("maintenance[i]: ..." for the window as a whole):
 * a missing name; not exactly one of cron + duration_minutes or from + to; a bad cron pattern;
 * duration_minutes not a whole number from 1 to 10080 (7 days); from/to not a real local
 * "YYYY-MM-DD HH:MM", or to not after from; pipelines not a non-empty list of known pipeline ids;
 * an unknown key. A one-off window wholly in the past is fine: it is simply never listed.
 *
 * `windows` holds the windows without problems, in file order. Occurrence ids use a window's
 * position, so a caller refuses the config when `problems` is not empty, as the loader does.
 *
 * @param raw - the `maintenance` value as the file gave it (undefined or null when absent)
 * @param knownPipelines - the ids of the effective pipelines
 */
export function readMaintenance(raw: unknown, knownPipelines: readonly string[]): { windows: MaintenanceConfig[]; problems: string[] } {
  const windows: MaintenanceConfig[] = [];
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { windows, problems };
  if (!Array.isArray(raw)) {
    problems.push(`maintenance: must be a list of windows, each with a name and ${EITHER_KIND}; got ${show(raw)}`);
    return { windows, problems };
  }
  const known = new Set(knownPipelines);
  const knownList = knownPipelines.length > 0 ? knownPipelines.join(', ') : 'none';

  raw.forEach((item: unknown, index) => {
    const path = `maintenance[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(`${path}: must be a mapping with a name and ${EITHER_KIND}; got ${show(item)}`);
      return;
    }
    const value = item as Record<string, unknown>;
    const own: string[] = [];
    const problem = (key: string | null, message: string) => own.push(`${key === null ? path : `${path}.${key}`}: ${message}`);

    for (const key of Object.keys(value)) {
      if (!(KEYS as readonly string[]).includes(key)) problem(key, `unknown key (a window takes ${KEYS.join(', ')})`);
    }

    const name = value.name;
    if (name === undefined || name === null || (typeof name === 'string' && name.trim() === '')) {
      problem('name', 'is required (it is what the dashboard and GET /api/maintenance show)');
    } else if (typeof name !== 'string') {
      problem('name', `must be a string, got ${show(name)}`);
    }

    let pipelines: string[] | null = null;
    if (value.pipelines !== undefined) {
      const list = value.pipelines;
      if (!Array.isArray(list)) {
        problem('pipelines', `must be a list of pipeline ids (leave it out to cover every pipeline), got ${show(list)}`);
      } else if (list.length === 0) {
        problem('pipelines', 'is empty: list at least one pipeline id, or leave pipelines out to cover every pipeline');
      } else {
        for (const id of list as unknown[]) {
          if (typeof id !== 'string' || !known.has(id)) problem('pipelines', `unknown pipeline ${show(id)} (known: ${knownList})`);
        }
        pipelines = [...new Set(list.filter((id): id is string => typeof id === 'string'))];
      }
    }

    const has = (key: string) => value[key] !== undefined;
    const recurring = RECURRING_KEYS.some(has);
    const oneOff = ONE_OFF_KEYS.some(has);
    if (recurring && oneOff) {
      problem(ONE_OFF_KEYS.find(has) as string, `cannot be combined with ${RECURRING_KEYS.filter(has).join(' or ')}: a window has ${EITHER_KIND}, not both`);
    } else if (!recurring && !oneOff) {
      problem(null, `needs ${EITHER_KIND}`);
    } else if (recurring) {
      if (!has('cron')) problem('cron', 'is required with duration_minutes (when each window starts: a cron pattern in local time)');
      if (!has('duration_minutes')) problem('duration_minutes', `is required with cron (how long each window lasts: 1 to ${MAX_DURATION_MINUTES} minutes)`);
    } else {
      if (!has('from')) problem('from', 'is required with to (when the window starts: "YYYY-MM-DD HH:MM" local time)');
      if (!has('to')) problem('to', 'is required with from (when the window ends: "YYYY-MM-DD HH:MM" local time)');
    }

    const cron = value.cron;
    if (cron !== undefined) {
      const why = typeof cron === 'string' ? cronProblem(cron) : `must be a cron pattern in quotes, got ${show(cron)}`;
      if (why !== null) problem('cron', why);
    }

    const duration = value.duration_minutes;
    if (duration !== undefined) {
      if (typeof duration !== 'number' || !Number.isInteger(duration)) {
        problem('duration_minutes', `must be a whole number of minutes, got ${show(duration)}`);
      } else if (duration <= 0) {
        problem('duration_minutes', `must be more than 0 minutes, got ${duration}`);
      } else if (duration > MAX_DURATION_MINUTES) {
        problem('duration_minutes', `must be at most ${MAX_DURATION_MINUTES} minutes (7 days), got ${duration}`);
      }
    }

    const fromProblem = value.from === undefined ? null : localTimeProblem(value.from);
    const toProblem = value.to === undefined ? null : localTimeProblem(value.to);
    if (fromProblem !== null) problem('from', fromProblem);
    if (toProblem !== null) problem('to', toProblem);
    // Same fixed-width form on both sides, so the strings compare as the wall-clock times do.
    if (has('from') && has('to') && fromProblem === null && toProblem === null && (value.to as string) <= (value.from as string)) {
      problem('to', `${show(value.to)} is not after from (${show(value.from)})`);
    }

    problems.push(...own);
    if (own.length > 0) return;
    const windowName = name as string;
    windows.push(
      recurring
        ? { name: windowName, pipelines, cron: cron as string, duration_minutes: duration as number }
        : { name: windowName, pipelines, from: value.from as string, to: value.to as string },
    );
  });
  return { windows, problems };
}
