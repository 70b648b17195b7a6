import { setTimeout as delay } from 'node:timers/promises';
import type { DatamonConfig } from '@datamon/core';
import type { Logger } from '@datamon/io';
import { describeStateVersion, isRedisUnavailable, StateVersionError, type StateVersionOutcome, watchStateVersion } from '@datamon/store';
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';

/** A running role as `datamon start` manages it. */
export interface RunningRole {
  name: 'api';
  /**
   * Resolves once Redis holds a state layout this build works on (README "Versions and
   * upgrades"); rejects with a StateVersionError when it holds a newer one.
   */
  stateVersion: Promise<StateVersionOutcome>;
  /** Stops accepting connections, ends live streams, waits for requests in flight, closes Redis. */
  close(): Promise<void>;
  /** The address it listens on, e.g. `http://127.0.0.1:5000`. */
  url: string;
}

export interface StartServerOptions {
  config: DatamonConfig;
  logger: Logger;
  /**
   * Close on SIGTERM/SIGINT by itself (close-with-grace). Off by default: `datamon start` runs
   * several roles in one process and closes them in order itself.
   */
  handleSignals?: boolean;
  /** Connections still open this long after close() began are cut. */
  closeTimeoutMs?: number;
}

/** How long start-up waits for the state version check when Redis answers (as it waits for Redis). */
const STATE_CHECK_WAIT_MS = 2_000;

/**
 * Starts the API role: builds the app, checks the state version in Redis (refusing to start on a
 * newer one), and listens on `dashboard.host`:`dashboard.port`.
 *
 * @returns the role, whose `close()` shuts it down gracefully
 */
export async function startServer(options: StartServerOptions): Promise<RunningRole> {
  const { config, logger } = options;
  const app = await buildApp({ config, logger });
  const stopChecking = new AbortController();
  const stateVersion = checkStateVersion(app, logger, stopChecking.signal);
  // With Redis up the answer is a round trip away: refuse before listening. With Redis down the
  // API starts anyway (it answers 503) and the check runs when Redis does.
  const early = await Promise.race([stateVersion.then(() => null, (err: unknown) => err), delay(STATE_CHECK_WAIT_MS, null, { ref: false })]);
  if (early instanceof StateVersionError) {
    await app.close();
    throw new Error(`the api refuses to start: ${early.message}`, { cause: early });
  }
  let url: string;
  try {
    url = await app.listen({
      host: config.dashboard.host,
      port: config.dashboard.port,
      // With port 0 (any free port) the default public URL names port 0: the address is the truth.
      listenTextResolver: (address) => `api listening on ${address}; dashboard at ${config.dashboard.public_url.endsWith(':0') ? address : config.dashboard.public_url}`,
    });
  } catch (err) {
    // Release Redis before reporting, or the failed role would keep the process alive.
    stopChecking.abort();
    await app.close();
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the address is in use' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new Error(`the api cannot listen on ${config.dashboard.host}:${config.dashboard.port}: ${why} (dashboard.host / dashboard.port in ${config.source})`, { cause: err });
  }

  let closing: Promise<void> | null = null;
  const closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // A client that keeps a request open must not hold the process past its stop timeout.
      const force = setTimeout(() => app.server.closeAllConnections(), closeTimeoutMs);
      force.unref();
      stopChecking.abort();
      try {
        await app.close();
      } finally {
        clearTimeout(force);
      }
      logger.info('api closed');
    })();
    return closing;
  };

  if (options.handleSignals) {
    const grace = closeWithGrace({ delay: closeTimeoutMs + 1_000 }, async ({ signal, err }) => {
      if (err) logger.error({ err }, 'api stopping after an error');
      else logger.info({ signal }, 'api stopping');
      await close();
    });
    // The app is listening, so no onClose hook can be added now: closing uninstalls it.
    const closeAndForget = async (): Promise<void> => {
      grace.uninstall();
      await close();
    };
    return { name: 'api', url, stateVersion, close: closeAndForget };
  }

  return { name: 'api', url, stateVersion, close };
}

/** The role's state version check (see `watchStateVersion`), logged like the workers' one. */
function checkStateVersion(app: FastifyInstance, logger: Logger, signal: AbortSignal): Promise<StateVersionOutcome> {
  const checking = watchStateVersion(app.store, {
    signal,
    onRetry: (err) => {
      if (!isRedisUnavailable(err) && app.redis.status === 'ready') logger.warn({ err }, 'could not read the state version in Redis; retrying');
    },
  });
  checking.then(
    (outcome) => logger[outcome.outcome === 'current' ? 'debug' : 'info']({ stateVersion: outcome.version, from: outcome.from }, describeStateVersion(outcome)),
    (err: unknown) => {
      if (err instanceof StateVersionError) logger.error({ stored: err.stored, known: err.known }, `refusing to start: ${err.message}`);
    },
  );
  return checking;
}
