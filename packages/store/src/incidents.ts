import { type IncidentRecord, TIMELINE_LIMIT, type TimelineEntry } from '@datamon/core';
import type { RedisClient } from './redis-connection.ts';
import type { RedisKeys } from './keys.ts';
import { runScript } from './scripts.ts';

export class IncidentRepository {
  constructor(
    private readonly redis: RedisClient,
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

  /** Which of these pipelines have an open incident (one HMGET, whatever else is open). */
  async openAmong(pipelineIds: readonly string[]): Promise<Set<string>> {
    if (pipelineIds.length === 0) return new Set();
    const ids = await this.redis.hmget(this.keys.openIncidents, ...pipelineIds);
    return new Set(pipelineIds.filter((_, index) => ids[index] !== null));
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

  /**
   * Saves an incident with the timeline entries its change adds (in one transaction: the
   * timeline never tells of a change that was not saved) and keeps the open index right (closed
   * incidents leave it).
   */
  async save(incident: IncidentRecord, timeline: readonly TimelineEntry[] = []): Promise<void> {
    const tx = this.redis
      .multi()
      .set(this.keys.incident(incident.id), JSON.stringify(incident))
      .zadd(this.keys.allIncidents, Date.parse(incident.openedAt), incident.id)
      .hset(this.keys.latestIncidents, incident.pipelineId, incident.id);
    if (incident.closedAt === null) tx.hset(this.keys.openIncidents, incident.pipelineId, incident.id);
    this.queueTimeline(tx, incident.id, timeline);
    await tx.exec();
    if (incident.closedAt !== null) {
      // Only unlink it if it is still the open one: a newer incident may have opened since.
      await runScript(this.redis, 'unlinkOpenIncident', [this.keys.openIncidents], [incident.pipelineId, incident.id]);
    }
  }

  /** Adds entries to an incident's timeline (README "Incident timeline"), keeping the newest {@link TIMELINE_LIMIT}. */
  async addTimeline(incidentId: string, entries: readonly TimelineEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const tx = this.redis.multi();
    this.queueTimeline(tx, incidentId, entries);
    await tx.exec();
  }

  /** An incident's timeline, oldest first. */
  async timeline(incidentId: string): Promise<TimelineEntry[]> {
    const raws = await this.redis.lrange(this.keys.incidentTimeline(incidentId), 0, -1);
    return raws.map((raw) => JSON.parse(raw) as TimelineEntry);
  }

  private queueTimeline(tx: ReturnType<RedisClient['multi']>, incidentId: string, entries: readonly TimelineEntry[]): void {
    if (entries.length === 0) return;
    const key = this.keys.incidentTimeline(incidentId);
    tx.rpush(key, ...entries.map((entry) => JSON.stringify(entry))).ltrim(key, -TIMELINE_LIMIT, -1);
  }

  /**
   * Indexes when the pipeline's incident next has something due (the rule's `nextDueAt`: an
   * escalation, a held message, a silence's end), or takes it out of the index (null).
   */
  async setDue(pipelineId: string, dueAt: string | null): Promise<void> {
    if (dueAt === null) await this.redis.zrem(this.keys.incidentsDue, pipelineId);
    else await this.redis.zadd(this.keys.incidentsDue, Date.parse(dueAt), pipelineId);
  }

  /** Pipelines whose incident has something due at or before `now`. */
  async dueBy(now: Date): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.incidentsDue, '-inf', now.getTime());
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

  /** Incidents opened from `since` (inclusive) to `until` (exclusive), oldest first, however many. */
  async openedBetween(since: Date, until: Date): Promise<IncidentRecord[]> {
    const ids = await this.redis.zrangebyscore(this.keys.allIncidents, since.getTime(), `(${until.getTime()}`);
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(ids.map((id) => this.keys.incident(id)));
    return raws.filter((raw): raw is string => raw !== null).map((raw) => JSON.parse(raw) as IncidentRecord);
  }
}
