import type { Ping } from '@datamon/core';
import type { RedisClient } from './redis-connection.ts';
import type { RedisKeys } from './keys.ts';
import { runScript } from './scripts.ts';

/** Pings kept per heartbeat pipeline (newest first): enough for its rule and the dashboard's runs. */
export const MAX_PINGS = 200;

/** How long a claimed check may wait to start before another ping queues one anyway. */
const CLAIM_MS = 60_000;

/** Days a day's run counts are kept (the daily summary reads today's). */
const COUNT_DAYS = 3;

/**
 * The pings of heartbeat pipelines (README "Heartbeats"): a bounded list per pipeline, newest
 * first, and per local day how many runs finished and how many failed.
 */
export class PingRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * Stores a ping and counts a finish in its local day (`date`, YYYY-MM-DD), and claims the
   * pipeline's next check, in one round trip.
   *
   * A check of the pipeline is needed after every ping, but not one per ping: while a check is
   * queued and not yet started, it will read this ping too. The claim (a key the check deletes as
   * it starts, before reading any ping) says whether one is queued.
   *
   * @param date - the local date of `ping.at` in `monitoring.timezone`
   * @returns whether the caller must queue a check (no check was waiting to start), and when the
   *   last check of the pipeline started (ISO), for the caller to pace checks
   */
  async record(pipelineId: string, ping: Ping, date: string): Promise<{ checkNeeded: boolean; lastCheckStartedAt: string | null }> {
    const counts = ping.type === 'fail' ? 'failure' : ping.type === 'success' ? 'run' : '';
    // A log ping changes nothing (README "Heartbeats"): no check for it.
    const claims = ping.type !== 'log';
    // One script, one round trip: a MULTI of the same commands took several times longer per ping.
    const [checkNeeded, lastCheckStartedAt] = await runScript<[number, string | null]>(
      this.redis,
      'recordPing',
      [this.keys.pings(pipelineId), this.keys.pingCounts(date), this.keys.pingCheckWaiting(pipelineId), this.keys.pingCheckStarted(pipelineId)],
      [JSON.stringify(ping), MAX_PINGS, counts, pipelineId, COUNT_DAYS * 86_400, claims ? '1' : '0', ping.at, CLAIM_MS],
    );
    return { checkNeeded: checkNeeded === 1, lastCheckStartedAt: typeof lastCheckStartedAt === 'string' ? lastCheckStartedAt : null };
  }

  /**
   * A check of the pipeline starts: later pings need a check of their own. Call before reading pings.
   *
   * @param at - when it starts (ISO), kept a little while so pings can pace the next check
   */
  async checkStarting(pipelineId: string, at: string): Promise<void> {
    await this.redis.multi().del(this.keys.pingCheckWaiting(pipelineId)).set(this.keys.pingCheckStarted(pipelineId), at, 'PX', CLAIM_MS).exec();
  }

  /** The newest `limit` pings, newest first. */
  async recent(pipelineId: string, limit = MAX_PINGS): Promise<Ping[]> {
    const raws = await this.redis.lrange(this.keys.pings(pipelineId), 0, Math.max(0, Math.min(limit, MAX_PINGS) - 1));
    return raws.map((raw) => JSON.parse(raw) as Ping);
  }

  /** Runs finished and failed on a local day, per pipeline. */
  async dayCounts(date: string): Promise<Record<string, { runs: number; failures: number }>> {
    const raw = await this.redis.hgetall(this.keys.pingCounts(date));
    const out: Record<string, { runs: number; failures: number }> = {};
    for (const [field, value] of Object.entries(raw)) {
      const cut = field.lastIndexOf('|');
      const pipelineId = field.slice(0, cut);
      const entry = (out[pipelineId] ??= { runs: 0, failures: 0 });
      if (field.endsWith('|runs')) entry.runs = Number(value);
      else entry.failures = Number(value);
    }
    return out;
  }

  /** Removes a pipeline's pings (it left the config). */
  async forget(pipelineId: string): Promise<void> {
    await this.redis.del(this.keys.pings(pipelineId));
  }
}
