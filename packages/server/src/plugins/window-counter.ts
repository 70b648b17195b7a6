/**
 * Counts events per key in fixed windows (failed sign-ins per address and user, changes per
 * credential). Written here rather than taken from @fastify/rate-limit: its in-memory store hands
 * every caller the same counter object, so requests arriving together all read the final count
 * and all of them are refused (61 concurrent requests against a limit of 60: 61 refusals).
 */
export class WindowCounter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    /** Keys kept at most (the oldest windows go first), so a flood of addresses cannot fill memory. */
    private readonly maxKeys = 10_000,
  ) {}

  /** Counts one event for `key`; `exceeded` when it is over the limit, and how long until the window ends. */
  hit(key: string): { exceeded: boolean; retryAfterSeconds: number } {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      window = { start: now, count: 0 };
      this.windows.delete(key);
      if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value as string);
      this.windows.set(key, window);
    }
    window.count += 1;
    return { exceeded: window.count > this.max, retryAfterSeconds: Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000)) };
  }
}
