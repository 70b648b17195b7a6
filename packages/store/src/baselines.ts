import type { DayCounts } from '@datamon/core';
import type { RedisKeys } from './keys.ts';
import type { RedisClient } from './redis-connection.ts';

/** A baseline not read for this long is dropped (weeks of a retired pipeline's counts). */
const KEEP_SECONDS = 120 * 86_400;
/** The first row's time is read again after a day (a table may be truncated and reloaded). */
const FIRST_ROW_SECONDS = 86_400;

/**
 * The anomaly baselines' cache (README "Volume anomalies"): per counted set (`signature`: the
 * warehouse, table, column and filters), each past day's counts, the dates last judged anomalous,
 * and the first row's time. Past days do not change, so a warm check reads them instead of
 * counting weeks of rows again.
 */
export class BaselineRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** The first row, the dates flagged and the cached counts of `dates`, in one round trip. */
  async load(signature: string, dates: readonly string[]): Promise<{ firstRow: string | null | undefined; flagged: Set<string>; days: Record<string, DayCounts> }> {
    const multi = this.redis.multi().get(this.keys.baselineFirstRow(signature)).smembers(this.keys.baselineFlags(signature));
    if (dates.length > 0) multi.hmget(this.keys.baselineDays(signature), ...dates);
    const replies = (await multi.exec()) ?? [];
    const first = replies[0]?.[1] as string | null;
    const flagged = new Set((replies[1]?.[1] as string[] | undefined) ?? []);
    const raws = (replies[2]?.[1] as (string | null)[] | undefined) ?? [];
    const days: Record<string, DayCounts> = {};
    raws.forEach((raw, index) => {
      if (raw) days[dates[index] as string] = JSON.parse(raw) as DayCounts;
    });
    return { firstRow: first === null ? undefined : first === '' ? null : first, flagged, days };
  }

  /** Writes what a check learnt, in one round trip: counted days, the first row, a date's verdict. */
  async save(signature: string, changes: { days?: Readonly<Record<string, DayCounts>>; firstRow?: string | null; flag?: { date: string; anomalous: boolean } }): Promise<void> {
    const multi = this.redis.multi();
    const days = Object.entries(changes.days ?? {});
    if (days.length > 0) {
      const key = this.keys.baselineDays(signature);
      multi.hset(key, Object.fromEntries(days.map(([date, counts]) => [date, JSON.stringify(counts)]))).expire(key, KEEP_SECONDS);
    }
    if (changes.firstRow !== undefined) multi.set(this.keys.baselineFirstRow(signature), changes.firstRow ?? '', 'EX', FIRST_ROW_SECONDS);
    if (changes.flag) {
      const key = this.keys.baselineFlags(signature);
      if (changes.flag.anomalous) multi.sadd(key, changes.flag.date).expire(key, KEEP_SECONDS);
      else multi.srem(key, changes.flag.date);
    }
    await multi.exec();
  }

  /** Dates whose latest verdict was an anomaly. */
  async flagged(signature: string): Promise<Set<string>> {
    return new Set(await this.redis.smembers(this.keys.baselineFlags(signature)));
  }
}
