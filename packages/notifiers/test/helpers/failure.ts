import assert from 'node:assert/strict';

/** The error `promise` fails with, which must be a `kind`; fails the test if it succeeds or fails otherwise. */
export async function failureOf<E extends Error>(promise: Promise<unknown>, kind: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof kind, `expected a ${kind.name}, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected a ${kind.name}, but it succeeded`);
}
