import type { CheckResult, HistoryEntry, Status, StoredResult } from '@datamon/core';
import type { RedisClient } from './redis-connection.ts';
import type { RedisKeys } from './keys.ts';
import { defineScripts, queueScript, runScript } from './scripts.ts';

export interface RecordOutcome {
  /** False when this job had already stored this pipeline's result (a retried job). */
  stored: boolean;
  /** The status before this result (null: never checked). */
  previousStatus: Status | null;
  /** The result as stored, with `since`. */
  latest: StoredResult;
}

/** Results per pipeline of commands in {@link ResultRepository.recordMany} (a quick-check part is 100). */
export const RECORD_BATCH = 500;

/** How long a job's "already stored" marker is kept: a day, far longer than a retry takes to come. */
const MARKER_TTL_S = 86_400;

/** record-result.lua's reply: 1 stored or 0 already stored, and the outcome JSON. */
type RecordReply = [number, string];

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
    const { keys, args } = this.recordCall(result, options.jobId);
    return outcomeOf(result, await runScript<RecordReply>(this.redis, 'recordResult', keys, args));
  }

  /**
   * Stores several results, with the guarantees of {@link record} for each one (each is its own
   * atomic script run, in order), but sent as one pipeline of commands per
   * {@link RECORD_BATCH} results rather than one round trip per result: the quick check's part
   * of 100 is one write. On a Redis Cluster every key shares the prefix's hash tag, so a
   * pipeline goes to one node.
   *
   * @param jobId - names the batch: storing it again (a retried job) stores nothing twice and
   *   reports the first outcome of each result
   * @returns one outcome per result, in the same order
   */
  async recordMany(results: readonly CheckResult[], options: { jobId?: string } = {}): Promise<RecordOutcome[]> {
    // ioredis copies the connection's scripts onto each pipeline it makes: register them first.
    defineScripts(this.redis);
    const outcomes: RecordOutcome[] = [];
    for (let start = 0; start < results.length; start += RECORD_BATCH) {
      const batch = results.slice(start, start + RECORD_BATCH);
      const pipeline = this.redis.pipeline();
      for (const result of batch) {
        const { keys, args } = this.recordCall(result, options.jobId);
        queueScript(pipeline, 'recordResult', keys, args);
      }
      const replies = (await pipeline.exec()) ?? [];
      if (replies.length !== batch.length) throw new Error(`storing ${batch.length} results: Redis answered ${replies.length} of them`);
      batch.forEach((result, index) => {
        const [err, reply] = replies[index] as [Error | null, unknown];
        // The job fails and retries; the results already stored are then not stored twice.
        if (err) throw err;
        outcomes.push(outcomeOf(result, reply as RecordReply));
      });
    }
    return outcomes;
  }

  /** The keys and arguments of record-result.lua for one result. */
  private recordCall(result: CheckResult, jobId: string | undefined): { keys: string[]; args: (string | number)[] } {
    const checkedAtMs = Date.parse(result.checkedAt);
    const entry: HistoryEntry = {
      status: result.status,
      value: result.value,
      message: result.message,
      checkedAt: result.checkedAt,
      ...(result.expected ? { expected: result.expected } : {}),
    };
    const trimBefore = checkedAtMs - this.historyDays * 86_400_000;
    const marker = this.keys.jobResult(jobId ?? `adhoc-${checkedAtMs}-${Math.random().toString(36).slice(2)}`, result.pipelineId);
    return {
      keys: [this.keys.latest, this.keys.history(result.pipelineId), marker],
      args: [result.pipelineId, JSON.stringify(result), checkedAtMs, result.status, JSON.stringify(entry), result.checkedAt, trimBefore, MARKER_TTL_S],
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

function outcomeOf(result: CheckResult, reply: RecordReply): RecordOutcome {
  const outcome = JSON.parse(reply[1]) as { previousStatus: string; since: string };
  return {
    stored: reply[0] === 1,
    previousStatus: outcome.previousStatus ? (outcome.previousStatus as Status) : null,
    latest: { ...result, since: outcome.since },
  };
}

function parseStored(raw: string): StoredResult {
  const { checkedAtMs: _ms, ...stored } = JSON.parse(raw) as StoredResult & { checkedAtMs?: number };
  return stored;
}
