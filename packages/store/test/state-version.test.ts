import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  defineMigrations,
  describeStateVersion,
  ensureStateVersion,
  planStateVersion,
  STATE_MIGRATIONS,
  STATE_VERSION,
  type StateMigration,
  StateVersionError,
  watchStateVersion,
} from '@datamon/store';
import { testStore } from '../../../test/helpers/redis.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A store under a prefix of its own, emptied and closed after the test. */
function freshStore() {
  const setup = testStore();
  cleanups.push(setup.cleanup);
  return setup;
}

/** A step that records that it ran (and the version it found), optionally failing. */
function step(from: number, ran: string[], options: { fails?: boolean } = {}): StateMigration {
  return {
    from,
    description: `step from ${from}`,
    async run(redis, keys) {
      ran.push(`${from}@${await redis.get(keys.stateVersion)}`);
      if (options.fails) throw new Error(`step from ${from} broke`);
    },
  };
}

describe('the state version this build knows', () => {
  it('starts at layout 1, with no upgrade steps yet', () => {
    assert.equal(STATE_VERSION, 1);
    assert.deepEqual(STATE_MIGRATIONS, []);
  });
});

describe('planStateVersion: the decision table', () => {
  const steps = defineMigrations([step(2, []), step(1, [])], 3);

  it('stamps when Redis holds no version', () => {
    assert.deepEqual(planStateVersion(null, 3, steps), { action: 'stamp' });
  });

  it('carries on at the same version', () => {
    assert.deepEqual(planStateVersion('3', 3, steps), { action: 'current' });
  });

  it('upgrades an older version through the steps from it, oldest first', () => {
    const plan = planStateVersion('1', 3, steps);
    assert.equal(plan.action, 'upgrade');
    assert.deepEqual(plan.action === 'upgrade' ? plan.steps.map((s) => s.from) : [], [1, 2]);
    const fromTwo = planStateVersion('2', 3, steps);
    assert.deepEqual(fromTwo.action === 'upgrade' ? fromTwo.steps.map((s) => s.from) : null, [2]);
  });

  it('upgrades with no step when the versions between changed nothing stored', () => {
    assert.deepEqual(planStateVersion('1', 2, []), { action: 'upgrade', from: 1, steps: [] });
  });

  it('refuses a newer version', () => {
    assert.deepEqual(planStateVersion('4', 3, steps), { action: 'refuse', reason: 'newer', stored: 4 });
  });

  it('refuses anything that is not a version', () => {
    for (const stored of ['', '0', '-1', '1.5', 'v2', ' 1', '01', '99999999999']) {
      assert.deepEqual(planStateVersion(stored, 3, steps), { action: 'refuse', reason: 'unreadable', stored }, stored);
    }
  });
});

describe('defineMigrations', () => {
  it('refuses two steps from one version', () => {
    assert.throws(() => defineMigrations([step(1, []), step(1, [])], 3), /step from 1.*already listed/);
  });

  it('refuses a step from outside 1 .. known - 1', () => {
    assert.throws(() => defineMigrations([step(3, [])], 3), /from 3 is not a layout between 1 and 2/);
    assert.throws(() => defineMigrations([step(0, [])], 3), /from 0 is not a layout/);
  });
});

describe('ensureStateVersion on real Redis', () => {
  it('stamps an empty Redis with this build\'s version', async () => {
    const { store, redis } = freshStore();
    const outcome = await ensureStateVersion(store);
    assert.deepEqual(outcome, { outcome: 'stamped', from: null, version: STATE_VERSION, steps: [] });
    assert.equal(await redis.get(store.keys.stateVersion), String(STATE_VERSION));
    assert.match(describeStateVersion(outcome), /stamped with layout version 1/);
  });

  it('carries on when Redis holds the same version, writing nothing', async () => {
    const { store, redis } = freshStore();
    await redis.set(store.keys.stateVersion, String(STATE_VERSION));
    assert.equal((await ensureStateVersion(store)).outcome, 'current');
  });

  it('refuses a newer version, naming both versions and what to do', async () => {
    const { store, redis } = freshStore();
    await redis.set(store.keys.stateVersion, '7');
    const err = await ensureStateVersion(store).then(
      () => assert.fail('it should refuse'),
      (error: unknown) => error,
    );
    assert.ok(err instanceof StateVersionError);
    assert.equal(err.stored, 7);
    assert.equal(err.known, STATE_VERSION);
    assert.equal(err.permanent, true);
    assert.match(err.message, /holds datamon state version 7 .*newer than 1, the newest this datamon knows/);
    assert.match(err.message, /Upgrade datamon/);
    assert.equal(await redis.get(store.keys.stateVersion), '7', 'a refusal leaves the version alone');
  });

  it('refuses a key that holds something else, saying to give datamon a prefix of its own', async () => {
    const { store, redis } = freshStore();
    await redis.set(store.keys.stateVersion, 'hello');
    await assert.rejects(ensureStateVersion(store), (err: unknown) => err instanceof StateVersionError && /holds "hello", which is not a datamon state version.*redis\.prefix/.test(err.message));
    await redis.del(store.keys.stateVersion);
    await redis.hset(store.keys.stateVersion, 'a', '1');
    await assert.rejects(ensureStateVersion(store), /holds "\(a hash\)"/);
  });

  it('upgrades an older version step by step, stamping after each, then the known version', async () => {
    const { store, redis } = freshStore();
    await redis.set(store.keys.stateVersion, '1');
    const ran: string[] = [];
    const outcome = await ensureStateVersion(store, { known: 3, migrations: defineMigrations([step(1, ran), step(2, ran)], 3) });
    assert.deepEqual(ran, ['1@1', '2@2'], 'each step sees the version the previous one left');
    assert.deepEqual(outcome, { outcome: 'upgraded', from: 1, version: 3, steps: ['step from 1', 'step from 2'] });
    assert.equal(await redis.get(store.keys.stateVersion), '3');
  });

  it('stamps the new version when no step is needed between the two', async () => {
    const { store, redis } = freshStore();
    await redis.set(store.keys.stateVersion, '1');
    assert.deepEqual(await ensureStateVersion(store, { known: 2, migrations: [] }), { outcome: 'upgraded', from: 1, version: 2, steps: [] });
    assert.equal(await redis.get(store.keys.stateVersion), '2');
  });

  it('leaves the version at the last completed step when a step fails, and resumes from there', async () => {
    const { store, redis } = freshStore();
    await redis.set(store.keys.stateVersion, '1');
    const ran: string[] = [];
    await assert.rejects(ensureStateVersion(store, { known: 3, migrations: defineMigrations([step(1, ran), step(2, ran, { fails: true })], 3) }), /step from 2 broke/);
    assert.equal(await redis.get(store.keys.stateVersion), '2');
    const again = await ensureStateVersion(store, { known: 3, migrations: defineMigrations([step(1, ran), step(2, ran)], 3) });
    assert.deepEqual([again.from, ran], [2, ['1@1', '2@2', '2@2']]);
  });

  it('stamps once when many processes start together', async () => {
    const { store } = freshStore();
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => ensureStateVersion(store)));
    assert.equal(outcomes.filter((o) => o.outcome === 'stamped').length, 1);
    assert.equal(outcomes.filter((o) => o.outcome === 'current').length, 7);
  });

  it('upgrades once when many processes start together', async () => {
    const { store, redis } = freshStore();
    await redis.set(store.keys.stateVersion, '1');
    const ran: string[] = [];
    const migrations = defineMigrations([step(1, ran)], 2);
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => ensureStateVersion(store, { known: 2, migrations })));
    assert.deepEqual(ran, ['1@1']);
    assert.deepEqual(outcomes.map((o) => o.outcome).sort(), ['current', 'current', 'current', 'current', 'upgraded']);
  });

  it('watchStateVersion retries a failed read and stops retrying when told to', async () => {
    const { store } = freshStore();
    const failures: unknown[] = [];
    let calls = 0;
    const flaky = new Proxy(store, {
      get(target, property, receiver) {
        if (property !== 'redis') return Reflect.get(target, property, receiver);
        return new Proxy(target.redis, {
          get(redis, name, r) {
            if (name === 'get' && ++calls <= 2) return async () => Promise.reject(new Error('LOADING Redis is loading the dataset in memory'));
            const value = Reflect.get(redis, name, r);
            return typeof value === 'function' ? value.bind(redis) : value;
          },
        });
      },
    });
    const outcome = await watchStateVersion(flaky, { retryEveryMs: 10, onRetry: (err) => failures.push(err) });
    assert.equal(outcome.outcome, 'stamped');
    assert.equal(failures.length, 2);

    const stop = new AbortController();
    stop.abort();
    await assert.rejects(watchStateVersion(store, { signal: stop.signal }), { name: 'AbortError' });
  });
});
