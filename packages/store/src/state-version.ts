import { setTimeout as delay } from 'node:timers/promises';
import { StateVersionError } from './errors/state-version-error.ts';
import type { RedisKeys } from './keys.ts';
import type { RedisClient } from './redis-connection.ts';
import type { DatamonStore } from './store.ts';

/**
 * The layout of datamon's state in Redis (README "Versions and upgrades"). Raise it, and add a
 * step to {@link STATE_MIGRATIONS} when stored data must change, whenever a release stores
 * something an older release would misread. Every role stamps it on an empty Redis and refuses
 * to start on a newer one, so two releases never write two layouts under one prefix.
 */
export const STATE_VERSION = 1;

/** One upgrade step: rewrites the state from layout `from` to `from + 1`. */
export interface StateMigration {
  /** The layout it upgrades from. */
  from: number;
  /** What it changes, for the log. */
  description: string;
  /** Must be safe to run again: a process that dies mid-way leaves the version at `from`. */
  run(redis: RedisClient, keys: RedisKeys): Promise<void>;
}

/**
 * Checks a list of steps: each `from` once, between 1 and `known - 1`. A version with no step
 * changed nothing stored, so it needs none.
 *
 * @throws Error naming the step, for a duplicate or out-of-range `from`
 */
export function defineMigrations(steps: readonly StateMigration[], known: number = STATE_VERSION): readonly StateMigration[] {
  const seen = new Set<number>();
  for (const step of steps) {
    if (!Number.isInteger(step.from) || step.from < 1 || step.from >= known) {
      throw new Error(`state migration "${step.description}": from ${step.from} is not a layout between 1 and ${known - 1}`);
    }
    if (seen.has(step.from)) throw new Error(`state migration "${step.description}": a step from ${step.from} is already listed`);
    seen.add(step.from);
  }
  return [...steps].sort((a, b) => a.from - b.from);
}

/** The upgrade steps, oldest first. None yet: layout 1 is the first. */
export const STATE_MIGRATIONS: readonly StateMigration[] = defineMigrations([]);

/** What to do with the version Redis holds (`null`: no key). */
export type StateVersionPlan =
  | { action: 'stamp' }
  | { action: 'current' }
  | { action: 'upgrade'; from: number; steps: readonly StateMigration[] }
  | { action: 'refuse'; reason: 'newer'; stored: number }
  | { action: 'refuse'; reason: 'unreadable'; stored: string };

/**
 * The decision, as a table:
 *
 * | Redis holds                 | plan                                         |
 * |-----------------------------|----------------------------------------------|
 * | nothing                     | stamp `known` (a new deployment, or cleared) |
 * | `known`                     | carry on                                     |
 * | an older version `v`        | run the steps from `v` up, then stamp `known` |
 * | a newer version             | refuse: a newer datamon wrote it             |
 * | anything else               | refuse: not datamon's, or damaged            |
 */
export function planStateVersion(stored: string | null, known: number, migrations: readonly StateMigration[]): StateVersionPlan {
  if (stored === null) return { action: 'stamp' };
  if (!/^[1-9]\d{0,8}$/.test(stored)) return { action: 'refuse', reason: 'unreadable', stored };
  const version = Number(stored);
  if (version === known) return { action: 'current' };
  if (version > known) return { action: 'refuse', reason: 'newer', stored: version };
  return { action: 'upgrade', from: version, steps: migrations.filter((step) => step.from >= version && step.from < known) };
}

/** What a role found, and did, at start. */
export interface StateVersionOutcome {
  outcome: 'stamped' | 'current' | 'upgraded';
  /** The version Redis held before (null: none). */
  from: number | null;
  /** The version it holds now: this build's. */
  version: number;
  /** The steps run, by description. */
  steps: string[];
}

export interface StateVersionOptions {
  /** This build's layout ({@link STATE_VERSION}); tests pretend to be another build. */
  known?: number;
  migrations?: readonly StateMigration[];
}

/** The lock one upgrading process holds; the others wait, then find the version current. */
const UPGRADE_LOCK = 'state-version';
/** An upgrade may rewrite much: its lock outlives any step, and the others wait as long. */
const UPGRADE_LOCK_MS = 10 * 60_000;

/**
 * Makes sure Redis holds a state layout this build can work on: stamps an empty Redis, upgrades
 * an older layout step by step (stamping after each, so an interrupted upgrade resumes where it
 * stopped), carries on at the same version. Safe when many processes start at once: one stamps
 * or upgrades, the others see the result.
 *
 * @throws StateVersionError when Redis holds a newer layout or something that is not a version
 */
export async function ensureStateVersion(store: DatamonStore, options: StateVersionOptions = {}): Promise<StateVersionOutcome> {
  const known = options.known ?? STATE_VERSION;
  const migrations = options.migrations ?? STATE_MIGRATIONS;
  const key = store.keys.stateVersion;
  for (;;) {
    const plan = planStateVersion(await readVersion(store.redis, key), known, migrations);
    switch (plan.action) {
      case 'current':
        return { outcome: 'current', from: known, version: known, steps: [] };
      case 'refuse':
        throw refusal(plan, key, known);
      case 'stamp':
        if ((await store.redis.set(key, String(known), 'NX')) === 'OK') return { outcome: 'stamped', from: null, version: known, steps: [] };
        continue; // another process stamped it first: look again
      case 'upgrade': {
        const upgraded = await store.withLock(UPGRADE_LOCK, () => upgrade(store, key, known, migrations), { ttlMs: UPGRADE_LOCK_MS, waitMs: UPGRADE_LOCK_MS });
        if (upgraded) return upgraded;
        continue; // another process upgraded it while this one waited: look again
      }
    }
  }
}

/** Runs the steps under the lock, if the version is still an older one (else null). */
async function upgrade(store: DatamonStore, key: string, known: number, migrations: readonly StateMigration[]): Promise<StateVersionOutcome | null> {
  const plan = planStateVersion(await readVersion(store.redis, key), known, migrations);
  if (plan.action !== 'upgrade') return null;
  for (const step of plan.steps) {
    await step.run(store.redis, store.keys);
    await store.redis.set(key, String(step.from + 1));
  }
  await store.redis.set(key, String(known));
  return { outcome: 'upgraded', from: plan.from, version: known, steps: plan.steps.map((step) => step.description) };
}

async function readVersion(redis: RedisClient, key: string): Promise<string | null> {
  try {
    return await redis.get(key);
  } catch (err) {
    // A hash or list under that name is not a version either.
    if (err instanceof Error && err.message.startsWith('WRONGTYPE')) return `(a ${await redis.type(key)})`;
    throw err;
  }
}

function refusal(plan: Extract<StateVersionPlan, { action: 'refuse' }>, key: string, known: number): StateVersionError {
  if (plan.reason === 'newer') {
    return new StateVersionError(
      `Redis holds datamon state version ${plan.stored} (key ${key}), newer than ${known}, the newest this datamon knows: ` +
        `a newer datamon has used this Redis. Upgrade datamon to that release or later (every process sharing this Redis); ` +
        'an older one must not write there',
      key,
      plan.stored,
      known,
    );
  }
  return new StateVersionError(
    `Redis key ${key} holds ${JSON.stringify(plan.stored)}, which is not a datamon state version: another application ` +
      'shares this key prefix, or the key was overwritten. Give datamon a prefix of its own (redis.prefix)',
    key,
    plan.stored,
    known,
  );
}

/** One line for the log about what {@link ensureStateVersion} did. */
export function describeStateVersion(outcome: StateVersionOutcome): string {
  switch (outcome.outcome) {
    case 'stamped':
      return `Redis state stamped with layout version ${outcome.version} (it had none)`;
    case 'current':
      return `Redis state is at layout version ${outcome.version}`;
    case 'upgraded':
      return `Redis state upgraded from layout version ${outcome.from} to ${outcome.version}${outcome.steps.length > 0 ? `: ${outcome.steps.join('; ')}` : ''}`;
  }
}

/**
 * {@link ensureStateVersion} for a role that starts without waiting for Redis: tries every
 * `retryEveryMs` until Redis answers, and rejects only with a StateVersionError, or when
 * `signal` aborts (the role is stopping).
 *
 * @param options - `onRetry` is told of each failed try (a role logs those that are not Redis
 *   being away: its connection report says that once)
 */
export async function watchStateVersion(
  store: DatamonStore,
  options: StateVersionOptions & { signal?: AbortSignal; retryEveryMs?: number; onRetry?: (err: unknown) => void } = {},
): Promise<StateVersionOutcome> {
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      return await ensureStateVersion(store, options);
    } catch (err) {
      if (err instanceof StateVersionError) throw err;
      options.signal?.throwIfAborted();
      options.onRetry?.(err);
      await delay(options.retryEveryMs ?? 1_000, undefined, options.signal ? { signal: options.signal } : {});
    }
  }
}
