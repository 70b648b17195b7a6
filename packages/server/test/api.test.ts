import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StatusSnapshot } from '@datamon/core';
import { NOW, basic, incident, seedMorning, testApp, type TestApp } from './helpers.ts';

const auth = { authorization: basic() };

function assertErrorShape(body: unknown, statusCode: number): void {
  assert.equal(typeof body, 'object');
  const error = body as Record<string, unknown>;
  assert.deepEqual(Object.keys(error).sort(), ['error', 'message', 'statusCode']);
  assert.equal(error.statusCode, statusCode);
  assert.equal(typeof error.message, 'string');
  assert.ok((error.message as string).length > 0);
}

describe('GET /api/status before any worker wrote a snapshot', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.cleanup());

  it('builds one that is not OK: every pipeline "not checked yet", with no status of its own, and the overall CHECKING', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/status' });
    assert.equal(response.statusCode, 200);
    const snapshot = response.json<StatusSnapshot>();
    assert.equal(snapshot.overall, 'CHECKING');
    assert.deepEqual(snapshot.counts, { OK: 0, WARNING: 0, CRITICAL: 0, PENDING: 0, UNCHECKED: t.config.pipelines.length });
    assert.ok(snapshot.pipelines.every((pipeline) => pipeline.status === null && pipeline.message === 'not checked yet'));
    assert.equal(await t.store.snapshotJson(), response.body, 'and stores it for the next request');
  });
});

describe('the read API over a seeded morning', () => {
  let t: TestApp;
  let incidentId: string;
  before(async () => {
    t = await testApp();
    ({ incidentId } = await seedMorning(t.store, t.config));
  });
  after(() => t.cleanup());

  it('GET /api/status serves the stored snapshot byte for byte, as JSON, revalidated on every read', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/status' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, await t.store.snapshotJson());
    assert.match(String(response.headers['content-type']), /^application\/json/);
    assert.equal(response.headers['cache-control'], 'private, no-cache', 'kept by the browser only, and revalidated (ETag) on every read');
    const snapshot = response.json<StatusSnapshot>();
    assert.equal(snapshot.overall, 'CRITICAL');
    assert.deepEqual(snapshot.counts, { OK: 2, WARNING: 1, CRITICAL: 1, PENDING: 1, UNCHECKED: 1 });
    const first = snapshot.pipelines.find((pipeline) => pipeline.id === 'first_calls');
    assert.deepEqual(
      Object.keys(first ?? {}).sort(),
      ['acknowledged', 'action', 'blockedBy', 'checkedAt', 'dependsOn', 'id', 'incident', 'kind', 'maintenance', 'message', 'name', 'quickCheck', 'silencedUntil', 'since', 'status', 'value'],
    );
    assert.deepEqual([first?.dependsOn, first?.blockedBy], [['etl_calls'], null], 'its ETL is not CRITICAL: not blocked');
    assert.equal(first?.incident, incidentId);
    assert.match(first?.action ?? '', /first-calls ETL step/, 'a failing pipeline says what to do');
    assert.equal(snapshot.pipelines.find((pipeline) => pipeline.id === 'etl_calls')?.action, null);
    const morning = snapshot.checkins.find((checkin) => checkin.id === 'morning');
    assert.deepEqual([morning?.status, morning?.late, morning?.label], ['WARNING', true, 'Morning CC Data Check']);
  });

  it('GET /api/meta gives the page its refresh interval and time zone, and nothing secret', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/meta' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), {
      refreshSeconds: 30,
      timezone: 'Europe/London',
      publicUrl: 'http://localhost:5000',
      auth: { configured: true, basic: true, protectReads: false },
    });
  });

  it('GET /api/pipelines/:id gives the snapshot entry, the latest result and the open incident', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/pipelines/first_calls' });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.status, 'CRITICAL');
    assert.equal(body.name, 'First Calls');
    assert.equal(body.incident, incidentId);
    assert.equal(body.latest.message, 'no first calls today');
    assert.equal(body.latest.durationMs, 42);
    assert.deepEqual(body.latest.details, { threshold: 'test' });
    assert.equal(body.openIncident.id, incidentId);
    assert.equal(body.openIncident.acknowledged, false);
  });

  it('GET /api/pipelines/:id for a pipeline never checked has no result and no incident', async () => {
    const body = (await t.app.inject({ method: 'GET', url: '/api/pipelines/afternoon_csv' })).json();
    assert.deepEqual([body.status, body.message, body.latest, body.openIncident], [null, 'not checked yet', null, null]);
    assert.match(body.action, /15:35 productivity export job/, 'what to do is there before it fails');
  });

  it('GET /api/pipelines/:id/history returns the window asked for, oldest first', async () => {
    const day = (await t.app.inject({ method: 'GET', url: '/api/pipelines/etl_calls/history' })).json();
    assert.equal(day.id, 'etl_calls');
    assert.deepEqual(
      day.results.map((entry: { status: string; value: number }) => [entry.status, entry.value]),
      [
        ['OK', 0.2],
        ['OK', 0.1],
      ],
    );
    assert.deepEqual(Object.keys(day.results[0]).sort(), ['checkedAt', 'message', 'status', 'value']);
    const hour = (await t.app.inject({ method: 'GET', url: '/api/pipelines/etl_calls/history?hours=1' })).json();
    assert.equal(hour.results.length, 1);
  });

  it('GET /api/incidents lists open ones by default, all with state=all, with their notifications', async () => {
    const open = (await t.app.inject({ method: 'GET', url: '/api/incidents?state=open' })).json();
    assert.equal(open.length, 1);
    assert.equal(open[0].id, incidentId);
    assert.equal(open[0].pipeline, 'first_calls');
    assert.equal(open[0].closedAt, null);
    assert.deepEqual(
      open[0].notifications.map((n: { channel: string; outcome: string }) => [n.channel, n.outcome]).sort(),
      [
        ['chat', 'sent'],
        ['email', 'failed'],
      ],
    );
    const byDefault = (await t.app.inject({ method: 'GET', url: '/api/incidents' })).json();
    assert.equal(byDefault.length, 1);
    const all = (await t.app.inject({ method: 'GET', url: '/api/incidents?state=all' })).json();
    assert.deepEqual(
      all.map((item: { pipeline: string }) => item.pipeline),
      ['first_calls', 'etl_calls'],
      'newest first',
    );
  });

  it('GET /api/notifications gives the record newest first, limited', async () => {
    const all = (await t.app.inject({ method: 'GET', url: '/api/notifications' })).json();
    assert.equal(all.length, 3);
    assert.equal(all[2].id, 'checkin-morning-1');
    assert.deepEqual(Object.keys(all[0]).sort(), ['at', 'attempts', 'channel', 'error', 'id', 'incidentId', 'kind', 'outcome', 'pipelineId']);
    const one = (await t.app.inject({ method: 'GET', url: '/api/notifications?limit=1' })).json();
    assert.equal(one.length, 1);
  });

  it('GET /healthz and /readyz answer while Redis is up', async () => {
    assert.deepEqual((await t.app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
  });

  it('GET /metrics reports statuses, durations, notification outcomes and queue depths', async () => {
    await t.app.inject({ payload: {}, method: 'POST', url: '/api/pipelines/operators/run', headers: auth });
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    const text = response.body;
    assert.match(text, /datamon_pipeline_status\{pipeline="first_calls",status="CRITICAL"\} 1/);
    assert.match(text, /datamon_pipeline_status\{pipeline="first_calls",status="OK"\} 0/);
    assert.match(text, /datamon_overall_status\{status="CRITICAL"\} 1/);
    assert.match(text, /datamon_pipeline_last_check_duration_seconds\{pipeline="etl_calls"\} 0\.042/);
    assert.match(text, /datamon_notifications\{channel="chat",outcome="sent"\} 2/);
    assert.match(text, /datamon_notifications\{channel="email",outcome="failed"\} 1/);
    assert.match(text, /datamon_notifications\{channel="email",outcome="skipped"\} 0/);
    assert.match(text, /datamon_queue_jobs\{queue="checks",state="waiting"\} 1/);
    assert.match(text, /datamon_queue_jobs\{queue="deliver-email",state="failed"\} 0/);
    assert.match(text, /datamon_pipeline_incident_open\{pipeline="first_calls"\} 1/);
  });

  it('POST /api/incidents/:id/ack acknowledges under the pipeline lock, records who, and refreshes the snapshot', async () => {
    const response = await t.app.inject({ payload: {}, method: 'POST', url: `/api/incidents/${incidentId}/ack`, headers: auth });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.deepEqual([body.acknowledged, body.acknowledgedBy, body.acknowledgedAt], [true, 'ops', NOW.toISOString()]);
    const stored = await t.store.incidents.get(incidentId);
    assert.deepEqual(Object.keys(body).sort(), Object.keys(stored ?? {}).sort(), 'the answer carries every field the store holds');
    assert.equal(body.notificationSeq, stored?.notificationSeq);
    assert.equal(body.announcedStatus, 'CRITICAL');
    assert.equal((await t.store.incidents.get(incidentId))?.acknowledged, true);
    const snapshot = JSON.parse((await t.store.snapshotJson()) ?? '{}') as StatusSnapshot;
    assert.equal(snapshot.pipelines.find((pipeline) => pipeline.id === 'first_calls')?.acknowledged, true);
    const again = await t.app.inject({ payload: {}, method: 'POST', url: `/api/incidents/${incidentId}/ack`, headers: { authorization: `Bearer tok-0123456789abcdef` } });
    assert.equal(again.statusCode, 200, 'acknowledging twice is harmless');
    assert.equal(again.json().acknowledgedBy, 'ops', 'and keeps the first acknowledgement');
  });

  it('POST /api/incidents/:id/ack waits for the lock the alert worker holds', async () => {
    const other = incident('operators', '2026-03-30T08:30:00.000Z');
    await t.store.incidents.save(other);
    let released = false;
    const holding = t.store.withLock('pipeline:operators', async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      released = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const response = await t.app.inject({ payload: {}, method: 'POST', url: `/api/incidents/${other.id}/ack`, headers: auth });
    assert.equal(response.statusCode, 200);
    assert.equal(released, true, 'the ack ran only after the worker released the lock');
    await holding;
  });

  it('POST /api/incidents/:id/ack is 409 for a closed incident and 404 for an unknown one', async () => {
    const closed = await t.app.inject({ payload: {}, method: 'POST', url: `/api/incidents/etl_calls-${Date.parse('2026-03-29T23:00:00.000Z')}/ack`, headers: auth });
    assert.equal(closed.statusCode, 409);
    assertErrorShape(closed.json(), 409);
    const unknown = await t.app.inject({ payload: {}, method: 'POST', url: '/api/incidents/etl_calls-1/ack', headers: auth });
    assert.equal(unknown.statusCode, 404);
    assertErrorShape(unknown.json(), 404);
  });

  it('POST /api/pipelines/:id/run queues run-pipeline on the checks queue and answers 202 {jobId}', async () => {
    const response = await t.app.inject({ payload: {}, method: 'POST', url: '/api/pipelines/etl_calls/run', headers: auth });
    assert.equal(response.statusCode, 202);
    const { jobId } = response.json();
    assert.equal(typeof jobId, 'string');
    const job = await t.app.queues.checks.queue.getJob(jobId);
    assert.equal(job?.name, 'run-pipeline');
    assert.deepEqual(job?.data, { pipelineId: 'etl_calls', requestedAt: NOW.toISOString(), requestedBy: 'ops' });
  });

  it('POST /api/checkins/:id/run queues a manual check-in and answers 202 {jobId}', async () => {
    const response = await t.app.inject({ payload: {}, method: 'POST', url: '/api/checkins/first_shift/run', headers: auth });
    assert.equal(response.statusCode, 202);
    const job = await t.app.queues.checks.queue.getJob(response.json().jobId);
    assert.equal(job?.name, 'checkin');
    assert.deepEqual(job?.data, { checkinId: 'first_shift', scheduledFor: NOW.toISOString(), late: false, manual: true, requestedBy: 'ops' });
  });

  it('POST /api/pipelines/:id/silence silences it and the snapshot shows until when; DELETE ends it', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/pipelines/call_volume/silence', headers: auth, payload: { minutes: 90 } });
    assert.equal(response.statusCode, 200);
    const until = new Date(NOW.getTime() + 90 * 60_000).toISOString();
    assert.deepEqual(response.json(), { id: 'call_volume', silencedUntil: until });
    assert.equal((await t.store.silences.until('call_volume', NOW))?.toISOString(), until);
    const status = (await t.app.inject({ method: 'GET', url: '/api/status' })).json<StatusSnapshot>();
    assert.equal(status.pipelines.find((pipeline) => pipeline.id === 'call_volume')?.silencedUntil, until);

    const ended = await t.app.inject({ payload: {}, method: 'DELETE', url: '/api/pipelines/call_volume/silence', headers: auth });
    assert.equal(ended.statusCode, 200);
    assert.deepEqual(ended.json(), { id: 'call_volume', silencedUntil: null });
    const after = (await t.app.inject({ method: 'GET', url: '/api/status' })).json<StatusSnapshot>();
    assert.equal(after.pipelines.find((pipeline) => pipeline.id === 'call_volume')?.silencedUntil, null);
  });
});

describe('unknown ids are 404 and malformed input is 400, always as {error, message, statusCode}', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.cleanup());

  const cases: { name: string; method: 'GET' | 'POST' | 'DELETE'; url: string; payload?: unknown; rawBody?: string; status: number; mentions?: RegExp }[] = [
    { name: 'an unknown pipeline', method: 'GET', url: '/api/pipelines/nope', status: 404, mentions: /known pipelines: etl_calls/ },
    { name: 'an unknown pipeline\'s history', method: 'GET', url: '/api/pipelines/nope/history', status: 404 },
    { name: 'running an unknown pipeline', method: 'POST', url: '/api/pipelines/nope/run', status: 404 },
    { name: 'running an unknown check-in', method: 'POST', url: '/api/checkins/evening/run', status: 404, mentions: /known check-ins: morning/ },
    { name: 'silencing an unknown pipeline', method: 'POST', url: '/api/pipelines/nope/silence', payload: { minutes: 5 }, status: 404 },
    { name: 'unsilencing an unknown pipeline', method: 'DELETE', url: '/api/pipelines/nope/silence', status: 404 },
    { name: 'acknowledging an unknown incident', method: 'POST', url: '/api/incidents/nope-123/ack', status: 404 },
    { name: 'an unknown route', method: 'GET', url: '/api/nothing-here', status: 404 },
    { name: 'a malformed pipeline id', method: 'GET', url: '/api/pipelines/Bad%20Id', status: 400, mentions: /params\/id/ },
    { name: 'a malformed incident id', method: 'POST', url: '/api/incidents/..%2Fsecret/ack', status: 400 },
    { name: 'hours=0', method: 'GET', url: '/api/pipelines/etl_calls/history?hours=0', status: 400, mentions: /hours must be >= 1/ },
    { name: 'hours above 90 days', method: 'GET', url: '/api/pipelines/etl_calls/history?hours=2161', status: 400 },
    { name: 'hours that is not a number', method: 'GET', url: '/api/pipelines/etl_calls/history?hours=soon', status: 400 },
    { name: 'hours with a fraction', method: 'GET', url: '/api/pipelines/etl_calls/history?hours=1.5', status: 400 },
    { name: 'state=closed', method: 'GET', url: '/api/incidents?state=closed', status: 400, mentions: /state must be equal to one of the allowed values/ },
    { name: 'limit=0', method: 'GET', url: '/api/notifications?limit=0', status: 400 },
    { name: 'limit=1001', method: 'GET', url: '/api/notifications?limit=1001', status: 400 },
    { name: 'wait=maybe', method: 'POST', url: '/api/pipelines/etl_calls/run?wait=maybe', status: 400 },
    { name: 'a silence without minutes', method: 'POST', url: '/api/pipelines/etl_calls/silence', payload: {}, status: 400, mentions: /minutes/ },
    { name: 'a silence of 0 minutes', method: 'POST', url: '/api/pipelines/etl_calls/silence', payload: { minutes: 0 }, status: 400 },
    { name: 'a silence over a week', method: 'POST', url: '/api/pipelines/etl_calls/silence', payload: { minutes: 10_081 }, status: 400 },
    { name: 'a silence of "soon" minutes', method: 'POST', url: '/api/pipelines/etl_calls/silence', payload: { minutes: 'soon' }, status: 400 },
    { name: 'a silence with an unknown field', method: 'POST', url: '/api/pipelines/etl_calls/silence', payload: { minutes: 5, reason: 'x' }, status: 400 },
    { name: 'a silence body that is a list', method: 'POST', url: '/api/pipelines/etl_calls/silence', payload: [5], status: 400 },
    { name: 'a silence body that is not JSON', method: 'POST', url: '/api/pipelines/etl_calls/silence', rawBody: '{"minutes":', status: 400 },
    { name: 'a silence with no body', method: 'POST', url: '/api/pipelines/etl_calls/silence', status: 400 },
    { name: 'a silence of true minutes (no coercion of body types)', method: 'POST', url: '/api/pipelines/etl_calls/silence', payload: { minutes: true }, status: 400 },
    { name: 'a silence of "30" minutes', method: 'POST', url: '/api/pipelines/etl_calls/silence', payload: { minutes: '30' }, status: 400 },
    { name: 'a silence of 1e400 minutes', method: 'POST', url: '/api/pipelines/etl_calls/silence', rawBody: '{"minutes":1e400}', status: 400 },
    { name: 'hours=Infinity', method: 'GET', url: '/api/pipelines/etl_calls/history?hours=Infinity', status: 400 },
    { name: 'hours=1e400', method: 'GET', url: '/api/pipelines/etl_calls/history?hours=1e400', status: 400 },
    { name: 'limit=Infinity', method: 'GET', url: '/api/notifications?limit=Infinity', status: 400 },
    { name: 'limit=1e400 on incidents', method: 'GET', url: '/api/incidents?limit=1e400', status: 400 },
  ];

  for (const testCase of cases) {
    it(`answers ${testCase.status} for ${testCase.name}`, async () => {
      const response = await t.app.inject({
        method: testCase.method,
        url: testCase.url,
        headers: { ...auth, ...(testCase.method !== 'GET' ? { 'content-type': 'application/json' } : {}) },
        ...(testCase.payload !== undefined ? { payload: testCase.payload as object } : {}),
        ...(testCase.rawBody !== undefined ? { payload: testCase.rawBody } : {}),
      });
      assert.equal(response.statusCode, testCase.status, response.body);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      const body = response.json();
      assertErrorShape(body, testCase.status);
      if (testCase.mentions) assert.match(body.message, testCase.mentions);
    });
  }
});

describe('writes from another site, or not as JSON (CSRF)', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.cleanup());

  it('refuses a form-like body (text/plain or urlencoded) with 415, and a write with no content type', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const response = await t.app.inject({ method: 'POST', url: '/api/pipelines/etl_calls/silence', headers: { ...auth, 'content-type': contentType }, payload: '{"minutes":30}' });
      assert.equal(response.statusCode, 415, contentType);
      assert.match(response.json().message, /Content-Type: application\/json/);
    }
    const bare = await t.app.inject({ method: 'POST', url: '/api/pipelines/etl_calls/run', headers: auth });
    assert.equal(bare.statusCode, 415);
    assert.equal(await t.store.silences.until('etl_calls', NOW), null, 'nothing was silenced');
  });

  it('refuses a write whose Origin or Sec-Fetch-Site says it comes from another site, with 403', async () => {
    for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site', origin: 'https://other.example.com' }]) {
      const response = await t.app.inject({ method: 'POST', url: '/api/pipelines/etl_calls/silence', headers: { ...auth, ...headers }, payload: { minutes: 30 } });
      assert.equal(response.statusCode, 403, JSON.stringify(headers));
      assert.match(response.json().message, /another site|is not this site/);
    }
    const ownPage = await t.app.inject({ method: 'POST', url: '/api/pipelines/etl_calls/silence', headers: { ...auth, origin: 'http://localhost:80', host: 'localhost:80', 'sec-fetch-site': 'same-origin' }, payload: { minutes: 30 } });
    assert.equal(ownPage.statusCode, 200, ownPage.body);
    const script = await t.app.inject({ method: 'DELETE', url: '/api/pipelines/etl_calls/silence', headers: auth, payload: {} });
    assert.equal(script.statusCode, 200, 'a script sends no Origin: fine');
  });
});

describe('the dashboard page and its files', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.cleanup());

  it('serves the page with a CSP that allows only its own scripts and styles', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    const csp = String(response.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.doesNotMatch(response.body, /<script>|style="|https?:\/\/(?!localhost)/, 'no inline script or style, nothing from elsewhere');
  });

  it('serves uPlot from node_modules and nothing else from there', async () => {
    const script = await t.app.inject({ method: 'GET', url: '/vendor/uplot/uPlot.iife.min.js' });
    assert.equal(script.statusCode, 200);
    assert.match(String(script.headers['content-type']), /javascript/);
    assert.equal((await t.app.inject({ method: 'GET', url: '/vendor/uplot/uPlot.min.css' })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: '/vendor/uplot/uPlot.esm.js' })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'GET', url: '/vendor/uplot/../package.json' })).statusCode, 404);
  });

  it('keeps the page under 150 KB with everything it loads', async () => {
    const files = ['/', '/style.css', '/js/main.js', '/js/api.js', '/js/dom.js', '/js/format.js', '/js/live.js', '/js/strip.js', '/favicon.svg', '/vendor/uplot/uPlot.iife.min.js', '/vendor/uplot/uPlot.min.css'];
    let total = 0;
    for (const file of files) {
      const response = await t.app.inject({ method: 'GET', url: file });
      assert.equal(response.statusCode, 200, file);
      total += response.rawPayload.length;
    }
    assert.ok(total < 150 * 1024, `page weight ${total} bytes`);
  });
});
