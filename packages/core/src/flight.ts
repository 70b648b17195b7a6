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

/** What `inBackground` gives: ask for a run without waiting, or run what was asked for now. */
export interface BackgroundRuns {
  /** Asks for a run; returns at once. */
  request(): void;
  /** Runs now what was asked for and not yet run (and waits for a run in progress): on shutdown. */
  flush(): Promise<void>;
}

/**
 * Runs `run` in the background, at most once per `delayMs`, after the requests that asked for it:
 * the first request starts a timer, requests until the run starts are served by it, and a request
 * during a run asks for one more after it. Nobody waits, so a burst of requests (a thousand
 * incidents opening in one round) costs a handful of runs instead of one run per request, each
 * rebuilding the same thing. A failed run goes to `onError` and is tried again `delayMs` later.
 */
export function inBackground(
  run: () => Promise<void>,
  options: { delayMs: number; onError: (err: unknown) => void; timers?: { set: (fn: () => void, ms: number) => unknown; clear: (handle: unknown) => void } },
): BackgroundRuns {
  const timers = options.timers ?? { set: (fn: () => void, ms: number) => setTimeout(fn, ms), clear: (handle: unknown) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]) };
  let timer: unknown = null;
  let running: Promise<void> | null = null;
  let wanted = false;
  const arm = () => {
    timer ??= timers.set(start, options.delayMs);
  };
  const start = (): Promise<void> => {
    timer = null;
    wanted = false;
    const started = run()
      .catch((err: unknown) => {
        options.onError(err);
        wanted = true;
      })
      .finally(() => {
        running = null;
        if (wanted) arm();
      });
    running = started;
    return started;
  };
  return {
    request() {
      if (running) wanted = true;
      else arm();
    },
    async flush() {
      if (running) await running;
      if (timer === null) return;
      timers.clear(timer);
      timer = null;
      await start();
      if (timer !== null) {
        // It failed: nobody is left to try again.
        timers.clear(timer);
        timer = null;
      }
    },
  };
}
