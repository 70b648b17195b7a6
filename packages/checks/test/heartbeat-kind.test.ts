import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { resolveConfig } from '@datamon/config';
import type { Ping, PipelineDefinition } from '@datamon/core';
import { createRedisConnection, DatamonStore } from '@datamon/store';
import { createCheckRunner } from '../src/index.ts';

/** The `heartbeat` kind reads its pings from the store (real Redis) and judges them by its rule. */

const redis = createRedisConnection(process.env.DATAMON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const store = new DatamonStore(redis, { prefix: `test-${randomUUID()}`, historyDays: 1 });
after(async () => {
  await store.clear();
  redis.disconnect();
});

const config = resolveConfig(
  {
    pipelines: [{ id: 'nightly_etl', name: 'Nightly ETL', kind: 'heartbeat', schedule: '0 2 * * *', grace_minutes: 60, max_runtime_minutes: 120 }],
    schedule: { checkins: { morning: { enabled: false }, first_shift: { enabled: false }, second_shift: { enabled: false } } },
  },
  { source: 'test', env: {} },
);
const pipeline = config.pipelines[0] as PipelineDefinition;
const ping = (at: string, type: Ping['type'], extra: Partial<Ping> = {}): Ping => ({ at, type, exitCode: type === 'success' ? 0 : null, rid: null, durationMs: null, body: '', ...extra });

describe('a heartbeat pipeline', () => {
  const runner = createCheckRunner(config, { pings: store.pings });
  after(() => runner.close());

  it('waits for its first ping', async () => {
    const result = await runner.run(pipeline, new Date('2026-03-30T01:00:00Z'));
    assert.deepEqual([result.status, result.message], ['PENDING', 'waiting for the first ping']);
  });

  it('is OK after a run that succeeded, with its duration as the value', async () => {
    await store.pings.record('nightly_etl', ping('2026-03-30T01:00:00Z', 'start'), '2026-03-30');
    await store.pings.record('nightly_etl', ping('2026-03-30T01:14:00Z', 'success'), '2026-03-30');
    const result = await runner.run(pipeline, new Date('2026-03-30T08:00:00Z'));
    assert.deepEqual([result.status, result.value], ['OK', 14 * 60]);
    assert.match(result.message, /^last success 02:14 \(took 14 min\); next due 02:00$/);
    assert.equal(result.details.slug, 'nightly_etl');
  });

  it('is CRITICAL naming the exit code and the first line after a failed run', async () => {
    await store.pings.record('nightly_etl', ping('2026-03-31T01:10:00Z', 'fail', { exitCode: 3, body: '\nconnection refused\nmore' }), '2026-03-31');
    const result = await runner.run(pipeline, new Date('2026-03-31T01:11:00Z'));
    assert.deepEqual([result.status, result.message], ['CRITICAL', 'exit code 3 at 02:10: connection refused']);
  });

  it('is CRITICAL, saying why, where no store is at hand', async () => {
    const bare = createCheckRunner(config);
    const result = await bare.run(pipeline, new Date('2026-03-31T01:11:00Z'));
    await bare.close();
    assert.equal(result.status, 'CRITICAL');
    assert.match(result.message, /pings are kept in Redis/);
  });
});
