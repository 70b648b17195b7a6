import type { RedisClient } from './redis-connection.ts';
import type { RedisKeys } from './keys.ts';
import { runScript } from './scripts.ts';

/** How long a slot's claim and a check-in's last slot are kept (a removed check-in's go by themselves). */
const SLOT_TTL_MS = 8 * 24 * 3600 * 1000;

/**
 * Which check-in slots ran (README "Check-ins and the schedule": a missed check-in runs late, once). A scheduled or late run
 * claims its slot before it runs; the scheduler reads the last claimed slot to tell a missed one.
 */
export class CheckinSlotRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * Claims a slot for a job: true when this job may run it (it was free, or this job already
   * claimed it: a retry), false when another job ran or runs it.
   */
  async claim(checkinId: string, slot: string, jobId: string): Promise<boolean> {
    const claimed = await runScript<number>(this.redis, 'claimCheckinSlot', [this.keys.slotClaim(checkinId, slot), this.keys.lastSlot(checkinId)], [jobId, slot, SLOT_TTL_MS]);
    return claimed === 1;
  }

  /** The latest slot a run claimed, or null. */
  async last(checkinId: string): Promise<Date | null> {
    const slot = await this.redis.get(this.keys.lastSlot(checkinId));
    return slot ? new Date(slot) : null;
  }

  /** Takes the lock that lets one scheduler enqueue a slot's late run; false when another has it. */
  async lockLate(checkinId: string, slot: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.lateLock(checkinId, slot), String(process.pid), 'PX', ttlMs, 'NX')) === 'OK';
  }

  async unlockLate(checkinId: string, slot: string): Promise<void> {
    await this.redis.del(this.keys.lateLock(checkinId, slot));
  }
}
