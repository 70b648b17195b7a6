import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { createLogger } from '@datamon/io';
import { DatamonStore, createRedisConnection } from '@datamon/store';
import { startServer } from '../src/index.ts';
import { testConfig } from './helpers.ts';

const lines: string[] = [];
const logger = createLogger({
  role: 'api',
  destination: new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  }),
});

describe('startServer', () => {
  const config = testConfig();
  config.dashboard.host = '127.0.0.1';
  config.dashboard.port = 0;
  after(async () => {
    const redis = createRedisConnection(config.redis.url);
    await new DatamonStore(redis, { prefix: config.redis.prefix, historyDays: 1 }).clear();
    await redis.quit();
  });

  it('listens on dashboard.host/port, answers, and closes in moments', async () => {
    const api = await startServer({ config, logger });
    assert.equal(api.name, 'api');
    assert.match(api.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${api.url}/healthz`);
    assert.equal(response.status, 200);
    assert.ok(lines.some((line) => line.includes('api listening on http://127.0.0.1')));
    const started = Date.now();
    await api.close();
    await api.close();
    assert.ok(Date.now() - started < 2_000);
    await assert.rejects(fetch(`${api.url}/healthz`));
  });

  it('says which setting to change when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = { ...config, dashboard: { ...config.dashboard, port: (blocker.address() as { port: number }).port } };
    try {
      await assert.rejects(startServer({ config: taken, logger }), /the api cannot listen on 127\.0\.0\.1:\d+: the address is in use \(dashboard\.host \/ dashboard\.port in test\)/);
    } finally {
      blocker.close();
    }
  });
});
