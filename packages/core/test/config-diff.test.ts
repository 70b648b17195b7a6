import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configDiff } from '../src/index.ts';

/** README "Reloading the config": what a reload changes, and what only a restart can. */

const pipeline = (id: string, extra: Record<string, unknown> = {}) => ({ id, name: id, kind: 'heartbeat', ...extra });
const checkin = (id: string, cron: string) => ({ id, cron, label: id, pipelines: [], time: null, days: 'workdays' });
const base = (over: Record<string, unknown> = {}) => ({
  pipelines: [pipeline('a'), pipeline('b')],
  checkins: [checkin('morning', '30 7 * * *')],
  thresholds: { expected_operators: 237 },
  redis: { url: 'redis://127.0.0.1:6379', prefix: 'datamon' },
  dashboard: { host: '0.0.0.0', port: 5000, refresh_seconds: 60 },
  source: 'a.yaml',
  ...over,
});

describe('configDiff', () => {
  it('finds nothing in the same config', () => {
    const diff = configDiff(base() as never, base() as never);
    assert.deepEqual(diff, { added: [], removed: [], changed: [], checkins: { added: [], removed: [], changed: [] }, settings: [], restartOnly: [] });
  });

  it('names pipelines added, removed and changed, and check-ins likewise', () => {
    const after = base({ pipelines: [pipeline('a', { period_minutes: 5 }), pipeline('c')], checkins: [checkin('morning', '45 7 * * *'), checkin('late', '0 20 * * *')] });
    const diff = configDiff(base() as never, after as never);
    assert.deepEqual([diff.added, diff.removed, diff.changed], [['c'], ['b'], ['a']]);
    assert.deepEqual(diff.checkins, { added: ['late'], removed: [], changed: ['morning'] });
  });

  it('names other settings by key, and those only a restart applies', () => {
    const after = base({ thresholds: { expected_operators: 240 }, redis: { url: 'redis://10.0.0.5:6379', prefix: 'datamon' }, dashboard: { host: '0.0.0.0', port: 5001, refresh_seconds: 30 }, source: 'b.yaml' });
    const diff = configDiff(base() as never, after as never);
    assert.deepEqual(diff.settings, ['thresholds.expected_operators', 'redis.url', 'dashboard.port', 'dashboard.refresh_seconds']);
    assert.deepEqual(diff.restartOnly, ['redis.url', 'dashboard.port']);
  });
});
