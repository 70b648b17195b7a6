import type { CheckinRun } from '@datamon/core';
import type { RedisClient } from './redis-connection.ts';
import type { RedisKeys } from './keys.ts';

export class CheckinRunRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly historyDays: number,
  ) {}

  /** Stores a run (idempotent by run id) and makes it the check-in's latest if it is newer. */
  async record(run: CheckinRun): Promise<void> {
    const ranAtMs = Date.parse(run.ranAt);
    const ttl = this.historyDays * 86_400;
    const current = await this.latest(run.checkinId);
    const tx = this.redis
      .multi()
      .set(this.keys.checkinRun(run.id), JSON.stringify(run), 'EX', ttl)
      .zadd(this.keys.checkinRuns(run.checkinId), ranAtMs, run.id)
      .zremrangebyscore(this.keys.checkinRuns(run.checkinId), '-inf', `(${ranAtMs - ttl * 1000}`);
    if (!current || Date.parse(current.ranAt) <= ranAtMs) tx.hset(this.keys.checkinLatest, run.checkinId, JSON.stringify(run));
    await tx.exec();
  }

  async get(runId: string): Promise<CheckinRun | null> {
    const raw = await this.redis.get(this.keys.checkinRun(runId));
    return raw ? (JSON.parse(raw) as CheckinRun) : null;
  }

  async latest(checkinId: string): Promise<CheckinRun | null> {
    const raw = await this.redis.hget(this.keys.checkinLatest, checkinId);
    return raw ? (JSON.parse(raw) as CheckinRun) : null;
  }

  async allLatest(): Promise<Record<string, CheckinRun>> {
    const all = await this.redis.hgetall(this.keys.checkinLatest);
    return Object.fromEntries(Object.entries(all).map(([id, raw]) => [id, JSON.parse(raw) as CheckinRun]));
  }

  /** Runs of one check-in since an instant, oldest first. */
  async list(checkinId: string, since: Date): Promise<CheckinRun[]> {
    const ids = await this.redis.zrangebyscore(this.keys.checkinRuns(checkinId), since.getTime(), '+inf');
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.keys.checkinRun(id)));
    return raws.filter((raw): raw is string => raw !== null).map((raw) => JSON.parse(raw) as CheckinRun);
  }
}
