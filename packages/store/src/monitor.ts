import { type MonitorNotice, WATCHED_ROLES, type WatchedRole } from '@datamon/core';
import type { RedisClient } from './redis-connection.ts';
import type { RedisKeys } from './keys.ts';
import { runScript } from './scripts.ts';

/** One process's heartbeat. */
export interface Heartbeat {
  role: string;
  /** Host and pid: one entry per process of a role. */
  instance: string;
  startedAt: string;
  at: string;
}

/** A round's part count is kept this long (a round that never completes is forgotten). */
const ROUND_TTL_MS = 24 * 3600 * 1000;
/** Heartbeats of processes gone this long are dropped from the list. */
const FORGET_AFTER_MS = 24 * 3600 * 1000;

/**
 * What the monitor knows of itself (README "Watching the monitor"): each process's heartbeat,
 * the last completed quick-check round, and what the alert worker last told about it.
 */
export class MonitorRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** Records that a process of a role is alive now. */
  async beat(heartbeat: Heartbeat): Promise<void> {
    await this.redis.hset(this.keys.heartbeats, `${heartbeat.role}|${heartbeat.instance}`, JSON.stringify(heartbeat));
  }

  /** A process stopping cleanly takes its heartbeat with it. */
  async leave(role: string, instance: string): Promise<void> {
    await this.redis.hdel(this.keys.heartbeats, `${role}|${instance}`);
  }

  /** Every heartbeat kept; ones gone for a day are dropped. */
  async heartbeats(now: Date): Promise<Heartbeat[]> {
    const all = await this.redis.hgetall(this.keys.heartbeats);
    const kept: Heartbeat[] = [];
    const gone: string[] = [];
    for (const [field, raw] of Object.entries(all)) {
      const heartbeat = JSON.parse(raw) as Heartbeat;
      if (now.getTime() - Date.parse(heartbeat.at) > FORGET_AFTER_MS) gone.push(field);
      else kept.push(heartbeat);
    }
    if (gone.length > 0) await this.redis.hdel(this.keys.heartbeats, ...gone);
    return kept;
  }

  /** The newest heartbeat of each watched role. */
  async latestBeats(now: Date): Promise<Partial<Record<WatchedRole, Date>>> {
    const latest: Partial<Record<WatchedRole, Date>> = {};
    for (const heartbeat of await this.heartbeats(now)) {
      if (!(WATCHED_ROLES as readonly string[]).includes(heartbeat.role)) continue;
      const role = heartbeat.role as WatchedRole;
      const at = new Date(heartbeat.at);
      if (!latest[role] || (latest[role] as Date) < at) latest[role] = at;
    }
    return latest;
  }

  /** A round was split into `parts` parts (each reports with {@link partDone}). */
  async roundSplit(roundId: string, parts: number): Promise<void> {
    await this.redis.multi().hset(this.keys.round(roundId), 'parts', parts).pexpire(this.keys.round(roundId), ROUND_TTL_MS).exec();
  }

  /** One part of a split round finished; true when it was the last one (the round completed). */
  async partDone(roundId: string, partId: string, at: Date): Promise<boolean> {
    return (await runScript<number>(this.redis, 'roundPartDone', [this.keys.round(roundId), this.keys.lastRound], [partId, at.toISOString(), ROUND_TTL_MS])) === 1;
  }

  /** A whole round completed (one that was not split). */
  async roundDone(at: Date): Promise<void> {
    await runScript(this.redis, 'setIfLater', [this.keys.lastRound], [at.toISOString()]);
  }

  async lastRound(): Promise<Date | null> {
    const at = await this.redis.get(this.keys.lastRound);
    return at ? new Date(at) : null;
  }

  /** An admin paused a queue on purpose (Bull Board): who and when. */
  async recordPause(queue: string, by: string, at: Date): Promise<void> {
    await this.redis.hset(this.keys.pauses, queue, JSON.stringify({ by, at: at.toISOString() }));
  }

  async clearPause(queue: string): Promise<void> {
    await this.redis.hdel(this.keys.pauses, queue);
  }

  /** Queues paused on purpose, by name: who paused them and when. */
  async pauses(): Promise<Record<string, { by: string; at: string }>> {
    const all = await this.redis.hgetall(this.keys.pauses);
    return Object.fromEntries(Object.entries(all).map(([queue, raw]) => [queue, JSON.parse(raw) as { by: string; at: string }]));
  }

  /** What was last told about the monitor itself (the alert worker's degraded/back cards). */
  async notice(): Promise<MonitorNotice | null> {
    const raw = await this.redis.get(this.keys.monitorNotice);
    return raw ? (JSON.parse(raw) as MonitorNotice) : null;
  }

  async setNotice(notice: MonitorNotice): Promise<void> {
    await this.redis.set(this.keys.monitorNotice, JSON.stringify(notice));
  }
}
