import type { DatamonConfig } from '@datamon/core';
import type { Logger } from '@datamon/io';
import { closeRedis, DatamonStore, ensureStateVersion, StateVersionError } from '@datamon/store';
import type { RoleHandle } from '@datamon/workers';
import { CommandError, EXIT } from './context.ts';
import { connectRedisQuickly } from './redis.ts';
import { DATAMON_VERSION } from './version.ts';

/**
 * The state version at the process edge (README "Versions and upgrades"). Every role checks it
 * itself (RoleRuntime, startServer); here `datamon start` turns a refusal into a one-line reason
 * and exit 3, before any role starts when Redis answers, and as soon as a role finds it otherwise.
 */

/** The line a refused command ends with: both versions, and what to do. */
export function stateRefusal(err: StateVersionError): string {
  return `version ${DATAMON_VERSION} (state version ${err.known}) will not run on this Redis: ${err.message}`;
}

/**
 * Stamps, upgrades or accepts the state version before anything starts, when Redis answers within
 * a couple of seconds; when it does not, each role checks it once Redis answers.
 *
 * @throws CommandError (exit 3) when Redis holds a newer layout
 */
export async function checkStateBeforeStart(config: Pick<DatamonConfig, 'redis' | 'monitoring'>): Promise<void> {
  let redis;
  try {
    redis = await connectRedisQuickly(config);
  } catch {
    return;
  }
  try {
    await ensureStateVersion(new DatamonStore(redis, { prefix: config.redis.prefix, historyDays: config.monitoring.history_days }));
  } catch (err) {
    if (err instanceof StateVersionError) throw new CommandError(stateRefusal(err), EXIT.failed);
    // Anything else (Redis going away meanwhile): the roles try again themselves.
  } finally {
    await closeRedis(redis);
  }
}

/**
 * Ends the process (exit 3, after `stop`) the first time a started role finds a newer state
 * layout in Redis: when Redis was down as the process started, or when a newer datamon stamped
 * it since. `watch` is called with each set of started roles.
 */
export function exitOnStateRefusal(options: { logger: Logger; stop: () => Promise<void>; err?: NodeJS.WritableStream }): { watch(handles: readonly RoleHandle[]): void } {
  let refused = false;
  const refuse = async (err: unknown) => {
    if (!(err instanceof StateVersionError) || refused) return;
    refused = true;
    options.logger.error({ stored: err.stored, known: err.known }, 'Redis holds a newer state layout: stopping');
    await options.stop();
    (options.err ?? process.stderr).write(`datamon: ${stateRefusal(err)}\n`);
    process.exit(EXIT.failed);
  };
  return {
    watch(handles) {
      for (const handle of handles) handle.stateVersion.catch(refuse);
    },
  };
}
