import type { RedisClient } from './redis-connection.ts';
import type { RedisKeys } from './keys.ts';

/**
 * Where an incident's ticket stands (README "Tickets and recovery"). `opening` is the intent,
 * stored before the create request: a retry that finds it looks the ticket up before creating
 * another. `key`/`url` are stored as soon as the system answers (webhook: there is no ticket,
 * only the events sent). `failed`: refused for good, with the reason.
 */
export interface TicketState {
  state: 'opening' | 'open' | 'closed' | 'failed';
  system: 'jira' | 'github' | 'webhook';
  key: string | null;
  url: string | null;
  error: string | null;
  at: string;
}

export class TicketRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async get(incidentId: string): Promise<TicketState | null> {
    const raw = await this.redis.get(this.keys.ticket(incidentId));
    return raw ? (JSON.parse(raw) as TicketState) : null;
  }

  /** incidentId -> its ticket, for those that have one. */
  async getMany(incidentIds: readonly string[]): Promise<Record<string, TicketState>> {
    if (incidentIds.length === 0) return {};
    const raws = await this.redis.mget(incidentIds.map((id) => this.keys.ticket(id)));
    const out: Record<string, TicketState> = {};
    incidentIds.forEach((id, index) => {
      const raw = raws[index];
      if (raw) out[id] = JSON.parse(raw) as TicketState;
    });
    return out;
  }

  async set(incidentId: string, state: TicketState): Promise<void> {
    await this.redis.set(this.keys.ticket(incidentId), JSON.stringify(state));
  }
}

/** The `ticket` an incident shows in the API, cards and the dashboard: `{key, url}` once known, else null. */
export function ticketRef(state: TicketState | null | undefined): { key: string; url: string } | null {
  return state?.key && state.url ? { key: state.key, url: state.url } : null;
}
