import type { CheckResult, DatamonConfig, PipelineDefinition, Status } from '@datamon/core';
import { calendarOf, evaluateNotBefore, localDate, mapBounded } from '@datamon/core';
import { createHttpClient, createLogger, type HttpClient, type Logger, redactUrlsInText } from '@datamon/io';
import { type BaselineCache, type CheckContext, type KindOutcome, type PingSource, quietOnClosedDays, ruleOutcome, runKind } from './check-kind.ts';
import { SourceUnavailableError } from './errors/index.ts';
import { createGoogleApi } from './google/google-api.ts';
import { checkRegistry, type CheckRegistry } from './registry.ts';
import { createWarehouse } from './warehouse.ts';

export interface CheckRunner {
  /** Runs one pipeline's check at `now`; never throws (an unreachable source is a CRITICAL result). */
  run(pipeline: PipelineDefinition, now?: Date): Promise<CheckResult>;
  /** Runs several concurrently (bounded), in the given order. */
  runMany(pipelines: PipelineDefinition[], now?: Date): Promise<CheckResult[]>;
  /** Ends the MySQL pool etc. */
  close(): Promise<void>;
}

export interface CheckRunnerDeps {
  logger?: Logger;
  /** The HTTP client for Google (a test points it at a local server or shortens its timeout). */
  http?: HttpClient;
  /** A registry other than the built-in kinds (tests). */
  registry?: CheckRegistry;
  /** Heartbeat pings (the store's `pings`); without it a heartbeat pipeline is CRITICAL, saying so. */
  pings?: PingSource;
  /** The anomaly baselines' cache (the store's `baselines`); without it past days are counted each time. */
  baselines?: BaselineCache;
  /**
   * The caller shows every result's message itself (`datamon check`'s table): a check that could
   * not run is then logged at debug, not as a warning repeating the same words above the table.
   */
  reportsFailures?: boolean;
}

/** How many checks `runMany` runs at once: the warehouse pool's size. */
const CONCURRENCY = 4;

/**
 * The checks' entry point: one runner per process (or per `datamon check`), holding the
 * warehouse pool and the Google token. `run` applies `not_before` before touching any source,
 * dispatches to the pipeline's kind, and turns anything that stopped the check into a CRITICAL
 * result that says why. A net timeout guarantees an answer even if a driver's own timeout fails.
 *
 * @param config - the effective config (database, google_sheets, monitoring.timezone)
 * @param deps - a logger (silent by default) and the got client for Google
 */
export function createCheckRunner(config: DatamonConfig, deps: CheckRunnerDeps = {}): CheckRunner {
  const logger = deps.logger ?? createLogger({ role: 'checks', level: 'silent' });
  const registry = deps.registry ?? checkRegistry;
  // google_sheets has no timeout key of its own: one source call, one limit, database.query_timeout_ms.
  const http = deps.http ?? createHttpClient({ timeoutMs: config.database.query_timeout_ms });
  const warehouse = createWarehouse(config.database, logger);
  const google = createGoogleApi(config.google_sheets, http);
  const calendar = calendarOf(config);
  /** Why the local day of `now` is closed for the pipeline, or null when it is expected. */
  const closedDay = (pipeline: PipelineDefinition, now: Date): string | null => {
    if (pipeline.days !== 'workdays' || !calendar.restricts) return null;
    const verdict = calendar.day(localDate(now, config.monitoring.timezone));
    return verdict.working ? null : verdict.reason;
  };
  // Connect + query, or token + API call, each bounded by its own timeout; this only catches a hang.
  const netTimeoutMs = 2 * config.database.query_timeout_ms + 2_000;

  async function run(pipeline: PipelineDefinition, now: Date = new Date()): Promise<CheckResult> {
    const started = performance.now();
    const result = (outcome: KindOutcome): CheckResult => ({
      pipelineId: pipeline.id,
      status: outcome.status,
      value: outcome.value,
      message: outcome.message,
      checkedAt: now.toISOString(),
      details: outcome.details,
      durationMs: Math.round(performance.now() - started),
      ...(outcome.expected ? { expected: outcome.expected } : {}),
    });

    try {
      const kind = registry.get(pipeline.kind);
      // A closed day first: nothing is awaited on Christmas Day, not even "before 09:00".
      const closed = closedDay(pipeline, now);
      if (closed && quietOnClosedDays(kind, pipeline)) {
        return result({ status: 'OK', message: `not expected today: ${closed}`, value: null, details: { notExpected: closed } });
      }
      const waiting = evaluateNotBefore({ notBefore: pipeline.not_before, now, zone: config.monitoring.timezone });
      if (waiting) {
        return result(ruleOutcome({ ...waiting, value: null }, { notBefore: pipeline.not_before }));
      }
      const deadline = new AbortController();
      const ctx: CheckContext = { config, now, logger, warehouse, google, signal: deadline.signal, pings: deps.pings, baselines: deps.baselines, calendar };
      const outcome = await withTimeout(runKind(kind, pipeline, ctx), netTimeoutMs, deadline);
      logger.debug({ pipelineId: pipeline.id, status: outcome.status }, 'check ran');
      return result(outcome);
    } catch (err) {
      const failure = describeFailure(err);
      logger[deps.reportsFailures ? 'debug' : 'warn']({ pipelineId: pipeline.id, source: failure.source, reason: failure.message }, 'check could not run');
      return result({ status: 'CRITICAL' satisfies Status, message: failure.message, value: null, details: { error: failure.message, source: failure.source } });
    }
  }

  return {
    run,
    async runMany(pipelines, now = new Date()) {
      return mapBounded(pipelines, CONCURRENCY, (pipeline) => run(pipeline, now));
    },
    async close() {
      await warehouse.close();
    },
  };
}

class CheckTimeoutError extends Error {
  constructor(ms: number) {
    super(`the check did not finish within ${ms} ms`);
    this.name = 'CheckTimeoutError';
  }
}

/**
 * Resolves like `work`, or rejects after `ms` and aborts `deadline` so the work stops too (a read,
 * a request); `work`'s late failure is swallowed, not unhandled.
 */
function withTimeout<T>(work: Promise<T>, ms: number, deadline: AbortController): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      deadline.abort();
      reject(new CheckTimeoutError(ms));
    }, ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** A failure as a person should read it: the kind's own reason, or the error in a safe form. */
function describeFailure(err: unknown): { source: string; message: string } {
  if (err instanceof SourceUnavailableError) return { source: err.source, message: err.message };
  if (err instanceof CheckTimeoutError) return { source: 'timeout', message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { source: 'check', message: `the check failed: ${redactUrlsInText(message)}` };
}
