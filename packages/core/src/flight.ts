/**
 * Sharing work between concurrent callers. Pure (no I/O of its own): the work is passed in.
 */

/**
 * Wraps `run` so that callers arriving while a run is in progress share it: one run at a time,
 * and every caller in the meantime gets that run's outcome (the arguments of the call that
 * started it win). Once it settles, the next call starts a new run. For work whose answer is the
 * same for everyone asking at once (open a connection, reconcile a schedule, refresh a page).
 */
export function singleFlight<Args extends unknown[], T>(run: (...args: Args) => Promise<T>): ((...args: Args) => Promise<T>) & { readonly running: Promise<T> | null } {
  let current: Promise<T> | null = null;
  const call = (...args: Args): Promise<T> => {
    current ??= run(...args).finally(() => {
      current = null;
    });
    return current;
  };
  return Object.defineProperty(call, 'running', { get: () => current }) as typeof call & { readonly running: Promise<T> | null };
}

/**
 * Wraps `run` so that concurrent calls share runs: a call made while a run is in progress gets
 * the *next* run (started once the current one ends), shared by every call made meanwhile. For
 * work that must reflect everything done before the call (rebuild a snapshot after writes).
 */
export function coalesce(run: () => Promise<void>): () => Promise<void> {
  let current: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const start = (): Promise<void> => {
    const started = run().finally(() => {
      if (current === started) current = null;
    });
    current = started;
    return started;
  };
  return () => {
    if (!current) return start();
    next ??= current
      .catch(() => undefined)
      .then(() => {
        next = null;
        return start();
      });
    return next;
  };
}
