import type { DatamonConfig } from './config-schema.ts';
import { type IncidentRecord, NOTIFICATION_CHANNELS, type NotificationChannel, type NotificationKind, type ProblemStatus } from './incident.ts';
import type { CheckResult } from './result.ts';
import { isProblem, worst } from './status.ts';

/**
 * The incident rule (README "Alerts"): one pure function decides, from a pipeline's latest incident and one
 * event, the incident's next state and the messages to send. Nothing else changes an incident.
 *
 * ## How a worker uses it
 *
 * For every event of a pipeline (a new check result, a tick every minute or so, an
 * acknowledgement, a silence set or ended), serialised per pipeline:
 *
 * 1. Load the pipeline's *latest* incident, open or closed (a closed one is still needed: a quick
 *    re-open joins it, and it may still owe its resolved message), and the pipeline's silence.
 * 2. `const decision = evaluateIncident(latest, { pipeline, silencedUntil, event }, now, settings)`
 *    with `settings = incidentSettings(config)`.
 * 3. Enqueue each of `decision.notifications` on the notifications queue with
 *    `jobId = notification.id`; render it with the notifiers' `renderIncidentNotification`.
 * 4. Persist `decision.next` (when `decision.changed`) as the pipeline's latest incident and in
 *    the incident history (a new id means a new incident; the previous record stays as it was).
 *
 * Enqueue before persisting: if the process dies in between, the retried job evaluates the same
 * previous state, derives the same ids (`${incidentId}:${kind}:${seq}:${channel}`, with `seq` from
 * `IncidentRecord.notificationSeq`) and BullMQ drops the duplicates. A result already applied is
 * recognised by its `checkedAt` and ignored, so a replay after persisting sends nothing either.
 * `decision.nextDueAt` says when a tick would next change something (an escalation, a held
 * message, a silence's end), for a worker that prefers to schedule rather than poll.
 *
 * ## Transition table
 *
 * "Told" is `announcedStatus`: what the last state message said. State messages are sent
 * whenever the truth differs from what was told, unless a silence or flap damping holds them.
 *
 * | #   | incident now                 | event                              | next                                          | sends
 * |-----|------------------------------|------------------------------------|-----------------------------------------------|------------------------------
 * | R1  | none (or closed > flap window) | result WARNING                   | opens WARNING, id `<pipeline>-<checkedAt ms>` | warning: chat
 * | R2  | none (or closed > flap window) | result CRITICAL                  | opens CRITICAL, criticalSince = checkedAt     | critical: chat + email
 * | R3  | none / closed                | result OK or PENDING               | unchanged (none stays none)                   | -
 * | R4  | none                         | tick, acknowledge, silence         | none                                          | -
 * | R5  | open, same status            | result, same status                | latest message/value updated                  | -
 * | R6  | open WARNING                 | result CRITICAL                    | CRITICAL, criticalSince = checkedAt           | critical (worsened): chat + email
 * | R7  | open CRITICAL, told CRITICAL | result WARNING                     | WARNING, criticalSince null: escalation stops | - (improvement is not sent on its own, see below)
 * | R8  | open WARNING, told CRITICAL  | result CRITICAL                    | CRITICAL, escalation clock restarts           | - (people were told CRITICAL already)
 * | R9  | open                         | result PENDING                     | stays open as it was; lastStatus PENDING      | - (and no escalation while PENDING)
 * | R10 | open, PENDING last           | result with the incident's status  | continues (criticalSince kept)                | -
 * | R11 | open, never emailed          | result OK                          | closed                                        | resolved: chat
 * | R12 | open, emailed                | result OK                          | closed                                        | resolved: chat + email
 * | R13 | open                         | result OK, `send_resolved: false`  | closed, marked told OK                        | -
 * | R14 | open WARNING                 | tick (any time later)              | unchanged                                     | - (WARNING never escalates by time)
 * | R15 | open CRITICAL                | tick before `after_minutes`        | unchanged                                     | -
 * | R16 | open CRITICAL, not acked     | tick at/after `after_minutes`      | escalations + 1, lastEscalatedAt = now        | escalation: chat + email
 * | R17 | escalated, `repeat_minutes` 0 | tick (any time later)             | unchanged                                     | -
 * | R18 | escalated, `repeat_minutes` N | tick >= N min after the last one  | escalations + 1                               | escalation (repeat): chat + email
 * | R19 | open                         | acknowledge (its id)               | acknowledged, at, by                          | -
 * | R20 | open CRITICAL, acknowledged  | tick past due                      | unchanged                                     | - (still resolved by R11/R12)
 * | R21 | closed, or another id        | acknowledge                        | unchanged                                     | -
 * | R22 | any, pipeline silenced       | any event                          | state tracked as usual; held = 'silence'      | - (nothing at all, escalations included)
 * | R23 | silence ended, truth != told | tick / silence / result            | told = truth                                  | one state message for the truth *now* (late)
 * | R24 | silence ended, truth == told | tick / silence / result            | unchanged                                     | - (an incident born and closed in a silence is never told)
 * | R25 | closed <= flap window ago    | result WARNING / CRITICAL          | the *same* incident re-opens, reopenCount + 1 | state message unless held by flap damping
 * | R26 | flapping (reopenCount > 0)   | a change < `quietMinutes` after the last state message | tracked; held = 'flapping' | - (sent, for the truth then, by the first event after the quiet time)
 * | R27 | flapping, never told CRITICAL | result CRITICAL                  | CRITICAL                                      | critical: chat + email at once (a first page is never held)
 * | R28 | any                          | result with checkedAt <= lastCheckedAt | unchanged (stale or replayed)             | -
 * | R29 | none / closed, an upstream CRITICAL | result WARNING / CRITICAL   | opens blocked by the root; held = 'blocked'   | - (the root's messages list it)
 * | R30 | open, told, an upstream turns CRITICAL | any event                | blockedBy = root; held = 'blocked'            | - (no second alert; the root's card lists it)
 * | R31 | open, blocked                | result WARNING / CRITICAL, still blocked | tracked as usual, still blocked          | - (nothing of its own, no escalation)
 * | R32 | open, blocked, never told    | any event, no CRITICAL upstream now | unblocked: unblockedFrom = the root      | its own state message, saying it is no longer blocked
 * | R33 | open, blocked, never told    | result OK                          | closed                                        | - (nothing was told of it on its own)
 * | R34 | open, blocked, CRITICAL      | tick past `after_minutes`          | unchanged                                     | - (a blocked incident does not escalate on its own)
 * | R35 | open, told, then blocked     | result OK                          | closed                                        | resolved (it was told on its own, so it is told it is over)
 * | R36 | open, told, then blocked     | any event, no CRITICAL upstream now | unblocked                                    | - (nothing re-sent; its escalation clock runs again)
 * | R37 | open (a root)                | any event naming pipelines it blocks now | `affects` gains them (never loses one)  | - (its next alert, escalation and resolved list them: "Also affected")
 * | R38 | any, pipeline in maintenance | any event                          | state tracked as usual; held = 'maintenance'  | - (nothing at all, escalations included)
 * | R39 | maintenance ended, truth != told | tick / result                  | told = truth                                  | one state message for the truth *now* (late), as after a silence
 *
 * ## Decisions (where README "Alerts" is silent)
 *
 * - **Improvement** (CRITICAL -> WARNING): the incident stays open at WARNING and stops
 *   escalating, but no message is sent: it is not something anyone has to act on, and a pipeline
 *   hovering at a threshold would otherwise send a message at every crossing. The resolved
 *   message says the worst status it reached. Worsening again to CRITICAL sends nothing either
 *   (people were told CRITICAL); the escalation clock restarts from the new CRITICAL.
 * - **PENDING while open** leaves the incident as it is (PENDING means waiting for a scheduled
 *   event, e.g. tomorrow's file before its deadline): not closed, nothing sent, and no time-based
 *   escalation while the latest result is PENDING.
 * - **Silence**: the incident is tracked as usual (the dashboard shows it) but nothing is sent,
 *   escalations included. When the silence ends, the first event (ticks included) sends one state
 *   message for the truth *then*, if it differs from what people were last told: still failing
 *   -> the opening/worsening message; fixed -> the resolved message; born and fixed within the
 *   silence -> nothing. Escalations are not replayed: the escalation clock counts from the
 *   latest CRITICAL state message, so a catch-up message restarts it.
 * - **Flapping**: an OK closes the incident and the resolved message goes at once. A problem
 *   within `flap.reopenWithinMinutes` (30) of that close re-opens the *same* incident (same id,
 *   same Chat thread) and makes it *flapping*. A flapping incident's state messages are at least
 *   `flap.quietMinutes` (30) apart: a change sooner is held, and the first event after the quiet
 *   time sends the state as it is then (intermediate flips are never sent, and nobody keeps a
 *   wrong picture longer than the quiet time). Exception: the first CRITICAL of an incident is
 *   never held. A pipeline flapping OK/CRITICAL every 5 minutes thus sends about one message per
 *   half hour, not one every 5 minutes. A flapping incident only escalates if CRITICAL lasts.
 * - **Acknowledged** stays acknowledged through a re-open of the same incident.
 * - **`escalation.after_minutes` <= 0** turns escalation off (0 would escalate in the same breath
 *   as the opening message).
 * - A result's `details.threshold` (string) is kept as the incident's threshold text.
 * - **Dependencies** (README "Dependencies"): the caller names the root that blocks the pipeline
 *   now (`IncidentInput.blockedBy`, the most upstream CRITICAL pipeline it depends on, or null).
 *   While blocked an incident is tracked but sends nothing and never escalates; the root's own
 *   messages list what it blocks. Once unblocked, an incident still failing follows the ordinary
 *   rules: never told, it sends its state message then, saying it is no longer blocked; told
 *   before it was blocked, nothing is re-sent and its escalation clock runs again.
 * - Known limit: a closed incident that still owes its resolved message (held by a silence) and
 *   is replaced by a new incident more than the flap window later never sends it; the new
 *   incident's messages tell the truth.
 */

/** Flap damping (see the decisions above). */
export interface FlapSettings {
  /** A problem within this many minutes of a close re-opens the same incident. */
  reopenWithinMinutes: number;
  /** A flapping incident's state messages are at least this many minutes apart. */
  quietMinutes: number;
}

export const DEFAULT_FLAP_SETTINGS: Readonly<FlapSettings> = { reopenWithinMinutes: 30, quietMinutes: 30 };

export interface IncidentSettings {
  escalation: DatamonConfig['escalation'];
  flap: FlapSettings;
}

/**
 * The rule's settings from the config (`escalation.*`) and the flap defaults.
 *
 * @param config - the effective config (only `escalation` is read)
 * @param flap - flap damping; the defaults unless a caller has reason to change them
 */
export function incidentSettings(
  config: Pick<DatamonConfig, 'escalation'>,
  flap: FlapSettings = DEFAULT_FLAP_SETTINGS,
): IncidentSettings {
  return { escalation: { ...config.escalation }, flap: { ...flap } };
}

/** What happened to a pipeline. */
export type IncidentEvent =
  /** A new check result for the pipeline. */
  | { type: 'result'; result: CheckResult }
  /** Time passed: escalations, repeats, held messages, a silence's end. */
  | { type: 'tick' }
  /** Someone acknowledged an incident (by id, as the API is called). */
  | { type: 'acknowledge'; incidentId: string; by: string }
  /** The pipeline's silence was set or ended: `IncidentInput.silencedUntil` has the new value. */
  | { type: 'silence' };

export interface IncidentInput {
  /** The pipeline (its name is copied into a new incident). */
  pipeline: { id: string; name: string };
  /**
   * The pipeline's silence as stored now (ISO instant), or null. Silence belongs to the API; the
   * rule only reads it: while it is in the future nothing is sent.
   */
  silencedUntil: string | null;
  /**
   * The end (ISO) of the maintenance window covering the pipeline now, or null (README "Business
   * calendar and maintenance windows"). Like a silence: nothing is sent until it ends, then the
   * truth once. Optional for callers without windows.
   */
  maintenanceUntil?: string | null;
  /**
   * The root pipeline blocking this one now (the most upstream CRITICAL one it depends on), or
   * null. Optional for callers without dependencies.
   */
  blockedBy?: string | null;
  /**
   * The pipelines this one blocks now (failing below it, it being their root); added to the
   * incident's `affects`, which its messages list. Optional for callers without dependencies.
   */
  affects?: readonly string[];
  /**
   * A recovery action of the open incident succeeded (README "Tickets and recovery"): if this
   * result closes it, it resolved "after recovery". Optional for callers without recovery.
   */
  recovered?: boolean;
  event: IncidentEvent;
}

export type IncidentNotificationKind = Extract<NotificationKind, 'warning' | 'critical' | 'escalation' | 'resolved'>;

/** Why a message is sent: what the card and email say happened. */
export type IncidentNotificationReason = 'opened' | 'worsened' | 'reopened' | 'resolved' | 'escalated' | 'repeated' | 'unblocked';

/** One message to one channel, decided by the rule. */
export interface IncidentNotification {
  /** `${incidentId}:${kind}:${seq}:${channel}`: use it as the delivery job's id. */
  id: string;
  incidentId: string;
  pipelineId: string;
  channel: NotificationChannel;
  kind: IncidentNotificationKind;
  reason: IncidentNotificationReason;
  /** The incident's notification sequence number; a chat and an email of one event share it. */
  seq: number;
  /** When it was decided (the evaluation's `now`), ISO. */
  decidedAt: string;
  /** The change happened earlier and was held by a silence or flap damping. */
  late: boolean;
  /** The incident as the message describes it (the state after this evaluation). */
  incident: IncidentRecord;
}

export interface IncidentDecision {
  /** The pipeline's latest incident after the event: persist it. null only when there never was one. */
  next: IncidentRecord | null;
  /** Messages to enqueue, each with its deterministic id. */
  notifications: IncidentNotification[];
  /** Whether `next` differs from the previous state (nothing to write when false). */
  changed: boolean;
  /** When a tick would next change something (ISO), or null when only a result can. */
  nextDueAt: string | null;
}

const MINUTE = 60_000;

/** The incident id (README "Alerts"): `${pipelineId}-${openedAt epoch ms}`, also the Chat threadKey. */
export function incidentIdFor(pipelineId: string, openedAt: string | Date): string {
  const ms = typeof openedAt === 'string' ? Date.parse(openedAt) : openedAt.getTime();
  return `${pipelineId}-${ms}`;
}

/** The deterministic notification id: `${incidentId}:${kind}:${seq}:${channel}`. */
export function notificationIdFor(
  incidentId: string,
  kind: NotificationKind,
  seq: number,
  channel: NotificationChannel,
): string {
  return `${incidentId}:${kind}:${seq}:${channel}`;
}

/**
 * Decides what one event does to a pipeline's incident and which messages it sends. Pure: the
 * clock is `now`, and the same arguments always give the same decision (ids included).
 *
 * @param previous - the pipeline's latest incident, open or closed, or null when it never had one
 * @param input - the pipeline, its silence, and what happened
 * @param now - the evaluation's time (a result's own times come from its `checkedAt`)
 * @param settings - from {@link incidentSettings}
 * @returns the next state, the messages to send and when a tick would next matter
 * @throws Error when the input is for another pipeline than `previous` (a wiring bug)
 */
export function evaluateIncident(
  previous: IncidentRecord | null,
  input: IncidentInput,
  now: Date,
  settings: IncidentSettings,
): IncidentDecision {
  const { pipeline, event } = input;
  if (previous && previous.pipelineId !== pipeline.id) {
    throw new Error(`incident ${previous.id} belongs to ${previous.pipelineId}, not to ${pipeline.id}`);
  }

  let next: IncidentRecord | null = previous ? { ...previous } : null;
  let truthChanged = false;

  switch (event.type) {
    case 'result': {
      const { result } = event;
      if (result.pipelineId !== pipeline.id) {
        throw new Error(`a result of ${result.pipelineId} was given as one of ${pipeline.id}`);
      }
      // A result not newer than the last one applied is a replay or arrived out of order: applying
      // it could re-open a closed incident from stale data, so it does nothing at all.
      if (previous && Date.parse(result.checkedAt) <= Date.parse(previous.lastCheckedAt)) {
        return { next: previous, notifications: [], changed: false, nextDueAt: nextDueAt(previous, input, settings) };
      }
      const applied = applyResult(next, result, pipeline, settings, input.recovered === true);
      next = applied.incident;
      truthChanged = applied.truthChanged;
      break;
    }
    case 'acknowledge':
      if (next && next.closedAt === null && next.id === event.incidentId && !next.acknowledged) {
        next.acknowledged = true;
        next.acknowledgedAt = now.toISOString();
        next.acknowledgedBy = event.by;
      }
      break;
    case 'tick':
    case 'silence':
      break;
  }

  if (!next) return { next: null, notifications: [], changed: false, nextDueAt: null };
  applyBlocking(next, input.blockedBy ?? null);
  addAffected(next, input.affects ?? []);

  const drafts = reconcile(next, input, now, settings, truthChanged);
  const incident = next;
  const notifications = drafts.map((draft) => ({ ...draft, incident: { ...incident } }));
  return {
    next,
    notifications,
    changed: previous === null || JSON.stringify(previous) !== JSON.stringify(next),
    nextDueAt: nextDueAt(next, input, settings),
  };
}

/** Marks an open incident blocked by its root, or unblocked (remembering from what); a closed one is never blocked. */
function applyBlocking(incident: IncidentRecord, root: string | null): void {
  const was = incident.blockedBy ?? null;
  if (incident.closedAt !== null || root === null) {
    if (was !== null) incident.unblockedFrom = was;
    incident.blockedBy = null;
    return;
  }
  incident.blockedBy = root;
}

/** Adds what an open root blocks now to what it has blocked during the incident (never removed: the resolved message lists them). */
function addAffected(incident: IncidentRecord, affects: readonly string[]): void {
  if (incident.closedAt !== null || affects.length === 0) return;
  const known = incident.affects ?? [];
  const added = affects.filter((id) => id !== incident.pipelineId && !known.includes(id));
  if (added.length > 0) incident.affects = [...known, ...added];
}

function thresholdOf(result: CheckResult): string | null {
  const threshold = result.details.threshold;
  if (typeof threshold === 'string') return threshold;
  if (typeof threshold === 'number') return String(threshold);
  return null;
}

function openIncident(result: CheckResult, status: ProblemStatus, pipeline: IncidentInput['pipeline']): IncidentRecord {
  const at = result.checkedAt;
  return {
    id: incidentIdFor(pipeline.id, at),
    pipelineId: pipeline.id,
    pipelineName: pipeline.name,
    status,
    worstStatus: status,
    openedAt: at,
    closedAt: null,
    acknowledged: false,
    acknowledgedAt: null,
    acknowledgedBy: null,
    criticalSince: status === 'CRITICAL' ? at : null,
    escalations: 0,
    lastEscalatedAt: null,
    emailed: false,
    message: result.message,
    value: result.value,
    threshold: thresholdOf(result),
    notificationSeq: 0,
    lastStatus: status,
    lastCheckedAt: at,
    announcedStatus: null,
    announcedAt: null,
    held: null,
    reopenCount: 0,
    resolution: null,
    blockedBy: null,
    unblockedFrom: null,
  };
}

/** Applies a fresh result to the (cloned) incident. Returns the incident and whether the truth changed. */
function applyResult(
  incident: IncidentRecord | null,
  result: CheckResult,
  pipeline: IncidentInput['pipeline'],
  settings: IncidentSettings,
  recovered: boolean,
): { incident: IncidentRecord | null; truthChanged: boolean } {
  const at = result.checkedAt;
  const status = result.status;

  if (!incident || incident.closedAt !== null) {
    if (!isProblem(status)) return { incident, truthChanged: false };
    const problem = status as ProblemStatus;
    const closedFor = incident?.closedAt ? Date.parse(at) - Date.parse(incident.closedAt) : Infinity;
    if (!incident || closedFor > settings.flap.reopenWithinMinutes * MINUTE) {
      return { incident: openIncident(result, problem, pipeline), truthChanged: true };
    }
    Object.assign(incident, {
      closedAt: null,
      reopenCount: incident.reopenCount + 1,
      status: problem,
      worstStatus: worst(incident.worstStatus, problem) as ProblemStatus,
      criticalSince: problem === 'CRITICAL' ? at : null,
      pipelineName: pipeline.name,
      message: result.message,
      value: result.value,
      threshold: thresholdOf(result),
      lastStatus: problem,
      lastCheckedAt: at,
      resolution: null,
    } satisfies Partial<IncidentRecord>);
    return { incident, truthChanged: true };
  }

  incident.lastCheckedAt = at;
  incident.lastStatus = status;
  if (status === 'PENDING') return { incident, truthChanged: false };
  if (status === 'OK') {
    incident.closedAt = at;
    incident.resolution = recovered ? `${result.message} (after recovery)` : result.message;
    return { incident, truthChanged: true };
  }
  const problem = status as ProblemStatus;
  const statusChanged = problem !== incident.status;
  incident.pipelineName = pipeline.name;
  incident.message = result.message;
  incident.value = result.value;
  incident.threshold = thresholdOf(result);
  if (statusChanged) {
    incident.status = problem;
    incident.worstStatus = worst(incident.worstStatus, problem) as ProblemStatus;
    incident.criticalSince = problem === 'CRITICAL' ? at : null;
  }
  return { incident, truthChanged: statusChanged };
}

/** The state message the truth calls for, given what people were told; null when none. */
function dueStateMessage(incident: IncidentRecord): 'critical' | 'warning' | 'resolved' | null {
  const told = incident.announcedStatus;
  if (incident.closedAt !== null) return told === 'WARNING' || told === 'CRITICAL' ? 'resolved' : null;
  if (incident.status === 'CRITICAL') return told === 'CRITICAL' ? null : 'critical';
  return told === null || told === 'OK' ? 'warning' : null;
}

/** What holds messages back now, a silence or a maintenance window, and until when (the later of the two). */
function quietNow(input: IncidentInput, now: Date): { by: 'silence' | 'maintenance'; until: number } | null {
  const silence = input.silencedUntil === null ? null : Date.parse(input.silencedUntil);
  const maintenance = input.maintenanceUntil ? Date.parse(input.maintenanceUntil) : null;
  const active = [
    ...(silence !== null && silence > now.getTime() ? [{ by: 'silence' as const, until: silence }] : []),
    ...(maintenance !== null && maintenance > now.getTime() ? [{ by: 'maintenance' as const, until: maintenance }] : []),
  ];
  return active.sort((a, b) => b.until - a.until)[0] ?? null;
}

/** The end of a silence or maintenance window the incident's messages wait for (ms), or null. */
function quietEnd(input: IncidentInput): number | null {
  const ends = [input.silencedUntil, input.maintenanceUntil ?? null].filter((end): end is string => end !== null).map((end) => Date.parse(end));
  return ends.length === 0 ? null : Math.max(...ends);
}

function heldByFlapping(incident: IncidentRecord, due: 'critical' | 'warning' | 'resolved', now: Date, settings: IncidentSettings): boolean {
  if (incident.reopenCount === 0 || incident.announcedAt === null) return false;
  // `emailed` is set exactly when a CRITICAL state message or an escalation went out: before
  // that, a CRITICAL is a first page, which is never held.
  if (due === 'critical' && !incident.emailed) return false;
  return now.getTime() - Date.parse(incident.announcedAt) < settings.flap.quietMinutes * MINUTE;
}

/** When the next escalation falls due and whether it is a repeat; null when none will. */
function nextEscalation(incident: IncidentRecord, settings: IncidentSettings): { at: number; repeat: boolean } | null {
  const { after_minutes: after, repeat_minutes: repeatEvery } = settings.escalation;
  if (after <= 0) return null;
  if (incident.closedAt !== null || incident.status !== 'CRITICAL' || incident.criticalSince === null) return null;
  if (incident.lastStatus === 'PENDING' || incident.acknowledged || incident.announcedStatus !== 'CRITICAL' || incident.blockedBy) return null;
  // Counted from when people were told it is CRITICAL: after a silence or a held message, the
  // catch-up message restarts the clock instead of being followed at once by an escalation.
  const base = Math.max(Date.parse(incident.criticalSince), Date.parse(incident.announcedAt ?? incident.criticalSince));
  const last = incident.lastEscalatedAt === null ? null : Date.parse(incident.lastEscalatedAt);
  if (last !== null && last >= base) return repeatEvery > 0 ? { at: last + repeatEvery * MINUTE, repeat: true } : null;
  return { at: base + after * MINUTE, repeat: false };
}

type Draft = Omit<IncidentNotification, 'incident'>;

function draftsFor(
  incident: IncidentRecord,
  kind: IncidentNotificationKind,
  reason: IncidentNotificationReason,
  channels: NotificationChannel[],
  now: Date,
  late: boolean,
): Draft[] {
  const seq = incident.notificationSeq + 1;
  incident.notificationSeq = seq;
  if (channels.includes('email')) incident.emailed = true;
  return channels.map((channel) => ({
    id: notificationIdFor(incident.id, kind, seq, channel),
    incidentId: incident.id,
    pipelineId: incident.pipelineId,
    channel,
    kind,
    reason,
    seq,
    decidedAt: now.toISOString(),
    late,
  }));
}

/** Decides the messages the (already updated) incident calls for, and records them in it. */
function reconcile(
  incident: IncidentRecord,
  input: IncidentInput,
  now: Date,
  settings: IncidentSettings,
  truthChanged: boolean,
): Draft[] {
  const drafts: Draft[] = [];
  const quiet = quietNow(input, now);
  const silenced = quiet !== null;
  const due = dueStateMessage(incident);
  incident.held = null;
  if (incident.blockedBy) {
    // The root tells it (its messages list what it blocks); nothing of its own, no escalation.
    if (due !== null && due !== 'resolved') incident.held = 'blocked';
    return drafts;
  }

  if (due === 'resolved' && !settings.escalation.send_resolved) {
    // Nothing will be sent for this close; remembering it as told keeps a later re-open honest.
    incident.announcedStatus = 'OK';
  } else if (due !== null) {
    if (quiet) {
      incident.held = quiet.by;
    } else if (heldByFlapping(incident, due, now, settings)) {
      incident.held = 'flapping';
    } else {
      const told = incident.announcedStatus;
      const late = !(input.event.type === 'result' && truthChanged);
      if (due === 'resolved') {
        const channels: NotificationChannel[] = incident.emailed ? [...NOTIFICATION_CHANNELS] : ['chat'];
        drafts.push(...draftsFor(incident, 'resolved', 'resolved', channels, now, late));
        incident.announcedStatus = 'OK';
      } else {
        const reason: IncidentNotificationReason =
          told === null ? (incident.unblockedFrom ? 'unblocked' : 'opened') : told === 'OK' ? 'reopened' : 'worsened';
        const channels: NotificationChannel[] = due === 'critical' ? [...NOTIFICATION_CHANNELS] : ['chat'];
        drafts.push(...draftsFor(incident, due, reason, channels, now, late));
        incident.announcedStatus = due === 'critical' ? 'CRITICAL' : 'WARNING';
      }
      incident.announcedAt = now.toISOString();
    }
  }

  const escalation = nextEscalation(incident, settings);
  if (!silenced && escalation !== null && now.getTime() >= escalation.at) {
    const reason = escalation.repeat ? 'repeated' : 'escalated';
    drafts.push(...draftsFor(incident, 'escalation', reason, [...NOTIFICATION_CHANNELS], now, false));
    incident.escalations += 1;
    incident.lastEscalatedAt = now.toISOString();
  }
  return drafts;
}

function nextDueAt(incident: IncidentRecord, input: IncidentInput, settings: IncidentSettings): string | null {
  const silencedUntil = quietEnd(input);
  const candidates: number[] = [];
  if ((incident.held === 'silence' || incident.held === 'maintenance') && silencedUntil !== null) candidates.push(silencedUntil);
  if (incident.held === 'flapping' && incident.announcedAt !== null) {
    candidates.push(Date.parse(incident.announcedAt) + settings.flap.quietMinutes * MINUTE);
  }
  const escalation = nextEscalation(incident, settings);
  if (escalation !== null) candidates.push(silencedUntil === null ? escalation.at : Math.max(escalation.at, silencedUntil));
  if (candidates.length === 0) return null;
  return new Date(Math.min(...candidates)).toISOString();
}
