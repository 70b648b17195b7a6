import type { RedisClient } from './redis-connection.ts';
import type { RedisKeys } from './keys.ts';

/** A reload asked for (SIGHUP in one process, or `POST /api/admin/reload`), announced to every process. */
export interface ReloadRequest {
  id: string;
  at: string;
  /** Who asked: `SIGHUP on host:pid`, or the API credential's name. */
  by: string;
}

/** How the last reload went, as the dashboard and `GET /api/admin/reload` show it. */
export interface ReloadStatus {
  id: string;
  at: string;
  by: string;
  ok: boolean;
  /** The start-up messages of a refused config, one per line; or what was applied, in words. */
  message: string;
  added: string[];
  removed: string[];
  changed: string[];
}

/** Config reloads (README "Reloading the config"): the announcement to every process, and the last outcome. */
export class ReloadRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** The channel every process listens on (with a connection of its own: a subscriber can do nothing else). */
  get channel(): string {
    return this.keys.configReloadChannel;
  }

  /** Tells every process to reload its config file. */
  async announce(request: ReloadRequest): Promise<void> {
    await this.redis.publish(this.keys.configReloadChannel, JSON.stringify(request));
  }

  async record(status: ReloadStatus): Promise<void> {
    await this.redis.set(this.keys.configReloadStatus, JSON.stringify(status));
  }

  async status(): Promise<ReloadStatus | null> {
    const raw = await this.redis.get(this.keys.configReloadStatus);
    return raw ? (JSON.parse(raw) as ReloadStatus) : null;
  }
}
