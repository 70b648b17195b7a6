import type { RedisClient } from './redis-connection.ts';
import type { RedisKeys } from './keys.ts';
import { runScript } from './scripts.ts';

/** A claim lives as long as finished jobs are kept (a day). */
const CLAIM_TTL_MS = 24 * 3600 * 1000;

/**
 * Which delivery job answers for a notification merged into its Chat card: two workers listing
 * the same waiting job cannot both keep it.
 */
export class DeliveryClaimRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** True when the notification is now (or already was) `owner`'s. */
  async claim(notificationId: string, owner: string): Promise<boolean> {
    return (await runScript<number>(this.redis, 'claimOnce', [this.keys.deliveryClaim(notificationId)], [owner, CLAIM_TTL_MS])) === 1;
  }
}
