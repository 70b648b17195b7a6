import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './redis-connection.ts';

/**
 * The store's Lua scripts: one file each in `lua/`, registered once per connection with
 * `defineCommand` (ioredis sends EVALSHA, and the script body only when Redis does not have it
 * yet). Every key a script touches is passed in KEYS and built in `keys.ts`.
 */

const SCRIPTS = {
  recordResult: { file: 'record-result.lua', keys: 3 },
  releaseLock: { file: 'release-lock.lua', keys: 1 },
  unlinkOpenIncident: { file: 'unlink-open-incident.lua', keys: 1 },
  claimCheckinSlot: { file: 'claim-checkin-slot.lua', keys: 2 },
  claimOnce: { file: 'claim-once.lua', keys: 1 },
  roundPartDone: { file: 'round-part-done.lua', keys: 2 },
  setIfLater: { file: 'set-if-later.lua', keys: 1 },
  recordPing: { file: 'record-ping.lua', keys: 4 },
} as const;

export type ScriptName = keyof typeof SCRIPTS;

// Found through the package, not this file's path, so it holds in the bundle too.
const LUA_DIR = join(dirname(createRequire(import.meta.url).resolve('@datamon/store/package.json')), 'src', 'lua');

const sources = new Map<ScriptName, string>();
function source(name: ScriptName): string {
  let lua = sources.get(name);
  if (lua === undefined) {
    lua = readFileSync(join(LUA_DIR, SCRIPTS[name].file), 'utf8');
    sources.set(name, lua);
  }
  return lua;
}

const commandName = (name: ScriptName) => `datamon_${name}`;
type Command = (...args: (string | number)[]) => Promise<unknown>;

/** Registers every script on a connection (once; a connection that has them is left alone). */
export function defineScripts(redis: RedisClient): void {
  const commands = redis as unknown as Record<string, Command | undefined>;
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    if (commands[commandName(name)]) continue;
    redis.defineCommand(commandName(name), { numberOfKeys: SCRIPTS[name].keys, lua: source(name) });
  }
}

/**
 * Runs a registered script.
 *
 * @param keys - exactly the script's KEYS, in order
 * @param args - its ARGV
 */
export function runScript<T>(redis: RedisClient, name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): Promise<T> {
  defineScripts(redis);
  return callScript(redis, name, keys, args) as Promise<T>;
}

/**
 * Queues a registered script on a pipeline (its reply comes with `exec()`). The pipeline must
 * come from a connection the scripts are defined on (`defineScripts`): ioredis copies them.
 */
export function queueScript(pipeline: ChainableCommander, name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): void {
  callScript(pipeline, name, keys, args);
}

function callScript(target: RedisClient | ChainableCommander, name: ScriptName, keys: readonly string[], args: readonly (string | number)[]): unknown {
  if (keys.length !== SCRIPTS[name].keys) throw new Error(`script ${name} takes ${SCRIPTS[name].keys} keys, got ${keys.length}`);
  const command = (target as unknown as Record<string, Command | undefined>)[commandName(name)];
  if (!command) throw new Error(`script ${name} is not defined on this connection`);
  return command.call(target, ...keys, ...args);
}
