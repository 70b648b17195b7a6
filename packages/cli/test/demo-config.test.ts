import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '@datamon/config';
import { demoConfigDocument } from '../src/demo/demo-config.ts';

function afternoonAt(iso: string) {
  const { document, password } = demoConfigDocument({
    name: 'datamon_demo',
    directory: '/tmp/datamon-demo',
    mysql: { host: '127.0.0.1', port: 3306, user: 'root', password: '' },
    redisUrl: 'redis://127.0.0.1:6379',
    port: 5000,
    now: new Date(iso),
    zone: 'Europe/London',
  });
  const config = resolveConfig(document, { source: 'demo', env: {} });
  const afternoon = config.pipelines.find((pipeline) => pipeline.id === 'afternoon_csv');
  assert.ok(afternoon?.kind === 'file_arrival');
  return { afternoon, config, password };
}

describe('the demo config', () => {
  it('is a valid config with made-up dashboard credentials and no Chat or SMTP', () => {
    const { config, password } = afternoonAt('2026-11-27T10:00:00Z');
    assert.equal(config.dashboard.auth.username, 'demo');
    assert.equal(config.dashboard.auth.password, password);
    assert.ok(password.length >= 12);
    assert.equal(config.google_chat.webhook_url, '');
    assert.equal(config.email.smtp_server, '');
    assert.equal(config.redis.prefix, 'datamon-demo');
  });

  it('keeps the afternoon file\'s own times before 15:00', () => {
    const { afternoon } = afternoonAt('2026-11-27T10:00:00Z');
    assert.deepEqual([afternoon.expected, afternoon.deadline], ['15:35', '16:00']);
  });

  it('moves the afternoon deadline later in the evening, so a file is still PENDING', () => {
    const { afternoon } = afternoonAt('2026-11-27T16:10:00Z');
    assert.deepEqual([afternoon.expected, afternoon.deadline], ['16:40', '17:40']);
  });

  it('never moves it past midnight', () => {
    const { afternoon } = afternoonAt('2026-11-27T23:03:00Z');
    assert.deepEqual([afternoon.expected, afternoon.deadline], ['23:33', '23:59']);
  });
});
