import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AddressInfo } from 'node:net';
import type { Ping } from '@datamon/core';
import { NOW, testApp, testConfig, type TestApp } from './helpers.ts';

/**
 * The ping routes (README "Heartbeats"): every answer of the contract, over `inject` and over a
 * real socket, on real Redis: what a job sending pings sees, and what is stored and queued.
 */

const KEY = 'ping-key-0123456789abcdef';
const HEARTBEATS = [
  { id: 'nightly_etl', name: 'Nightly ETL', kind: 'heartbeat', schedule: '0 2 * * *' },
  { id: 'hourly_sync', name: 'Hourly sync', kind: 'heartbeat', slug: 'sync', period_minutes: 60 },
];

function heartbeatConfig(pingKey = KEY) {
  return testConfig(undefined, { heartbeats: { ping_key: pingKey }, more_pipelines: HEARTBEATS });
}

async function runJobs(t: TestApp): Promise<{ name: string; data: { pipelineId: string; requestedBy: string } }[]> {
  const jobs = await t.app.queues.checks.queue.getJobs(['waiting', 'prioritized', 'delayed']);
  return jobs.map((job) => ({ name: job.name, data: job.data as { pipelineId: string; requestedBy: string } }));
}

describe('the ping routes', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(heartbeatConfig(), { pingsPerMinute: 30 });
  });
  after(() => t.cleanup());

  it('stores a success ping, answers 200 text OK with Ping-Body-Limit, and checks the pipeline at once', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/ping/${KEY}/nightly_etl` });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, 'OK');
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    assert.equal(response.headers['ping-body-limit'], '10000');
    const [ping] = await t.store.pings.recent('nightly_etl', 10);
    assert.deepEqual(ping, { at: NOW.toISOString(), type: 'success', exitCode: 0, rid: null, durationMs: null, body: '' } satisfies Ping);
    assert.deepEqual(await runJobs(t), [{ name: 'run-pipeline', data: { pipelineId: 'nightly_etl', requestedAt: NOW.toISOString(), requestedBy: 'ping' } }]);
  });

  it('takes start, fail, log and exit codes, with a rid, by POST with any body type', async () => {
    const post = (path: string, payload = '', contentType = 'text/plain') =>
      t.app.inject({ method: 'POST', url: `/ping/${KEY}/sync${path}`, payload, headers: { 'content-type': contentType } });
    assert.equal((await post('/start?rid=run-1')).statusCode, 200);
    assert.equal((await post('/log', 'halfway', 'application/octet-stream')).statusCode, 200);
    assert.equal((await post('/3?rid=run-1', 'connection refused\nretrying', 'application/json')).statusCode, 200);
    const pings = await t.store.pings.recent('hourly_sync', 10);
    assert.deepEqual(
      pings.map((ping) => [ping.type, ping.exitCode, ping.rid, ping.body]),
      [
        ['fail', 3, 'run-1', 'connection refused\nretrying'],
        ['log', null, null, 'halfway'],
        ['start', null, 'run-1', ''],
      ],
    );
    assert.equal((await post('/fail')).statusCode, 200);
    assert.equal((await post('/0')).statusCode, 200, 'exit code 0 is a success');
    assert.deepEqual(((await t.store.pings.recent('hourly_sync', 2)) as Ping[]).map((ping) => ping.type), ['success', 'fail']);
    const queued = await runJobs(t);
    assert.equal(queued.filter((job) => job.data.pipelineId === 'hourly_sync').length, 1, 'pings share the check queued and not started yet');
    await t.store.pings.checkStarting('hourly_sync', NOW.toISOString());
    assert.equal((await post('/log', 'later')).statusCode, 200);
    assert.equal((await runJobs(t)).filter((job) => job.data.pipelineId === 'hourly_sync').length, 1, 'a log ping changes nothing: no check for it');
    assert.equal((await post('/start?rid=run-2')).statusCode, 200);
    const [, second] = (await t.app.queues.checks.queue.getJobs(['waiting', 'delayed'])).filter((job) => (job.data as { pipelineId: string }).pipelineId === 'hourly_sync').sort((a, b) => a.timestamp - b.timestamp);
    assert.ok(second, 'once that check started, a ping queues another');
    assert.equal(second.opts.delay, 1_000, 'a second after the one that just started: a burst is judged about once a second');
  });

  it('takes a repeated start or finish of one run (a retry whose answer was lost) once', async () => {
    const url = `/ping/${KEY}/nightly_etl/7?rid=retry-1`;
    assert.equal((await t.app.inject({ method: 'POST', url, payload: 'boom', headers: { 'content-type': 'text/plain' } })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'POST', url, payload: 'boom', headers: { 'content-type': 'text/plain' } })).statusCode, 200);
    const pings = await t.store.pings.recent('nightly_etl', 10);
    assert.equal(pings.filter((ping) => ping.rid === 'retry-1').length, 1);
  });

  it('answers HEAD like GET', async () => {
    const response = await t.app.inject({ method: 'HEAD', url: `/ping/${KEY}/nightly_etl/start` });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['ping-body-limit'], '10000');
  });

  it('answers a wrong key and an unknown slug with the same 404', async () => {
    const wrongKey = await t.app.inject({ method: 'GET', url: '/ping/not-the-key-at-all-0000/nightly_etl' });
    const unknown = await t.app.inject({ method: 'GET', url: `/ping/${KEY}/no_such_job` });
    assert.deepEqual([wrongKey.statusCode, wrongKey.body, wrongKey.headers['ping-body-limit']], [404, 'not found', '10000']);
    assert.deepEqual([unknown.statusCode, unknown.body], [wrongKey.statusCode, wrongKey.body]);
    assert.equal((await t.app.inject({ method: 'GET', url: `/ping/${KEY}/etl_calls` })).statusCode, 404, 'a pipeline that is not a heartbeat has no ping URL');
  });

  it('refuses an exit code outside 0-255 with 400, and an unknown action with 404', async () => {
    for (const code of ['256', '-1', '99999']) {
      const response = await t.app.inject({ method: 'GET', url: `/ping/${KEY}/nightly_etl/${code}` });
      assert.deepEqual([response.statusCode, response.body], [400, `exit code must be 0-255, got ${code}`]);
    }
    assert.equal((await t.app.inject({ method: 'GET', url: `/ping/${KEY}/nightly_etl/finish` })).statusCode, 404);
  });

  it('keeps the first 10,000 bytes of a body, cut on a character', async () => {
    const body = `${'é'.repeat(4_999)}xy${'z'.repeat(5_000)}`;
    const response = await t.app.inject({ method: 'POST', url: `/ping/${KEY}/nightly_etl/fail`, payload: body, headers: { 'content-type': 'text/plain' } });
    assert.equal(response.statusCode, 200);
    const [ping] = await t.store.pings.recent('nightly_etl', 1);
    assert.equal(Buffer.byteLength(ping?.body ?? ''), 10_000);
    assert.equal(ping?.body, `${'é'.repeat(4_999)}xy`);
  });

  it('refuses a body over 1 MB with 413, in text, still saying the limit', async () => {
    const response = await t.app.inject({ method: 'POST', url: `/ping/${KEY}/nightly_etl/log`, payload: 'x'.repeat(1024 * 1024 + 1), headers: { 'content-type': 'text/plain' } });
    assert.equal(response.statusCode, 413);
    assert.equal(response.headers['ping-body-limit'], '10000');
    assert.match(String(response.headers['content-type']), /^text\/plain/);
  });

  it('refuses a slug over its per-minute limit with 429 and Retry-After, other slugs unaffected', async () => {
    const limited = await testApp(heartbeatConfig(), { pingsPerMinute: 2 });
    try {
      const ping = () => limited.app.inject({ method: 'POST', url: `/ping/${KEY}/sync/log` });
      assert.deepEqual([(await ping()).statusCode, (await ping()).statusCode], [200, 200]);
      const refused = await ping();
      assert.equal(refused.statusCode, 429);
      assert.match(refused.body, /too many pings for sync: at most 2 a minute/);
      assert.ok(Number(refused.headers['retry-after']) >= 1);
      assert.equal((await limited.app.inject({ method: 'GET', url: `/ping/${KEY}/nightly_etl` })).statusCode, 200);
      assert.equal((await limited.store.pings.recent('hourly_sync', 10)).length, 2, 'the refused ping is not stored');
    } finally {
      await limited.cleanup();
    }
  });

  it('works outside dashboard auth, even with reads protected', async () => {
    const locked = await testApp(testConfig({ username: 'ops', password: 'correct horse battery staple', protect_reads: true }, { heartbeats: { ping_key: KEY }, more_pipelines: HEARTBEATS }));
    try {
      assert.equal((await locked.app.inject({ method: 'GET', url: `/ping/${KEY}/nightly_etl` })).statusCode, 200);
      assert.equal((await locked.app.inject({ method: 'GET', url: '/api/pipelines/nightly_etl/pings' })).statusCode, 401);
    } finally {
      await locked.cleanup();
    }
  });

  it('takes pings from curl over a real socket, a cross-site page\'s included', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/ping/${KEY}/nightly_etl/start?rid=r9`, {
      method: 'POST',
      body: 'starting',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://elsewhere.example', 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'OK');
    assert.equal(response.headers.get('ping-body-limit'), '10000');
    assert.equal((await t.store.pings.recent('nightly_etl', 1))[0]?.body, 'starting');
  });
});

describe('the ping routes without a ping key', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(heartbeatConfig(''));
  });
  after(() => t.cleanup());

  it('refuses every ping with 403 saying how to set one', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/ping/anything/nightly_etl' });
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /set heartbeats\.ping_key/);
    assert.equal(response.headers['ping-body-limit'], '10000');
    assert.deepEqual(await t.store.pings.recent('nightly_etl', 10), []);
  });
});

describe('GET /api/pipelines/:id/pings', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(heartbeatConfig());
    const at = (minute: number) => new Date(NOW.getTime() - (60 - minute) * 60_000).toISOString();
    const record = (ping: Partial<Ping> & Pick<Ping, 'type' | 'at'>) =>
      t.store.pings.record('nightly_etl', { exitCode: null, rid: null, durationMs: null, body: '', ...ping }, '2026-03-30');
    await record({ type: 'start', at: at(0), rid: 'a' });
    await record({ type: 'success', at: at(14), rid: 'a', exitCode: 0 });
    await record({ type: 'start', at: at(30) });
    await record({ type: 'fail', at: at(31), exitCode: 2, body: '<b>disk full</b>' });
  });
  after(() => t.cleanup());

  it('lists pings newest first with each finish\'s duration', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/pipelines/nightly_etl/pings?limit=3' });
    assert.equal(response.statusCode, 200);
    const { id, pings } = response.json<{ id: string; pings: Ping[] }>();
    assert.equal(id, 'nightly_etl');
    assert.deepEqual(
      pings.map((ping) => [ping.type, ping.exitCode, ping.durationMs, ping.body]),
      [
        ['fail', 2, 60_000, '<b>disk full</b>'],
        ['start', null, null, ''],
        ['success', 0, 14 * 60_000, ''],
      ],
    );
  });

  it('answers 404 for an unknown pipeline and 400 for a bad limit', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/pipelines/nope/pings' })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/pipelines/nightly_etl/pings?limit=0' })).statusCode, 400);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/pipelines/nightly_etl/pings?limit=abc' })).statusCode, 400);
  });
});
