import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { createLogger } from '@datamon/io';
import { buildApp } from '../src/index.ts';
import { basic, testConfig } from './helpers.ts';

describe('when Redis cannot be reached', () => {
  it('/readyz answers 503 at once, /healthz 200, and the secret in the Redis URL stays hidden', async () => {
    const config = testConfig();
    config.redis.url = 'redis://:hunter2secret@127.0.0.1:1';
    const app = await buildApp({ config });
    try {
      const started = Date.now();
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 503);
      assert.ok(Date.now() - started < 1_500);
      const body = ready.json();
      assert.deepEqual(Object.keys(body).sort(), ['error', 'message', 'statusCode']);
      assert.match(body.message, /Redis at redis:\/\/127\.0\.0\.1:1 is not reachable/);
      assert.doesNotMatch(ready.body, /hunter2secret/);
      assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
      const status = await app.inject({ method: 'GET', url: '/api/status' });
      assert.equal(status.statusCode, 503, status.body);
      assert.match(status.json().message, /Redis is not reachable/);
    } finally {
      await app.close();
    }
  });

  it('closes promptly after a dashboard opened its live updates while Redis was away', async () => {
    const config = testConfig();
    config.redis.url = 'redis://127.0.0.1:1';
    const app = await buildApp({ config });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(`${base}/api/events`);
    assert.equal(response.status, 200);
    // The hello arrives once the stream is attached, and with it the subscription is asked for.
    await response.body!.getReader().read();
    const started = Date.now();
    await app.close();
    assert.ok(Date.now() - started < 3_000, `close took ${Date.now() - started} ms`);
  });

  it('logs one line when Redis goes, without a stack, however many requests fail meanwhile', async () => {
    const config = testConfig();
    config.redis.url = 'redis://127.0.0.1:1';
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const app = await buildApp({ config, logger: createLogger({ role: 'api', level: 'debug', destination }) });
    try {
      for (let request = 0; request < 12; request += 1) {
        assert.equal((await app.inject({ method: 'GET', url: '/api/status' })).statusCode, 503);
      }
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const unreachable = lines.filter((line) => /Redis is unreachable/.test(String(line.msg)));
      assert.equal(unreachable.length, 1, JSON.stringify(lines.map((line) => line.msg)));
      assert.equal(unreachable[0]?.level, 40, 'at warn level');
      assert.deepEqual(lines.filter((line) => line.err !== undefined && (line.level as number) >= 40).map((line) => line.msg), [], 'no stack trace at warn or above');
    } finally {
      await app.close();
    }
  });

  it('answers every route within 2 s, 503 with the reason, run-now (and its wait) included', async () => {
    const config = testConfig();
    config.redis.url = 'redis://127.0.0.1:1';
    const app = await buildApp({ config });
    const auth = { authorization: basic(), 'content-type': 'application/json' };
    try {
      const routes: [string, string, object?][] = [
        ['GET', '/api/status'],
        ['GET', '/api/pipelines/etl_calls'],
        ['GET', '/api/pipelines/etl_calls/history'],
        ['GET', '/api/incidents'],
        ['GET', '/api/notifications'],
        ['GET', '/api/monitor'],
        ['GET', '/metrics'],
        ['POST', '/api/pipelines/etl_calls/run', {}],
        ['POST', '/api/pipelines/etl_calls/run?wait=1', {}],
        ['POST', '/api/checkins/morning/run', {}],
        ['POST', '/api/incidents/etl_calls-1/ack', {}],
        ['POST', '/api/pipelines/etl_calls/silence', { minutes: 5 }],
        ['DELETE', '/api/pipelines/etl_calls/silence', {}],
      ];
      for (const [method, url, payload] of routes) {
        const started = Date.now();
        const response = await app.inject({ method: method as 'GET', url, headers: auth, ...(payload ? { payload } : {}) });
        const took = Date.now() - started;
        assert.equal(response.statusCode, 503, `${method} ${url}: ${response.body}`);
        assert.ok(took < 2_000, `${method} ${url} took ${took} ms`);
        assert.match(response.json().message, /Redis/);
      }
    } finally {
      await app.close();
    }
  });
});
