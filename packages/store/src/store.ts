import { randomUUID } from 'node:crypto';
import {
  activeMaintenance,
  buildStatusSnapshot,
  type CheckinDefinition,
  type MaintenanceConfig,
  type MaintenanceOccurrence,
  maintenanceOccurrences,
  type PipelineDefinition,
  type StatusSnapshot,
} from '@datamon/core';
import { CheckinRunRepository } from './checkin-runs.ts';
import { IncidentRepository } from './incidents.ts';
import { effectivePrefix, redisKeys, type RedisKeys } from './keys.ts';
import { NotificationRepository } from './notifications.ts';
import { ResultRepository } from './results.ts';
import { SilenceRepository } from './silences.ts';
import { CheckinSlotRepository } from './checkin-slots.ts';
import { DeliveryClaimRepository } from './delivery-claims.ts';
import { MonitorRepository } from './monitor.ts';
import { PingRepository } from './pings.ts';
import { MaintenanceRepository } from './maintenance.ts';
import { BaselineRepository } from './baselines.ts';
import { TicketRepository, ticketRef } from './tickets.ts';
import { RecoveryRepository } from './recovery.ts';
import { ReloadRepository } from './reloads.ts';
import { type RedisClient, scanKeys } from './redis-connection.ts';
import { defineScripts, runScript } from './scripts.ts';

/**
 * The lock name around one pipeline's incident state: the alert worker's evaluations and the
 * API's acknowledgements take the same one, so neither undoes the other's write.
 */
export const pipelineLock = (pipelineId: string): string => `pipeline:${pipelineId}`;

/** What a snapshot is built from besides the stored state: the config's definitions. */
export interface SnapshotDefinitions {
  pipelines: readonly PipelineDefinition[];
  checkins: readonly CheckinDefinition[];
  /** Maintenance windows of the config (none when absent). */
  maintenance?: readonly MaintenanceConfig[];
  monitoring?: { timezone: string };
}

export interface StoreOptions {
  /** `redis.prefix`: every key starts with it (as `{<prefix>}` on a cluster connection: `effectivePrefix`). */
  prefix: string;
  /** `monitoring.history_days`. */
  historyDays: number;
}

/**
 * datamon's state in Redis: latest results and history, check-in runs, incidents, the
 * notification record, silences and the status snapshot the API serves. Repositories only: no
 * rules live here.
 */
export class DatamonStore {
  readonly keys: RedisKeys;
  readonly results: ResultRepository;
  readonly checkinRuns: CheckinRunRepository;
  readonly incidents: IncidentRepository;
  readonly notifications: NotificationRepository;
  readonly silences: SilenceRepository;
  readonly checkinSlots: CheckinSlotRepository;
  readonly deliveryClaims: DeliveryClaimRepository;
  readonly monitor: MonitorRepository;
  readonly pings: PingRepository;
  readonly maintenance: MaintenanceRepository;
  readonly baselines: BaselineRepository;
  readonly tickets: TicketRepository;
  readonly recovery: RecoveryRepository;
  readonly reloads: ReloadRepository;

  constructor(
    readonly redis: RedisClient,
    options: StoreOptions,
  ) {
    this.keys = redisKeys(effectivePrefix({ prefix: options.prefix }, redis));
    this.results = new ResultRepository(redis, this.keys, options.historyDays);
    this.checkinRuns = new CheckinRunRepository(redis, this.keys, options.historyDays);
    this.incidents = new IncidentRepository(redis, this.keys);
    this.notifications = new NotificationRepository(redis, this.keys);
    this.silences = new SilenceRepository(redis, this.keys);
    this.checkinSlots = new CheckinSlotRepository(redis, this.keys);
    this.deliveryClaims = new DeliveryClaimRepository(redis, this.keys);
    this.monitor = new MonitorRepository(redis, this.keys);
    this.pings = new PingRepository(redis, this.keys);
    this.maintenance = new MaintenanceRepository(redis, this.keys);
    this.baselines = new BaselineRepository(redis, this.keys);
    this.tickets = new TicketRepository(redis, this.keys);
    this.recovery = new RecoveryRepository(redis, this.keys);
    this.reloads = new ReloadRepository(redis, this.keys);
    defineScripts(redis);
  }

  /**
   * Rebuilds the status snapshot from what is stored and announces it on the snapshot channel.
   * Called after anything that changes what `/api/status` shows, so a request reads one key.
   */
  async refreshSnapshot(definitions: SnapshotDefinitions, now = new Date()): Promise<StatusSnapshot> {
    const [latest, openIncidents, silences, checkinRuns, maintenance] = await Promise.all([
      this.results.allLatest(),
      this.incidents.allOpen(),
      this.silences.active(now),
      this.checkinRuns.allLatest(),
      // Only those active now: listing a week ahead walks every cron slot of it.
      this.maintenanceWindows(definitions, now, 0),
    ]);
    const ticketStates = await this.tickets.getMany(Object.values(openIncidents).map((incident) => incident.id));
    const tickets = Object.fromEntries(Object.entries(ticketStates).flatMap(([id, state]) => {
      const ref = ticketRef(state);
      return ref ? [[id, ref] as const] : [];
    }));
    const snapshot = buildStatusSnapshot({ ...definitions, latest, openIncidents, silences, checkinRuns, maintenance: activeMaintenance(maintenance, now), tickets }, now);
    const json = JSON.stringify(snapshot);
    await this.redis.multi().set(this.keys.snapshot, json).publish(this.keys.snapshotChannel, snapshot.generatedAt).exec();
    return snapshot;
  }

  /**
   * Maintenance occurrences active now or starting within `days` (README "Business calendar and
   * maintenance windows"): the config's windows and those opened through the API, early ends applied.
   */
  async maintenanceWindows(definitions: Pick<SnapshotDefinitions, 'maintenance' | 'monitoring'>, now: Date, days: number): Promise<MaintenanceOccurrence[]> {
    const [adHoc, endedEarly] = await Promise.all([this.maintenance.adHoc(now), this.maintenance.endedEarly(now)]);
    const zone = definitions.monitoring?.timezone ?? 'UTC';
    return maintenanceOccurrences({ config: definitions.maintenance ?? [], adHoc, endedEarly, now, zone, days });
  }

  /** The snapshot JSON as stored, or null before the first one. */
  async snapshotJson(): Promise<string | null> {
    return this.redis.get(this.keys.snapshot);
  }

  /**
   * The snapshot's stored bytes (UTF-8 JSON), or null before the first one: `GET /api/status`
   * sends them as they come, never decoded to a string and encoded again.
   */
  async snapshotBytes(): Promise<Buffer | null> {
    return this.redis.getBuffer(this.keys.snapshot);
  }

  async snapshot(): Promise<StatusSnapshot | null> {
    const json = await this.snapshotJson();
    return json ? (JSON.parse(json) as StatusSnapshot) : null;
  }

  /**
   * Runs `fn` holding a short Redis lock named `name` (e.g. one pipeline's incident state), so
   * two alert workers never interleave read-modify-write on the same record. Waits up to
   * `waitMs` for the lock; the lock expires by itself after `ttlMs` if its holder dies.
   */
  async withLock<T>(name: string, fn: () => Promise<T>, options: { ttlMs?: number; waitMs?: number } = {}): Promise<T> {
    const key = this.keys.lock(name);
    const token = randomUUID();
    const ttlMs = options.ttlMs ?? 30_000;
    const deadline = Date.now() + (options.waitMs ?? 30_000);
    while ((await this.redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${name}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    try {
      return await fn();
    } finally {
      await runScript(this.redis, 'releaseLock', [key], [token]);
    }
  }

  /** Deletes every key under the prefix (tests and `demo` reset), on every node of a cluster. */
  async clear(): Promise<void> {
    // On a cluster every key under the prefix shares its slot, so one DEL may take a whole batch.
    for await (const keys of scanKeys(this.redis, this.keys.everything)) await this.redis.del(...keys);
  }
}
