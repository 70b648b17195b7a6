import type { IncidentRecord } from '@datamon/core';
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys.ts';

export class IncidentRepository {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async get(incidentId: string): Promise<IncidentRecord | null> {
    const raw = await this.redis.get(this.keys.incident(incidentId));
    return raw ? (JSON.parse(raw) as IncidentRecord) : null;
  }

  async open(pipelineId: string): Promise<IncidentRecord | null> {
    const id = await this.redis.hget(this.keys.openIncidents, pipelineId);
    return id ? this.get(id) : null;
  }

  /**
   * The pipeline's latest incident, open or closed: what the incident rule evaluates against (a
   * recently closed one may re-open or still owe its resolved message).
   */
  async latest(pipelineId: string): Promise<IncidentRecord | null> {
    const id = await this.redis.hget(this.keys.latestIncidents, pipelineId);
    return id ? this.get(id) : null;
  }

  /** pipelineId -> open incident. */
  async allOpen(): Promise<Record<string, IncidentRecord>> {
    const ids = await this.redis.hgetall(this.keys.openIncidents);
    const entries = Object.entries(ids);
    if (entries.length === 0) return {};
    const raws = await this.redis.mget(entries.map(([, id]) => this.keys.incident(id)));
    const out: Record<string, IncidentRecord> = {};
    entries.forEach(([pipelineId], index) => {
      const raw = raws[index];
      if (raw) out[pipelineId] = JSON.parse(raw) as IncidentRecord;
    });
    return out;
  }

  /** Saves an incident and keeps the open index right (closed incidents leave it). */
  async save(incident: IncidentRecord): Promise<void> {
    const tx = this.redis
      .multi()
      .set(this.keys.incident(incident.id), JSON.stringify(incident))
      .zadd(this.keys.allIncidents, Date.parse(incident.openedAt), incident.id)
      .hset(this.keys.latestIncidents, incident.pipelineId, incident.id);
    if (incident.closedAt === null) tx.hset(this.keys.openIncidents, incident.pipelineId, incident.id);
    await tx.exec();
    if (incident.closedAt !== null) {
      // Only unlink it if it is still the open one: a newer incident may have opened since.
      await this.redis.eval(
        "if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0",
        1,
        this.keys.openIncidents,
        incident.pipelineId,
        incident.id,
      );
    }
  }

  /** Newest first. */
  async list(options: { state: 'open' | 'all'; limit?: number }): Promise<IncidentRecord[]> {
    if (options.state === 'open') {
      const open = Object.values(await this.allOpen());
      return open.sort((a, b) => Date.parse(b.openedAt) - Date.parse(a.openedAt)).slice(0, options.limit ?? open.length);
    }
    const ids = await this.redis.zrevrange(this.keys.allIncidents, 0, (options.limit ?? 200) - 1);
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.keys.incident(id)));
    return raws.filter((raw): raw is string => raw !== null).map((raw) => JSON.parse(raw) as IncidentRecord);
  }
}
