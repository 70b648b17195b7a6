import { randomUUID } from 'node:crypto';
import { type CheckinDefinition, type PipelineDefinition, type StatusSnapshot, buildStatusSnapshot } from '@datamon/core';
import type { Redis } from 'ioredis';
import { CheckinRunRepository } from './checkin-runs.ts';
import { IncidentRepository } from './incidents.ts';
import { redisKeys, type RedisKeys } from './keys.ts';
import { NotificationRepository } from './notifications.ts';
import { ResultRepository } from './results.ts';
import { SilenceRepository } from './silences.ts';
import { CheckinSlotRepository } from './checkin-slots.ts';
import { DeliveryClaimRepository } from './delivery-claims.ts';
import { MonitorRepository } from './monitor.ts';
import { PingRepository } from './pings.ts';
import { defineScripts, runScript } from './scripts.ts';

/**
 * The lock name around one pipeline's incident state: the alert worker's evaluations and the
 * API's acknowledgements take the same one, so neither undoes the other's write.
 */
export const pipelineLock = (pipelineId: string): string => `pipeline:${pipelineId}`;

export interface StoreOptions {
  /** `redis.prefix`: every key starts with it. */
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

  constructor(
    readonly redis: Redis,
    options: StoreOptions,
  ) {
    this.keys = redisKeys(options.prefix);
    this.results = new ResultRepository(redis, this.keys, options.historyDays);
    this.checkinRuns = new CheckinRunRepository(redis, this.keys, options.historyDays);
    this.incidents = new IncidentRepository(redis, this.keys);
    this.notifications = new NotificationRepository(redis, this.keys);
    this.silences = new SilenceRepository(redis, this.keys);
    this.checkinSlots = new CheckinSlotRepository(redis, this.keys);
    this.deliveryClaims = new DeliveryClaimRepository(redis, this.keys);
    this.monitor = new MonitorRepository(redis, this.keys);
    this.pings = new PingRepository(redis, this.keys);
    defineScripts(redis);
  }

  /**
   * Rebuilds the status snapshot from what is stored and announces it on the snapshot channel.
   * Called after anything that changes what `/api/status` shows, so a request reads one key.
   */
  async refreshSnapshot(definitions: { pipelines: readonly PipelineDefinition[]; checkins: readonly CheckinDefinition[] }, now = new Date()): Promise<StatusSnapshot> {
    const [latest, openIncidents, silences, checkinRuns] = await Promise.all([
      this.results.allLatest(),
      this.incidents.allOpen(),
      this.silences.active(now),
      this.checkinRuns.allLatest(),
    ]);
    const snapshot = buildStatusSnapshot({ ...definitions, latest, openIncidents, silences, checkinRuns }, now);
    const json = JSON.stringify(snapshot);
    await this.redis.multi().set(this.keys.snapshot, json).publish(this.keys.snapshotChannel, snapshot.generatedAt).exec();
    return snapshot;
  }

  /** The snapshot JSON as stored (served as-is), or null before the first one. */
  async snapshotJson(): Promise<string | null> {
    return this.redis.get(this.keys.snapshot);
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

  /** Deletes every key under the prefix (tests and `demo` reset). */
  async clear(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', this.keys.everything, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await this.redis.del(...keys);
    } while (cursor !== '0');
  }
}
