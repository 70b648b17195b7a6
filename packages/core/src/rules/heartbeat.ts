import type { Static } from 'typebox';
import { formatDuration } from '../display.ts';
import type { PingSchema, PingTypeSchema } from '../views.ts';
import { nextRuns } from '../schedule.ts';
import { formatLocalTime } from '../time.ts';
import { formatBound } from './format.ts';
import type { MeasuredOutcome } from './rule-outcome.ts';

/**
 * Heartbeats (pipeline kind `heartbeat`): the job pings in, and its status follows from its pings.
 * `due` is the first schedule slot after the last success, or the last success + `period_minutes`.
 * Rows 1-7 give the status, the first that applies winning; rows 8-14 are the other decisions.
 *
 * | #  | Rule                                                                    | Status / example                                                 |
 * |----|-------------------------------------------------------------------------|------------------------------------------------------------------|
 * | 1  | no ping (log pings and pings after `now` do not count)                  | PENDING "waiting for the first ping"                             |
 * | 2  | a run in progress for strictly more than `maxRuntimeMinutes`            | CRITICAL "running since 02:00 (started 5 h ago, over the 240 min limit)" |
 * | 3  | the latest finish is a failure (so no success after it)                 | CRITICAL "exit code 3 at 02:10: <first line>" / "failed at 02:10" |
 * | 4  | `now` before `due` (or no `due`, row 13)                                | OK "last success 02:14 (took 14 min); next due 02:00"            |
 * | 5  | `due` passed and a run is in progress within its limit, grace or not   | PENDING "due at 02:00: running since 02:05 (started 20 min ago, within the 240 min limit)" |
 * | 6  | `due` <= `now` <= `due` + grace (both ends inclusive)                   | PENDING "due at 02:00: waiting up to 60 min (grace)"             |
 * | 7  | `now` strictly after `due` + grace                                      | CRITICAL "no successful run since the 02:00 slot"                |
 * | 8  | pings but no success ever: `due` counts from the first ping             | "no success yet; next due 02:00"                                 |
 * | 9  | value: the latest finish's duration in whole seconds; null when that finish had no start, or none yet | |
 * | 10 | threshold: "due 02:00 + 60 min grace" / "every 30 min + 60 min grace"; row 2 "max runtime 240 min"; no `due` "schedule 0 2 * * * + 60 min grace" | |
 * | 11 | pings in any order: sorted by `at`, ties keep their order              |                                                                  |
 * | 12 | `isSlotExpected`: `due` is the first expected slot (the period form ignores it) |                                                          |
 * | 13 | no expected slot in the next 10,000: `due` is null                      | OK "last success 02:14 (took 14 min); no expected slot ahead"    |
 * | 14 | in progress: a start no finish took, until a run begun after it (or a finish with no start) finishes, or, without rid, a later start without rid comes; `running` is the earliest | |
 *
 * Times in messages are local "HH:MM" in `zone`. The period form is elapsed time (30 min is 30 min across a clock
 * change); the schedule form is `nextRun`, which is what BullMQ runs. A failure's line is the body's first
 * non-blank line, trimmed, cut at 200 characters.
 */

/** What a ping says; its schema (stored, served) is `PingSchema` in views.ts. */
export type PingType = Static<typeof PingTypeSchema>;

/** One ping: `at` (ISO arrival), `type`, `exitCode`, `rid`, `durationMs` (filled by pairPings for finishes), `body` (first 10,000 bytes). */
export type Ping = Static<typeof PingSchema>;

export interface HeartbeatInput {
  /** Any order; the rule sorts by `at`. */
  pings: readonly Ping[];
  now: Date;
  /** `monitoring.timezone`. */
  zone: string;
  /** Cron, or null when period is used. */
  schedule: string | null;
  periodMinutes: number | null;
  graceMinutes: number;
  maxRuntimeMinutes: number;
  /** Optional: slots on closed days are skipped (business calendar); default every slot counts. */
  isSlotExpected?: (slot: Date) => boolean;
}

const MINUTE_MS = 60_000;
/** How many slots are tried for an expected one before giving up (row 13). */
const MAX_SLOTS = 10_000;
const SLOT_BATCH = 100;
const MAX_LINE = 200;

const isFinish = (ping: Ping): boolean => ping.type === 'success' || ping.type === 'fail';
const instant = (ping: Ping): number => Date.parse(ping.at);

/** Indices of `pings` in time order; equal instants keep their order. */
function timeOrder(pings: readonly Ping[]): number[] {
  return pings.map((_, i) => i).sort((a, b) => instant(pings[a] as Ping) - instant(pings[b] as Ping) || a - b);
}

/** For each finish (by index), the index of the start it took, or null; other pings are left out. */
function matchStarts(pings: readonly Ping[], order: readonly number[]): Map<number, number | null> {
  const matched = new Map<number, number | null>();
  const taken = new Set<number>();
  const starts: number[] = [];
  for (const i of order) {
    const ping = pings[i] as Ping;
    if (ping.type === 'start') starts.push(i);
    if (!isFinish(ping)) continue;
    let match: number | null = null;
    for (let k = starts.length - 1; k >= 0; k -= 1) {
      const start = starts[k] as number;
      if (taken.has(start)) continue;
      if (ping.rid === null || (pings[start] as Ping).rid === ping.rid) {
        match = start;
        break;
      }
    }
    if (match !== null) taken.add(match);
    matched.set(i, match);
  }
  return matched;
}

/**
 * Fills durationMs of each finish (success/fail) from its start: the start with the same rid, or, without rid, the
 * latest start before it that no other finish took. Returns new objects, same order.
 * A finish with no start gets null; starts and logs are copied unchanged.
 */
export function pairPings(pings: readonly Ping[]): Ping[] {
  const matched = matchStarts(pings, timeOrder(pings));
  return pings.map((ping, i) => {
    if (!matched.has(i)) return { ...ping };
    const start = matched.get(i);
    const durationMs = start === null || start === undefined ? null : instant(ping) - instant(pings[start] as Ping);
    return { ...ping, durationMs };
  });
}

/** The earliest start of a run still in progress (row 14), from pings already in time order. */
function findRunning(pings: readonly Ping[], matched: ReadonlyMap<number, number | null>): Ping | null {
  let laterFinishWithoutStart = false;
  let latestStartOfLaterFinish = -1;
  let laterStartWithoutRid = false;
  let running: Ping | null = null;
  const taken = new Set([...matched.values()].filter((start): start is number => start !== null));
  for (let i = pings.length - 1; i >= 0; i -= 1) {
    const ping = pings[i] as Ping;
    if (isFinish(ping)) {
      const start = matched.get(i) ?? null;
      if (start === null) laterFinishWithoutStart = true;
      else latestStartOfLaterFinish = Math.max(latestStartOfLaterFinish, start);
      continue;
    }
    if (ping.type !== 'start') continue;
    const open =
      !taken.has(i) &&
      !laterFinishWithoutStart &&
      latestStartOfLaterFinish <= i &&
      !(ping.rid === null && laterStartWithoutRid);
    if (open) running = ping;
    if (ping.rid === null) laterStartWithoutRid = true;
  }
  return running;
}

/** The first slot strictly after `from` that counts (rows 12 and 13). */
function nextExpectedSlot(schedule: string, zone: string, from: Date, isSlotExpected?: (slot: Date) => boolean): Date | null {
  let cursor = from;
  for (let tried = 0; tried < MAX_SLOTS; tried += SLOT_BATCH) {
    const slots = nextRuns(schedule, zone, cursor, SLOT_BATCH);
    const found = slots.find((slot) => !isSlotExpected || isSlotExpected(slot));
    if (found) return found;
    cursor = slots[slots.length - 1] as Date;
  }
  return null;
}

/** The body's first non-blank line, trimmed and cut short. */
function firstLine(body: string): string {
  const line = body.split(/\r?\n/).map((text) => text.trim()).find((text) => text !== '') ?? '';
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;
}

/**
 * A heartbeat pipeline's status from its pings (see the table at the top of this file).
 *
 * @param input - the pings, `now`, the zone, the schedule or period and the bounds
 * @returns the outcome, with `due`, the last success and the run in progress (ISO instants)
 */
export function evaluateHeartbeat(
  input: HeartbeatInput,
): MeasuredOutcome & { due: string | null; lastSuccessAt: string | null; running: { since: string; rid: string | null } | null } {
  const { now, zone, schedule, periodMinutes, graceMinutes, maxRuntimeMinutes, isSlotExpected } = input;
  if (schedule === null && periodMinutes === null) throw new Error('a heartbeat needs a schedule or period_minutes');
  const nowMs = now.getTime();
  const hhmm = (at: Date | string) => formatLocalTime(at, zone);
  const grace = `${formatBound(graceMinutes)} min grace`;

  const arrived = input.pings.filter((ping) => ping.type !== 'log' && instant(ping) <= nowMs);
  const order = timeOrder(arrived);
  const pings = order.map((i) => arrived[i] as Ping);
  const sortedOrder = pings.map((_, i) => i);
  const matched = matchStarts(pings, sortedOrder);
  const durationOf = (i: number): number | null => {
    const start = matched.get(i);
    return start === null || start === undefined ? null : instant(pings[i] as Ping) - instant(pings[start] as Ping);
  };

  const threshold = (due: Date | null): string =>
    schedule === null ? `every ${formatBound(periodMinutes as number)} min + ${grace}`
    : due ? `due ${hhmm(due)} + ${grace}`
    : `schedule ${schedule} + ${grace}`;

  const first = pings[0];
  if (first === undefined) {
    return { status: 'PENDING', value: null, threshold: threshold(null), message: 'waiting for the first ping', due: null, lastSuccessAt: null, running: null };
  }

  const lastFinishIndex = sortedOrder.findLast((i) => isFinish(pings[i] as Ping));
  const lastSuccessIndex = sortedOrder.findLast((i) => (pings[i] as Ping).type === 'success');
  const lastFinish = lastFinishIndex === undefined ? null : (pings[lastFinishIndex] as Ping);
  const lastSuccess = lastSuccessIndex === undefined ? null : (pings[lastSuccessIndex] as Ping);
  const lastDuration = lastFinishIndex === undefined ? null : durationOf(lastFinishIndex);
  const value = lastDuration === null ? null : Math.round(lastDuration / 1000);

  const anchor = new Date(instant(lastSuccess ?? first));
  const dueDate =
    schedule === null ? new Date(anchor.getTime() + (periodMinutes as number) * MINUTE_MS)
    : nextExpectedSlot(schedule, zone, anchor, isSlotExpected);
  const runningStart = findRunning(pings, matched);
  const base = {
    value,
    threshold: threshold(dueDate),
    due: dueDate?.toISOString() ?? null,
    lastSuccessAt: lastSuccess?.at ?? null,
    running: runningStart ? { since: runningStart.at, rid: runningStart.rid } : null,
  };

  const maxRuntime = `${formatBound(maxRuntimeMinutes)} min`;
  if (runningStart) {
    const elapsed = nowMs - instant(runningStart);
    if (elapsed > maxRuntimeMinutes * MINUTE_MS) {
      return {
        ...base,
        status: 'CRITICAL',
        threshold: `max runtime ${maxRuntime}`,
        message: `running since ${hhmm(runningStart.at)} (started ${formatDuration(elapsed)} ago, over the ${maxRuntime} limit)`,
      };
    }
  }

  if (lastFinish?.type === 'fail') {
    const what = lastFinish.exitCode === null ? 'failed' : `exit code ${lastFinish.exitCode}`;
    const line = firstLine(lastFinish.body);
    return { ...base, status: 'CRITICAL', message: `${what} at ${hhmm(lastFinish.at)}${line ? `: ${line}` : ''}` };
  }

  if (dueDate === null || nowMs < dueDate.getTime()) {
    const took = lastSuccess && lastDuration !== null ? ` (took ${formatDuration(lastDuration)})` : '';
    const last = lastSuccess ? `last success ${hhmm(lastSuccess.at)}${took}` : 'no success yet';
    const next = dueDate ? `next due ${hhmm(dueDate)}` : 'no expected slot ahead';
    return { ...base, status: 'OK', message: `${last}; ${next}` };
  }

  const dueAt = hhmm(dueDate);
  if (runningStart) {
    const elapsed = formatDuration(nowMs - instant(runningStart));
    return {
      ...base,
      status: 'PENDING',
      message: `due at ${dueAt}: running since ${hhmm(runningStart.at)} (started ${elapsed} ago, within the ${maxRuntime} limit)`,
    };
  }
  if (nowMs <= dueDate.getTime() + graceMinutes * MINUTE_MS) {
    return { ...base, status: 'PENDING', message: `due at ${dueAt}: waiting up to ${formatBound(graceMinutes)} min (grace)` };
  }
  return { ...base, status: 'CRITICAL', message: `no successful run since the ${dueAt} slot` };
}
