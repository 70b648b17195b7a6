import type { DatamonConfig } from '@datamon/core';
import type { Logger } from '@datamon/io';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';

/** A running role as `datamon start` manages it. */
export interface RunningRole {
  name: 'api';
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

/**
 * Starts the API role: builds the app and listens on `dashboard.host`:`dashboard.port`.
 *
 * @returns the role, whose `close()` shuts it down gracefully
 */
export async function startServer(options: StartServerOptions): Promise<RunningRole> {
  const { config, logger } = options;
  const app = await buildApp({ config, logger });
  let url: string;
  try {
    url = await app.listen({
      host: config.dashboard.host,
      port: config.dashboard.port,
      listenTextResolver: (address) => `api listening on ${address}; dashboard at ${config.dashboard.public_url}`,
    });
  } catch (err) {
    // Release Redis before reporting, or the failed role would keep the process alive.
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
    app.addHook('onClose', async () => grace.uninstall());
  }

  return { name: 'api', url, close };
}
