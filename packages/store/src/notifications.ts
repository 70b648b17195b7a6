import type { NotificationRecord } from '@datamon/core';
import type { RedisClient } from './redis-connection.ts';
import type { RedisKeys } from './keys.ts';

/** The notification record (README "Alerts"): every notification, sent or failed, newest first. */
export class NotificationRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly maxKept = 10_000,
  ) {}

  /** Records (or updates, by id) one notification's outcome. */
  async record(notification: NotificationRecord): Promise<void> {
    const tx = this.redis
      .multi()
      .hset(this.keys.notifications, notification.id, JSON.stringify(notification))
      .zadd(this.keys.notificationIndex, 'NX', Date.parse(notification.at), notification.id);
    if (notification.incidentId) {
      tx.zadd(this.keys.incidentNotifications(notification.incidentId), 'NX', Date.parse(notification.at), notification.id);
    }
    const replies = await tx.zcard(this.keys.notificationIndex).exec();
    const [, size] = replies?.at(-1) ?? [null, 0];
    const excess = Number(size) - this.maxKept;
    if (excess > 0) {
      const old = await this.redis.zrange(this.keys.notificationIndex, 0, excess - 1);
      await this.redis.multi().zrem(this.keys.notificationIndex, ...old).hdel(this.keys.notifications, ...old).exec();
    }
  }

  async get(id: string): Promise<NotificationRecord | null> {
    const raw = await this.redis.hget(this.keys.notifications, id);
    return raw ? (JSON.parse(raw) as NotificationRecord) : null;
  }

  async list(limit = 100): Promise<NotificationRecord[]> {
    const ids = await this.redis.zrevrange(this.keys.notificationIndex, 0, limit - 1);
    return this.load(ids);
  }

  /** One incident's notifications, oldest first. */
  async forIncident(incidentId: string): Promise<NotificationRecord[]> {
    const ids = await this.redis.zrange(this.keys.incidentNotifications(incidentId), 0, -1);
    return this.load(ids);
  }

  /**
   * How many kept records there are per channel and outcome (`/metrics`): counted in the record
   * itself, so the figures survive restarts and agree across processes; the record is bounded.
   */
  async tally(): Promise<{ channel: NotificationRecord['channel']; outcome: NotificationRecord['outcome']; count: number }[]> {
    const counts = new Map<string, { channel: NotificationRecord['channel']; outcome: NotificationRecord['outcome']; count: number }>();
    for (const raw of await this.redis.hvals(this.keys.notifications)) {
      const { channel, outcome } = JSON.parse(raw) as NotificationRecord;
      const key = `${channel}\u0000${outcome}`;
      const entry = counts.get(key) ?? { channel, outcome, count: 0 };
      entry.count += 1;
      counts.set(key, entry);
    }
    return [...counts.values()];
  }

  private async load(ids: string[]): Promise<NotificationRecord[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.hmget(this.keys.notifications, ...ids);
    return raws.filter((raw): raw is string => raw !== null).map((raw) => JSON.parse(raw) as NotificationRecord);
  }
}
