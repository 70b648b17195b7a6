import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@datamon/io';
import { HOW_TO_SET_AUTH } from '../src/index.ts';
import { PASSWORD, TOKEN, USER, basic, bearer, incident, testApp, testConfig, type TestApp } from './helpers.ts';

interface Route {
  name: string;
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  payload?: object;
  /** What a right credential gets; a run asked for again while one is queued gets that one (200). */
  ok: number | number[];
}

/** Every route that needs a credential (README "HTTP API"): writes, Bull Board, and the sign-in check. */
function writeRoutes(incidentId: string): Route[] {
  return [
    { name: 'run a pipeline', method: 'POST', url: '/api/pipelines/etl_calls/run', payload: {}, ok: [202, 200] },
    { name: 'run a check-in', method: 'POST', url: '/api/checkins/morning/run', payload: {}, ok: [202, 200] },
    { name: 'acknowledge an incident', method: 'POST', url: `/api/incidents/${incidentId}/ack`, payload: {}, ok: 200 },
    { name: 'silence a pipeline', method: 'POST', url: '/api/pipelines/etl_calls/silence', payload: { minutes: 30 }, ok: 200 },
    { name: 'end a silence', method: 'DELETE', url: '/api/pipelines/etl_calls/silence', payload: {}, ok: 200 },
    { name: 'open Bull Board', method: 'GET', url: '/admin/queues', ok: 200 },
    { name: 'open a Bull Board page', method: 'GET', url: '/admin/queues/queue/checks', ok: 200 },
    { name: 'call the Bull Board API', method: 'GET', url: '/admin/queues/api/queues?activeQueue=checks', ok: 200 },
    { name: 'check a session', method: 'GET', url: '/api/session', ok: 200 },
  ];
}

const READ_ROUTES = ['/api/status', '/api/pipelines/etl_calls', '/api/pipelines/etl_calls/history', '/api/incidents', '/api/notifications'];
const ALWAYS_OPEN = ['/metrics', '/healthz', '/readyz', '/api/meta', '/', '/style.css', '/js/main.js'];

describe('when no credentials are configured', () => {
  let t: TestApp;
  let routes: Route[];
  before(async () => {
    t = await testApp(testConfig({ username: '', password: '', tokens: [] }));
    const open = incident('etl_calls', '2026-03-30T08:00:00.000Z');
    await t.store.incidents.save(open);
    routes = writeRoutes(open.id);
  });
  after(() => t.cleanup());

  it('writes and Bull Board answer 403 and say how to set dashboard.auth', async () => {
    for (const route of routes) {
      for (const authorization of [undefined, basic(), bearer()]) {
        const response = await t.app.inject({ method: route.method, url: route.url, payload: route.payload, headers: authorization ? { authorization } : {} });
        assert.equal(response.statusCode, 403, `${route.name} with ${authorization ?? 'nothing'}`);
        assert.deepEqual(response.json(), { error: 'Forbidden', message: HOW_TO_SET_AUTH, statusCode: 403 });
        assert.match(response.json().message, /dashboard\.auth\.username.*dashboard\.auth\.password.*dashboard\.auth\.tokens/);
      }
    }
  });

  it('reads stay open', async () => {
    for (const url of [...READ_ROUTES, ...ALWAYS_OPEN]) {
      assert.equal((await t.app.inject({ method: 'GET', url })).statusCode, 200, url);
    }
  });

  it('the page is told there is no sign-in', async () => {
    assert.deepEqual((await t.app.inject({ method: 'GET', url: '/api/meta' })).json().auth, { configured: false, basic: false, protectReads: false });
  });
});

describe('when basic auth and tokens are configured', () => {
  let t: TestApp;
  let routes: Route[];
  const lines: string[] = [];
  before(async () => {
    const logger = createLogger({
      role: 'api',
      level: 'debug',
      destination: new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    });
    t = await testApp(undefined, { logger, authFailureLimit: 1_000 });
    const open = incident('etl_calls', '2026-03-30T08:00:00.000Z');
    await t.store.incidents.save(open);
    routes = writeRoutes(open.id);
  });
  after(() => t.cleanup());

  const wrong: [string, string][] = [
    ['a wrong password', basic(USER, 'wrong')],
    ['a wrong user name', basic('root', PASSWORD)],
    ['a wrong token', bearer('tok-guess')],
    ['a token sent as a password', basic(USER, TOKEN)],
    ['the password sent as a token', bearer(PASSWORD)],
    ['an empty bearer', 'Bearer '],
    ['garbage', 'Basic !!!'],
    ['an unknown scheme', `Digest ${TOKEN}`],
  ];

  it('no credentials: 401 with a Basic challenge (a Bearer one for the dashboard\'s own requests)', async () => {
    for (const route of routes) {
      const response = await t.app.inject({ method: route.method, url: route.url, payload: route.payload });
      assert.equal(response.statusCode, 401, route.name);
      assert.equal(response.headers['www-authenticate'], 'Basic realm="datamon", charset="UTF-8"');
      assert.equal(response.json().error, 'Unauthorized');
      const fromPage = await t.app.inject({ method: route.method, url: route.url, payload: route.payload, headers: { 'x-requested-with': 'datamon-dashboard' } });
      assert.equal(fromPage.headers['www-authenticate'], 'Bearer realm="datamon"', 'so the browser shows no dialog of its own');
    }
  });

  it('wrong credentials: 401', async () => {
    for (const route of routes) {
      for (const [what, authorization] of wrong) {
        const response = await t.app.inject({ method: route.method, url: route.url, payload: route.payload, headers: { authorization } });
        assert.equal(response.statusCode, 401, `${route.name} with ${what}`);
        assert.deepEqual(Object.keys(response.json()).sort(), ['error', 'message', 'statusCode']);
      }
    }
  });

  it('the right user and password, or a configured token: the route answers', async () => {
    for (const route of routes) {
      for (const authorization of [basic(), bearer()]) {
        const response = await t.app.inject({ method: route.method, url: route.url, payload: route.payload, headers: { authorization } });
        assert.ok([route.ok].flat().includes(response.statusCode), `${route.name} with ${authorization.split(' ')[0]}: ${response.statusCode} ${response.body.slice(0, 200)}`);
      }
    }
  });

  it('names who did it, never with the secret', async () => {
    assert.deepEqual((await t.app.inject({ method: 'GET', url: '/api/session', headers: { authorization: basic() } })).json(), { name: USER, method: 'basic' });
    assert.deepEqual((await t.app.inject({ method: 'GET', url: '/api/session', headers: { authorization: bearer() } })).json(), { name: 'token #1', method: 'bearer' });
  });

  it('Bull Board gets its own CSP; the rest keeps the strict one', async () => {
    const board = await t.app.inject({ method: 'GET', url: '/admin/queues', headers: { authorization: basic() } });
    assert.match(String(board.headers['content-security-policy']), /style-src 'self' 'unsafe-inline'/);
    const page = await t.app.inject({ method: 'GET', url: '/' });
    assert.doesNotMatch(String(page.headers['content-security-policy']), /unsafe-inline/);
  });

  it('reads stay open unless protect_reads', async () => {
    for (const url of READ_ROUTES) assert.equal((await t.app.inject({ method: 'GET', url })).statusCode, 200, url);
  });

  it('no secret appears in any response or log line', async () => {
    const responses = [];
    for (const url of [...READ_ROUTES, ...ALWAYS_OPEN]) responses.push((await t.app.inject({ method: 'GET', url })).body);
    for (const body of [...responses, ...lines]) {
      assert.ok(!body.includes(PASSWORD), 'password leaked');
      assert.ok(!body.includes(TOKEN), 'token leaked');
      assert.ok(!body.includes(Buffer.from(`${USER}:${PASSWORD}`).toString('base64')), 'basic credentials leaked');
    }
    assert.ok(lines.some((line) => line.includes('rejected credentials')), 'rejections are logged');
  });
});

describe('when reads are protected', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(testConfig({ username: USER, password: PASSWORD, tokens: [TOKEN], protect_reads: true }));
  });
  after(() => t.cleanup());

  it('reads need a credential', async () => {
    for (const url of [...READ_ROUTES, '/api/events']) {
      assert.equal((await t.app.inject({ method: 'GET', url })).statusCode, 401, url);
      assert.equal((await t.app.inject({ method: 'GET', url, headers: { authorization: bearer('nope') } })).statusCode, 401, url);
    }
    for (const url of READ_ROUTES) assert.equal((await t.app.inject({ method: 'GET', url, headers: { authorization: bearer() } })).statusCode, 200, url);
  });

  it('health, readiness, the page and its meta stay open; metrics are read like the API', async () => {
    for (const url of ALWAYS_OPEN.filter((url) => url !== '/metrics')) assert.equal((await t.app.inject({ method: 'GET', url })).statusCode, 200, url);
    assert.equal((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: bearer() } })).statusCode, 200);
  });
});

describe('when someone keeps guessing', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(undefined, { authFailureLimit: 3, authFailureWindowMs: 60_000 });
  });
  after(() => t.cleanup());

  it('answers 429 with Retry-After to more wrong credentials after the allowed failures, never to right ones, and counts no successes', async () => {
    const url = '/api/session';
    for (let attempt = 0; attempt < 5; attempt += 1) {
      assert.equal((await t.app.inject({ method: 'GET', url, headers: { authorization: basic() } })).statusCode, 200, 'good sign-ins are not counted');
    }
    for (let attempt = 0; attempt < 5; attempt += 1) {
      assert.equal((await t.app.inject({ method: 'GET', url })).statusCode, 401, 'missing credentials are not counted either');
    }
    for (let attempt = 0; attempt < 3; attempt += 1) {
      assert.equal((await t.app.inject({ method: 'GET', url, headers: { authorization: bearer(`guess-${attempt}`) } })).statusCode, 401);
    }
    const limited = await t.app.inject({ method: 'GET', url, headers: { authorization: bearer('guess-4') } });
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.deepEqual(Object.keys(limited.json()).sort(), ['error', 'message', 'statusCode']);
    assert.equal((await t.app.inject({ method: 'GET', url, headers: { authorization: basic() } })).statusCode, 200, 'the right credential still gets in (a whole office behind one proxy is not locked out)');
    assert.equal((await t.app.inject({ method: 'GET', url, headers: { authorization: bearer() } })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url, headers: { authorization: basic(USER, 'not-it') } })).statusCode, 401, 'counted per user: guessing tokens does not limit the user');
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/status' })).statusCode, 200, 'open reads are not limited');
  });
});


