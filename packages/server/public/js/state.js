// @ts-check

/**
 * What the page knows: the server's settings, the latest snapshot and the tiles made from it.
 * The typedefs are the API's answers as this page reads them (core's views.ts and incident.ts
 * have them in full).
 *
 * @import { STATUSES } from './shared.js'
 * @import { LiveConnection } from './live.js'
 * @import { Tile } from './render.js'
 */

/** @typedef {(typeof STATUSES)[number]} Status */

/** @typedef {number | string | null} MeasuredValue */

/**
 * `GET /api/meta`: what the page needs before its first status.
 * @typedef {object} Meta
 * @property {number} refreshSeconds
 * @property {string} [timezone]
 * @property {{ configured: boolean, basic: boolean, protectReads: boolean }} auth
 */

/**
 * One pipeline in `GET /api/status`.
 * @typedef {object} PipelineView
 * @property {string} id
 * @property {string} name
 * @property {string} kind
 * @property {Status | null} status null: never checked yet (no verdict without a check)
 * @property {string} message
 * @property {MeasuredValue} value
 * @property {string | null} checkedAt
 * @property {string | null} since when it took this status
 * @property {string | null} incident the open incident's id
 * @property {boolean} acknowledged
 * @property {string | null} silencedUntil
 * @property {boolean} quickCheck
 * @property {string | null} action what to do, while it is WARNING or CRITICAL
 * @property {string | null} blockedBy the root whose CRITICAL failure this one is part of
 * @property {string[]} dependsOn the pipelines it waits for
 * @property {{ name: string, until: string } | null} maintenance the window covering it now: nothing is sent until it ends
 * @property {{ median: number, low: number, high: number, points: number }} [expected] the usual value and band of its latest result
 */

/**
 * One check-in in `GET /api/status`.
 * @typedef {object} CheckinView
 * @property {string} id
 * @property {string | null} time
 * @property {string} label
 * @property {string | null} lastRunAt
 * @property {Status | null} status
 * @property {boolean} late
 * @property {boolean} manual the last run was started by hand
 * @property {string | null} requestedBy by whom
 */

/**
 * `GET /api/status`.
 * @typedef {object} StatusSnapshot
 * @property {string} generatedAt
 * @property {Status | 'CHECKING'} overall CHECKING while a pipeline was never checked
 * @property {Record<Status | 'UNCHECKED', number>} counts
 * @property {PipelineView[]} pipelines
 * @property {CheckinView[]} checkins
 */

/**
 * One open incident in `GET /api/incidents?state=open`.
 * @typedef {object} Incident
 * @property {string} id
 * @property {string} pipeline the pipeline's id
 * @property {string} pipelineName
 * @property {'WARNING' | 'CRITICAL'} status
 * @property {string} message
 * @property {string} openedAt
 * @property {boolean} acknowledged
 * @property {string | null} acknowledgedAt
 * @property {string | null} acknowledgedBy
 * @property {number} escalations
 * @property {'silence' | 'flapping' | 'blocked' | 'maintenance' | null} held why a message that is due is being held
 * @property {string | null} [blockedBy] the root it is blocked by (its alerts list this one)
 * @property {string[]} [affects] on a root: the pipelines it has blocked
 * @property {string | null} action what to do
 * @property {{ key: string, url: string } | null} [ticket] its ticket, once it has one
 * @property {string | null} [closedAt] set once it is resolved (recent incidents)
 * @property {string | null} [resolution]
 * @property {'WARNING' | 'CRITICAL'} [worstStatus]
 */

/**
 * `GET /api/admin/reload`: how the last config reload went.
 * @typedef {{ id: string, at: string, by: string, ok: boolean, message: string, added: string[], removed: string[], changed: string[] }} ReloadStatus
 */

/**
 * One line of an incident's timeline.
 * @typedef {{ at: string, event: string, detail: string, by: string | null }} TimelineEntry
 */

/**
 * `GET /api/incidents/:id`: the incident, its ticket, its recovery runs and its timeline.
 * @typedef {Incident & {
 *   closedAt: string | null,
 *   resolution: string | null,
 *   worstStatus: 'WARNING' | 'CRITICAL',
 *   recovery: { configured: boolean, attempts: number, maxAttempts: number | null, running: boolean, runs: { at: string, manual: boolean, ok: boolean, outcome: string, durationMs: number }[] },
 *   timeline: TimelineEntry[],
 * }} IncidentDetail
 */

/**
 * One ping of a heartbeat pipeline (`GET /api/pipelines/:id/pings`).
 * @typedef {object} Ping
 * @property {string} at
 * @property {'success' | 'start' | 'fail' | 'log'} type
 * @property {number | null} exitCode
 * @property {string | null} rid
 * @property {number | null} durationMs a finish's run time
 * @property {string} body the first 10,000 bytes the job sent
 */

/**
 * One line of `GET /api/notifications`.
 * @typedef {object} NotificationRecord
 * @property {string} id
 * @property {string} at
 * @property {string | null} pipelineId
 * @property {string | null} [checkinId] the check-in a check-in message reported
 * @property {'chat' | 'email'} channel
 * @property {string} kind
 * @property {'sent' | 'failed' | 'skipped' | 'retrying'} outcome
 * @property {string | null} error
 */

/**
 * One result of a check: a line of `GET /api/pipelines/:id/history` or the answer to run-now.
 * @typedef {object} CheckedResult
 * @property {Status} status
 * @property {MeasuredValue} value
 * @property {string} message
 * @property {string} checkedAt
 * @property {{ median: number, low: number, high: number, points: number }} [expected] the usual value and band, for a count with an anomaly baseline
 */

/**
 * `GET /api/pipelines/:id/history`, oldest first.
 * @typedef {{ id: string, hours: number, results: CheckedResult[] }} History
 */

/**
 * `POST /api/pipelines/:id/run?wait=1`.
 * @typedef {{ jobId: string, result: CheckedResult }} RunAnswer
 */

/**
 * `GET /api/monitor`: is the monitor itself still checking?
 * @typedef {object} WatchReport
 * @property {boolean} healthy
 * @property {string | null} since when checking stopped
 * @property {{ kind: 'rounds' | 'role' | 'paused', subject: string | null, since: string, message: string }[]} problems
 * @property {string | null} lastRoundAt
 * @property {{ role: string, up: boolean, lastSeen: string | null }[]} roles
 */

/**
 * `GET /api/session`: who the credentials belong to.
 * @typedef {{ name: string, method: string }} Principal
 */

export const state = {
  /** @type {Meta} */
  meta: { refreshSeconds: 60, timezone: undefined, auth: { configured: false, basic: false, protectReads: false } },
  /** @type {StatusSnapshot | null} */
  snapshot: null,
  hours: 24,
  /** @type {Map<string, Tile>} */
  tiles: new Map(),
  /** @type {string | null} */
  signedInAs: null,
  /** @type {Date | null} */
  lastSuccess: null,
  /** @type {LiveConnection | null} */
  live: null,
};
