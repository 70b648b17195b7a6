/**
 * Process-level tuning of the runtime, read from the environment (not the config file: these
 * describe one process, not the monitored estate, and tests shorten them per child process).
 *
 * | variable | default | what |
 * |---|---|---|
 * | `DATAMON_CHECK_CONCURRENCY` | 8 | jobs one check-worker process runs at once |
 * | `DATAMON_QUICK_CHECK_CHUNK` | 100 | pipelines per quick-check part (fan-out across workers) |
 * | `DATAMON_LOCK_DURATION_MS` | 30000 | BullMQ job lock; a dead worker's job is retried after it |
 * | `DATAMON_STALLED_INTERVAL_MS` | 30000 | how often workers look for jobs whose lock expired |
 * | `DATAMON_MAX_STALLED_COUNT` | 2 | stalls (worker deaths) a job survives before it fails |
 * | `DATAMON_SHUTDOWN_GRACE_MS` | 7000 | how long a stopping worker waits for running jobs |
 */
export interface RuntimeSettings {
  checkConcurrency: number;
  quickCheckChunk: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  shutdownGraceMs: number;
}

export const DEFAULT_SETTINGS: Readonly<RuntimeSettings> = {
  checkConcurrency: 8,
  quickCheckChunk: 100,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 2,
  // Leaves room under the 10 s a stop may take (README "Running it": exit within 10 s) to close connections.
  shutdownGraceMs: 7_000,
};

const VARIABLES: Readonly<Record<keyof RuntimeSettings, string>> = {
  checkConcurrency: 'DATAMON_CHECK_CONCURRENCY',
  quickCheckChunk: 'DATAMON_QUICK_CHECK_CHUNK',
  lockDurationMs: 'DATAMON_LOCK_DURATION_MS',
  stalledIntervalMs: 'DATAMON_STALLED_INTERVAL_MS',
  maxStalledCount: 'DATAMON_MAX_STALLED_COUNT',
  shutdownGraceMs: 'DATAMON_SHUTDOWN_GRACE_MS',
};

/**
 * The runtime settings for this process. A variable that is set but is not a positive integer
 * stops the process with a message naming it, rather than silently running with a default.
 */
export function runtimeSettings(env: NodeJS.ProcessEnv = process.env): RuntimeSettings {
  const settings = { ...DEFAULT_SETTINGS };
  for (const [key, variable] of Object.entries(VARIABLES) as [keyof RuntimeSettings, string][]) {
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`${variable}=${JSON.stringify(raw)} is not a positive whole number (unset it to use ${DEFAULT_SETTINGS[key]})`);
    }
    settings[key] = value;
  }
  return settings;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
