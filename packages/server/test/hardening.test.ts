import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError, resolveConfig } from '@datamon/config';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_TOKEN, basic, bearer, testApp, testConfig, type TestApp } from './helpers.ts';

/**
 * What a black-box security test of a running instance found, each as the test that failed
 * before it was mended (SECURITY.md): floods, Bull Board, /metrics, input.
 */

const ROOT = join(import.meta.dirname, '..', '..', '..');
const auth = { authorization: basic() };
const json = { 'content-type': 'application/json' };

describe('a flood of run-now requests', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.cleanup());

  it('makes one check job: the run already queued answers for the others (200, deduplicated), and the credential is limited', async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, () => t.app.inject({ method: 'POST', url: '/api/pipelines/etl_calls/run', headers: { ...auth, ...json }, payload: {} })));
    const codes = answers.map((answer) => answer.statusCode);
    assert.equal(codes.filter((code) => code === 202).length, 1, 'one new job');
    assert.ok(codes.every((code) => [200, 202, 429].includes(code)), [...new Set(codes)].join(', '));
    const deduplicated = answers.filter((answer) => answer.statusCode === 200).map((answer) => answer.json());
    const first = answers.find((answer) => answer.statusCode === 202)?.json().jobId;
    assert.ok(deduplicated.length > 0 && deduplicated.every((body) => body.jobId === first && body.deduplicated === true));
    const limited = answers.find((answer) => answer.statusCode === 429);
    assert.ok(limited, 'past 60 changes a minute the credential waits');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    const jobs = await t.app.queues.checks.queue.getJobs(['waiting', 'prioritized', 'active', 'delayed']);
    assert.deepEqual(jobs.map((job) => job.name), ['run-pipeline']);
  });

  it('runs a check-in by hand at most once a minute: its card and email go once', async () => {
    const answers = [];
    for (let request = 0; request < 5; request += 1) answers.push(await t.app.inject({ method: 'POST', url: '/api/checkins/morning/run', headers: { authorization: bearer(), ...json }, payload: {} }));
    assert.deepEqual(answers.map((answer) => answer.statusCode), [202, 200, 200, 200, 200]);
    assert.equal(new Set(answers.map((answer) => answer.json().jobId)).size, 1);
    const checkins = (await t.app.queues.checks.queue.getJobs(['waiting', 'prioritized'])).filter((job) => job.name === 'checkin');
    assert.equal(checkins.length, 1);
  });
});

describe('Bull Board', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(testConfig({ username: 'ops', password: 'correct horse battery staple', tokens: ['tok-0123456789abcdef'], admin_tokens: [ADMIN_TOKEN] }));
  });
  after(() => t.cleanup());

  const pause = (authorization: string) => t.app.inject({ method: 'PUT', url: '/admin/queues/api/queues/checks/pause', headers: { authorization } });
  const addJob = (authorization: string) =>
    t.app.inject({ method: 'POST', url: '/admin/queues/api/queues/deliver-email/add', headers: { authorization, ...json }, payload: { name: 'deliver', data: { forged: true }, options: {} } });

  it('is read-only for a write credential: it sees the queues, but pausing is refused and the page hides the buttons', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: auth });
    assert.equal(list.statusCode, 200);
    assert.ok(list.json().queues.length >= 4 && list.json().queues.every((queue: { readOnlyMode: boolean }) => queue.readOnlyMode));
    const paused = await pause(basic());
    assert.equal(paused.statusCode, 403);
    assert.match(paused.json().message, /read-only for this credential.*admin_tokens/);
    assert.equal(await t.app.queues.checks.queue.isPaused(), false);
  });

  it('never adds a job by hand, not even for an admin (it would send a forged message with the monitor\'s own credentials)', async () => {
    for (const authorization of [basic(), bearer(ADMIN_TOKEN)]) {
      const added = await addJob(authorization);
      assert.equal(added.statusCode, 403);
      assert.match(added.json().message, /adding or editing jobs by hand is off/);
    }
    assert.equal(await t.app.queues.email.queue.count(), 0);
  });

  it('lets an admin operate it, and records an admin\'s pause as on purpose', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { authorization: bearer(ADMIN_TOKEN) } });
    assert.ok(list.json().queues.every((queue: { readOnlyMode: boolean }) => !queue.readOnlyMode));
    assert.equal((await pause(bearer(ADMIN_TOKEN))).statusCode, 200);
    assert.equal(await t.app.queues.checks.queue.isPaused(), true);
    assert.equal((await t.store.monitor.pauses()).checks?.by, 'admin token #1');
    const monitor = (await t.app.inject({ method: 'GET', url: '/api/monitor' })).json();
    assert.ok(monitor.problems.some((problem: { message: string }) => problem.message === 'the checks queue is paused by admin token #1, on purpose: none of its jobs run until it is resumed'));
    const resumed = await t.app.inject({ method: 'PUT', url: '/admin/queues/api/queues/checks/resume', headers: { authorization: bearer(ADMIN_TOKEN) } });
    assert.equal(resumed.statusCode, 200);
    assert.deepEqual(await t.store.monitor.pauses(), {});
  });

  it('refuses a write from another site even to an admin', async () => {
    const response = await t.app.inject({ method: 'PUT', url: '/admin/queues/api/queues/checks/pause', headers: { authorization: bearer(ADMIN_TOKEN), 'sec-fetch-site': 'cross-site' } });
    assert.equal(response.statusCode, 403);
    assert.equal(await t.app.queues.checks.queue.isPaused(), false);
  });
});

describe('/metrics', () => {
  let t: TestApp;
  let renders = 0;
  before(async () => {
    t = await testApp(testConfig({ username: 'ops', password: 'correct horse battery staple', tokens: [] }, { metrics: { token: 'prometheus-scrape-token-1' } }), { metricsCacheMs: 60_000 });
    const tally = t.app.store.notifications.tally.bind(t.app.store.notifications);
    t.app.store.notifications.tally = async () => {
      renders += 1;
      return tally();
    };
  });
  after(() => t.cleanup());

  it('costs one rendering however often it is scraped (the cost does not follow the scrape rate)', async () => {
    const scrape = () => t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer prometheus-scrape-token-1' } });
    const answers = await Promise.all(Array.from({ length: 50 }, scrape));
    assert.ok(answers.every((answer) => answer.statusCode === 200));
    for (let more = 0; more < 50; more += 1) await scrape();
    assert.equal(renders, 1);
  });

  it('needs metrics.token when one is set, and says so', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(none.statusCode, 401);
    assert.match(none.json().message, /metrics\.token/);
    assert.equal((await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong-token-0123456789' } })).statusCode, 401);
  });
});

describe('reads that are protected', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp(testConfig({ username: 'ops', password: 'correct horse battery staple', tokens: [], protect_reads: true }));
  });
  after(() => t.cleanup());

  it('do not list the known ids in a 404', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/pipelines/nope', headers: auth });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().message, 'no pipeline "nope"');
  });
});

describe('live-update streams', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(() => t.cleanup());

  it('are capped per client address, so one client cannot take every slot', async () => {
    const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const streams = [];
    try {
      for (let open = 0; open < 20; open += 1) {
        const response = await fetch(`${base}/api/events`);
        assert.equal(response.status, 200);
        streams.push(response);
      }
      const one = await fetch(`${base}/api/events`);
      assert.equal(one.status, 429);
      assert.match((await one.json()).message, /too many live-update streams from this address/);
    } finally {
      for (const stream of streams) await stream.body?.cancel();
    }
  });
});

describe('the config, for what the security test found', () => {
  const schedule = { checkins: {} };
  it('refuses dashboard passwords and tokens shorter than 16 characters, never quoting them', () => {
    assert.throws(
      () => resolveConfig({ dashboard: { auth: { username: 'ops', password: 'x', tokens: ['short-token'], admin_tokens: ['adm'] } }, schedule }, { source: 'c.yaml', env: {} }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /c\.yaml: dashboard\.auth\.password: must be at least 16 characters \(it has 1\)/);
        assert.match(err.message, /dashboard\.auth\.tokens\[0\]: must be at least 16 characters \(it has 11\)/);
        assert.match(err.message, /dashboard\.auth\.admin_tokens\[0\]: must be at least 16 characters/);
        assert.ok(!err.message.includes('short-token') && !err.message.includes('"x"'));
        return true;
      },
    );
  });

  it('honours DATAMON_LOG_LEVEL=debug in a command (debug lines reach its log)', () => {
    const folder = mkdtempSync(join(tmpdir(), 'datamon-level-'));
    try {
      const config = join(folder, 'config.json');
      writeFileSync(config, JSON.stringify({ pipelines: [{ id: 'f', kind: 'file_arrival', directory: folder, pattern: 'x.csv', expected: '01:00', deadline: '02:00' }], schedule: { checkins: { morning: { enabled: false }, first_shift: { enabled: false }, second_shift: { pipelines: ['f'] } } } }));
      const run = spawnSync(process.execPath, [join(ROOT, 'packages/cli/bin/datamon.js'), 'check', '--config', config], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DATAMON_LOG_LEVEL: 'debug' } });
      assert.match(run.stderr, /"level":20,.*"msg":"check ran"/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
