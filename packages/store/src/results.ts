import type { CheckResult, HistoryEntry, Status, StoredResult } from '@datamon/core';
import type { RedisClient } from './redis-connection.ts';
import type { RedisKeys } from './keys.ts';
import { runScript } from './scripts.ts';

export interface RecordOutcome {
  /** False when this job had already stored this pipeline's result (a retried job). */
  stored: boolean;
  /** The status before this result (null: never checked). */
  previousStatus: Status | null;
  /** The result as stored, with `since`. */
  latest: StoredResult;
}

export class ResultRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly historyDays: number,
  ) {}

  /**
   * Stores one result. With a `jobId`, storing the same job's result for the same pipeline again
   * stores nothing and reports the first outcome, so a job retried after a crash is harmless.
   */
  async record(result: CheckResult, options: { jobId?: string } = {}): Promise<RecordOutcome> {
    const checkedAtMs = Date.parse(result.checkedAt);
    const entry: HistoryEntry = {
      status: result.status,
      value: result.value,
      message: result.message,
      checkedAt: result.checkedAt,
      ...(result.expected ? { expected: result.expected } : {}),
    };
    const trimBefore = checkedAtMs - this.historyDays * 86_400_000;
    const marker = this.keys.jobResult(options.jobId ?? `adhoc-${checkedAtMs}-${Math.random().toString(36).slice(2)}`, result.pipelineId);
    const reply = await runScript<[number, string]>(
      this.redis,
      'recordResult',
      [this.keys.latest, this.keys.history(result.pipelineId), marker],
      [result.pipelineId, JSON.stringify(result), checkedAtMs, result.status, JSON.stringify(entry), result.checkedAt, trimBefore, 86_400],
    );
    const outcome = JSON.parse(reply[1]) as { previousStatus: string; since: string };
    return {
      stored: reply[0] === 1,
      previousStatus: outcome.previousStatus ? (outcome.previousStatus as Status) : null,
      latest: { ...result, since: outcome.since },
    };
  }

  async latest(pipelineId: string): Promise<StoredResult | null> {
    const raw = await this.redis.hget(this.keys.latest, pipelineId);
    return raw ? parseStored(raw) : null;
  }

  /** The latest results of some pipelines (one round trip); those never checked are absent. */
  async latestMany(pipelineIds: readonly string[]): Promise<Record<string, StoredResult>> {
    if (pipelineIds.length === 0) return {};
    const raws = await this.redis.hmget(this.keys.latest, ...pipelineIds);
    const out: Record<string, StoredResult> = {};
    raws.forEach((raw, index) => {
      if (raw) out[pipelineIds[index] as string] = parseStored(raw);
    });
    return out;
  }

  async allLatest(): Promise<Record<string, StoredResult>> {
    const all = await this.redis.hgetall(this.keys.latest);
    const out: Record<string, StoredResult> = {};
    for (const [id, raw] of Object.entries(all)) out[id] = parseStored(raw);
    return out;
  }

  /** History points from `since` (inclusive) to `until` (inclusive), oldest first. */
  async history(pipelineId: string, since: Date, until: Date = new Date(8.64e15)): Promise<HistoryEntry[]> {
    const members = await this.redis.zrangebyscore(this.keys.history(pipelineId), since.getTime(), until.getTime());
    return members.map((member) => JSON.parse(member) as HistoryEntry);
  }

  /** Removes a pipeline's stored state (it left the config). */
  async forget(pipelineId: string): Promise<void> {
    await this.redis.multi().hdel(this.keys.latest, pipelineId).del(this.keys.history(pipelineId)).exec();
  }
}

function parseStored(raw: string): StoredResult {
  const { checkedAtMs: _ms, ...stored } = JSON.parse(raw) as StoredResult & { checkedAtMs?: number };
  return stored;
}
