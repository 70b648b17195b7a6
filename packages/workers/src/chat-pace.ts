import type { Redis } from 'ioredis';
import { sleep } from './role.ts';

/**
 * Paces messages to one Google Chat space: at most one every `intervalMs`, across every delivery
 * worker on this Redis prefix (a `SET NX PX` key is the turn). Emails do not take turns: each
 * one is a message of its own to people's mailboxes, and the SMTP connection is used one message
 * at a time anyway.
 */
export class ChatPace {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly intervalMs = 1_000,
  ) {}

  /** Resolves when this worker may send the next message (it then holds the turn). */
  async turn(): Promise<void> {
    for (;;) {
      if ((await this.redis.set(this.key, '1', 'PX', this.intervalMs, 'NX')) === 'OK') return;
      const left = await this.redis.pttl(this.key);
      await sleep(Math.min(Math.max(left, 5), this.intervalMs));
    }
  }
}
