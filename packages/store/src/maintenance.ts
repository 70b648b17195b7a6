import type { AdHocWindow } from '@datamon/core';
import type { RedisClient } from './redis-connection.ts';
import type { RedisKeys } from './keys.ts';

/** Ad hoc windows and early ends are dropped this long after they are over. */
const KEEP_MS = 8 * 86_400_000;

/**
 * Maintenance windows opened through the API, and occurrences of any window ended early
 * (README "Business calendar and maintenance windows"). Config windows live in the config; the
 * pure `maintenanceOccurrences` in core puts both together.
 */
export class MaintenanceRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async open(window: AdHocWindow): Promise<void> {
    await this.redis.hset(this.keys.maintenanceAdHoc, window.id, JSON.stringify(window));
  }

  /** Every ad hoc window not long over (older ones are removed as they are read). */
  async adHoc(now: Date): Promise<AdHocWindow[]> {
    const all = Object.values(await this.redis.hgetall(this.keys.maintenanceAdHoc)).map((raw) => JSON.parse(raw) as AdHocWindow);
    const old = all.filter((window) => Date.parse(window.to) < now.getTime() - KEEP_MS).map((window) => window.id);
    if (old.length > 0) await this.redis.hdel(this.keys.maintenanceAdHoc, ...old);
    return all.filter((window) => !old.includes(window.id));
  }

  /** Ends an occurrence now (an ad hoc window's own id, or a config occurrence's). */
  async end(occurrenceId: string, at: Date): Promise<void> {
    await this.redis.hset(this.keys.maintenanceEnded, occurrenceId, at.toISOString());
  }

  /** Occurrence id -> when it was ended early (ISO); old entries removed as they are read. */
  async endedEarly(now: Date): Promise<Record<string, string>> {
    const all = await this.redis.hgetall(this.keys.maintenanceEnded);
    const old = Object.entries(all).filter(([, at]) => Date.parse(at) < now.getTime() - KEEP_MS).map(([id]) => id);
    if (old.length > 0) await this.redis.hdel(this.keys.maintenanceEnded, ...old);
    for (const id of old) delete all[id];
    return all;
  }
}
