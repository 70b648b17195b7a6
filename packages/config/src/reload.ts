import { type ConfigDiff, configDiff, type DatamonConfig } from '@datamon/core';
import { ConfigError } from './config-error.ts';
import { loadConfig, type LoadOptions } from './load.ts';

/** A reload that can be applied: the new config and what it changes. */
export interface ReloadPlan {
  ok: true;
  config: DatamonConfig;
  diff: ConfigDiff;
}

/** A reload refused: the running config stays. `message` holds the start-up messages, one per line. */
export interface ReloadRefusal {
  ok: false;
  message: string;
  diff: ConfigDiff | null;
}

/**
 * Reads the config file again and says whether it can replace the running one (README
 * "Reloading the config"): a file with problems is refused with the messages start-up would
 * give, and so is one that changes what only a restart applies (where Redis is, where the API
 * listens, where logs go).
 *
 * @param current - the running config (its `source` is the file read again)
 * @param options - how to read the file (the environment, the working directory)
 */
export function prepareReload(current: DatamonConfig, options: Omit<LoadOptions, 'path'> = {}): ReloadPlan | ReloadRefusal {
  let next: DatamonConfig;
  try {
    next = loadConfig({ ...options, path: current.source });
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, message: err.message, diff: null };
    throw err;
  }
  const diff = configDiff(current as never, next as never);
  if (diff.restartOnly.length > 0) {
    return { ok: false, message: `${current.source}: ${diff.restartOnly.join(', ')}: changed, and only a restart applies ${diff.restartOnly.length === 1 ? 'it' : 'them'}; the running config stays`, diff };
  }
  return { ok: true, config: next, diff };
}
