import type { DatamonConfig } from '@datamon/core';
import { type RedisClient, redisTopology } from './redis-connection.ts';

/**
 * The prefix of every key and queue of a deployment: `redis.prefix`, or on a Redis Cluster the
 * hash tag `{<prefix>}`, so every key hashes to one slot and a multi-key script or MULTI never
 * spans two. The store and BullMQ (`queuePrefix`) both take it from here.
 *
 * @param settings - `redis.prefix`, and `redis.cluster` when there is one
 * @param connection - the connection the keys are used on: a cluster connection hash-tags the
 *   prefix even when the settings do not say so
 */
export function effectivePrefix(settings: Pick<DatamonConfig['redis'], 'prefix'> & Partial<Pick<DatamonConfig['redis'], 'cluster'>>, connection?: RedisClient): string {
  const onCluster = redisTopology(settings) === 'cluster' || connection?.isCluster === true;
  if (!onCluster || /^\{[^{}]+\}$/.test(settings.prefix)) return settings.prefix;
  return `{${settings.prefix}}`;
}

/** A prefix as a literal in a SCAN pattern (`*`, `?`, `[` and `\\` are pattern characters). */
const literal = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');

/**
 * Every Redis key datamon writes, under the effective prefix (`effectivePrefix`). One place, so
 * two processes (or two versions) never disagree on a name.
 */
export function redisKeys(prefix: string) {
  const p = prefix;
  return {
    /** String: the layout version of everything under the prefix (README "Versions and upgrades"). */
    stateVersion: `${p}:state-version`,
    /** Hash pipelineId -> JSON StoredResult: the latest result per pipeline. */
    latest: `${p}:latest`,
    /** Sorted set per pipeline, score = checkedAt ms, member = JSON HistoryEntry. */
    history: (pipelineId: string) => `${p}:history:${pipelineId}`,
    /** SET NX marker: a job's result for a pipeline was already stored (idempotent retries). */
    jobResult: (jobId: string, pipelineId: string) => `${p}:job-result:${jobId}:${pipelineId}`,
    /** Hash checkinId -> JSON CheckinRun: the latest run of each check-in. */
    checkinLatest: `${p}:checkin-latest`,
    /** Sorted set per check-in of its runs (score = ranAt ms, member = JSON CheckinRun). */
    checkinRuns: (checkinId: string) => `${p}:checkin-runs:${checkinId}`,
    /** String: JSON CheckinRun by run id (what a checkin-report job reads). */
    checkinRun: (runId: string) => `${p}:checkin-run:${runId}`,
    /** String: JSON IncidentRecord by id. */
    incident: (incidentId: string) => `${p}:incident:${incidentId}`,
    /** Hash pipelineId -> id of its latest incident, open or closed (the incident rule's state). */
    latestIncidents: `${p}:incidents:latest`,
    /** Hash pipelineId -> open incident id. */
    openIncidents: `${p}:incidents:open`,
    /** Sorted set of pipeline ids whose incident has something due (score = due ms): the tick's work. */
    incidentsDue: `${p}:incidents:due`,
    /** Sorted set of every incident id, score = openedAt ms. */
    allIncidents: `${p}:incidents:all`,
    /** List per incident of JSON TimelineEntry, oldest first, bounded (README "Incident timeline"). */
    incidentTimeline: (incidentId: string) => `${p}:incident-timeline:${incidentId}`,
    /** String: JSON TicketState of an incident's ticket (README "Tickets and recovery"). */
    ticket: (incidentId: string) => `${p}:ticket:${incidentId}`,
    /** String: JSON RecoveryState of an incident's recovery runs. */
    recovery: (incidentId: string) => `${p}:recovery:${incidentId}`,
    /** SET PX NX: a recovery action of this pipeline is running (JSON RecoveryRun); one at a time. */
    recoveryRunning: (pipelineId: string) => `${p}:recovery-running:${pipelineId}`,
    /** Sorted set of notification ids per incident. */
    incidentNotifications: (incidentId: string) => `${p}:incident-notifications:${incidentId}`,
    /** Hash notificationId -> JSON NotificationRecord (latest outcome). */
    // Not `${p}:notifications...`: that namespace is BullMQ's `notifications` queue (job hashes).
    notifications: `${p}:notification-record`,
    /** Sorted set of notification ids, score = first recorded ms (newest first on read). */
    notificationIndex: `${p}:notification-record:index`,
    /** Hash pipelineId -> ISO instant the silence ends. */
    silences: `${p}:silences`,
    /** String: JSON StatusSnapshot served as /api/status. */
    snapshot: `${p}:snapshot`,
    /** Pub/sub channel announcing a new snapshot (the dashboard's live updates). */
    snapshotChannel: `${p}:snapshot:updated`,
    /** String: the last slot (ISO) a check-in ran for, to detect a missed one. */
    lastSlot: (checkinId: string) => `${p}:last-slot:checkin:${checkinId}`,
    /** String: the job that claimed one check-in slot (it runs once). */
    slotClaim: (checkinId: string, slot: string) => `${p}:slot-claim:${checkinId}:${slot}`,
    /** SET PX NX lock around a read-modify-write of shared state. */
    lock: (name: string) => `${p}:lock:${name}`,
    /** SCAN pattern of every key under the prefix. */
    everything: `${literal(p)}:*`,
    /** SET NX lock: one process runs a late check-in. */
    lateLock: (checkinId: string, slot: string) => `${p}:late-lock:${checkinId}:${slot}`,
    /** Hash `<role>|<instance>` -> JSON Heartbeat: each process says it is alive every 15 s. */
    heartbeats: `${p}:monitor:heartbeats`,
    /** String: when the last quick-check round completed (ISO). */
    lastRound: `${p}:monitor:last-round`,
    /** Hash of one split round: its part count and the parts done. */
    round: (roundId: string) => `${p}:monitor:round:${roundId}`,
    /** Hash queue name -> JSON {by, at}: a queue an admin paused on purpose. */
    pauses: `${p}:monitor:pauses`,
    /** String: JSON MonitorNotice, what was last told about the monitor itself. */
    monitorNotice: `${p}:monitor:notice`,
    /** List per heartbeat pipeline of JSON Ping, newest first, bounded (README "Heartbeats"). */
    pings: (pipelineId: string) => `${p}:pings:${pipelineId}`,
    /** Hash local date -> JSON DayCounts: a counted set's past days (README "Volume anomalies"). */
    baselineDays: (signature: string) => `${p}:baseline:days:${signature}`,
    /** Set of local dates last judged anomalous (left out of later baselines). */
    baselineFlags: (signature: string) => `${p}:baseline:flags:${signature}`,
    /** String: the counted set's first row (ISO; empty: no rows), for a day. */
    baselineFirstRow: (signature: string) => `${p}:baseline:first:${signature}`,
    /** Hash id -> JSON AdHocWindow: maintenance windows opened through the API. */
    maintenanceAdHoc: `${p}:maintenance:ad-hoc`,
    /** Hash occurrence id -> ISO instant it was ended early (DELETE /api/maintenance/:id). */
    maintenanceEnded: `${p}:maintenance:ended`,
    /** String: a check of this heartbeat is queued and has not started (pings coalesce into it). */
    pingCheckWaiting: (pipelineId: string) => `${p}:ping-check-waiting:${pipelineId}`,
    /** String: when the last check of this heartbeat started (ISO), to pace checks under a burst of pings. */
    pingCheckStarted: (pipelineId: string) => `${p}:ping-check-started:${pipelineId}`,
    /** Hash per local day: `<pipelineId>|runs` and `<pipelineId>|failures` of heartbeat runs. */
    pingCounts: (date: string) => `${p}:ping-counts:${date}`,
    /** Pub/sub channel: a valid config was asked to be reloaded; every process reloads its own file (README "Reloading the config"). */
    configReloadChannel: `${p}:config:reload`,
    /** String: JSON ReloadStatus, how the last reload went (the dashboard shows a failed one). */
    configReloadStatus: `${p}:config:reload-status`,
    /** String: the delivery job that claimed a notification for its merged Chat card. */
    deliveryClaim: (notificationId: string) => `${p}:delivery-claim:${notificationId}`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
