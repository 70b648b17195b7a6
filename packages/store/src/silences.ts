import type { RedisClient } from './redis-connection.ts';
import type { RedisKeys } from './keys.ts';

export class SilenceRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async silence(pipelineId: string, until: Date): Promise<void> {
    await this.redis.hset(this.keys.silences, pipelineId, until.toISOString());
  }

  /** Ends a silence; true if there was one. */
  async unsilence(pipelineId: string): Promise<boolean> {
    return (await this.redis.hdel(this.keys.silences, pipelineId)) > 0;
  }

  /** pipelineId -> ISO end, for silences still running at `now`. Expired ones are dropped. */
  async active(now: Date): Promise<Record<string, string>> {
    const all = await this.redis.hgetall(this.keys.silences);
    const active: Record<string, string> = {};
    const expired: string[] = [];
    for (const [pipelineId, until] of Object.entries(all)) {
      if (Date.parse(until) > now.getTime()) active[pipelineId] = until;
      else expired.push(pipelineId);
    }
    if (expired.length > 0) await this.redis.hdel(this.keys.silences, ...expired);
    return active;
  }

  async until(pipelineId: string, now: Date): Promise<Date | null> {
    const until = await this.redis.hget(this.keys.silences, pipelineId);
    return until && Date.parse(until) > now.getTime() ? new Date(until) : null;
  }
}
