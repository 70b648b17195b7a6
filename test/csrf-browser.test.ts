import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { resolveConfig } from '@datamon/config';
import { createQueues } from '@datamon/jobs';
import { createLogger } from '@datamon/io';
import { startServer, type RunningRole } from '@datamon/server';
import { createRedisConnection, DatamonStore } from '@datamon/store';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium, HOW_TO_INSTALL_CHROMIUM, skipWithoutChromium } from './helpers/chromium.ts';

/**
 * Cross-site request forgery, as the security test ran it: a browser that holds datamon's basic
 * credentials (an operator signed in to Bull Board) opens another site's page, which posts a form
 * and a no-cors fetch at datamon. Nothing may run, and nothing may be silenced.
 */

const USER = 'ops';
const PASSWORD = 'operator-password-1';
const redisUrl = process.env.DATAMON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const config = resolveConfig(
  { redis: { url: redisUrl, prefix: `test-${randomUUID()}` }, dashboard: { host: '127.0.0.1', port: 0, auth: { username: USER, password: PASSWORD } } },
  { source: 'test', env: {} },
);
// Lazy: a suite skipped for want of a browser must leave no connection open.
const redis = createRedisConnection(redisUrl, { lazyConnect: true });
const store = new DatamonStore(redis, { prefix: config.redis.prefix, historyDays: 90 });

describe('a page on another site, in a browser signed in to datamon', { timeout: 60_000, skip: skipWithoutChromium() }, () => {
  let server: RunningRole;
  let attacker: Server;
  let browser: Browser;

  before(async () => {
    const executablePath = findChromium();
    assert.ok(executablePath, `no Chromium found: ${HOW_TO_INSTALL_CHROMIUM}`);
    server = await startServer({ config, logger: createLogger({ role: 'api', level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) }) });
    const target = server.url;
    // Two pages of the other site: a form posted in the top window (the browser's cached
    // credentials go with a top-level navigation to datamon), and no-cors fetches.
    const pages: Record<string, string> = {
      '/form': `<!doctype html><html><body>
<form id="f" method="POST" action="${target}/api/checkins/morning/run" enctype="text/plain"><input name='{"x":"' value='"}'></form>
<script>document.getElementById('f').submit();</script></body></html>`,
      '/fetch': `<!doctype html><html><body><script>
Promise.allSettled([
  fetch('${target}/api/pipelines/etl_calls/silence', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body: '{"minutes":60}' }),
  fetch('${target}/api/pipelines/etl_calls/run', { method: 'POST', mode: 'no-cors', credentials: 'include' }),
]).then(() => { document.title = 'done'; });
</script></body></html>`,
    };
    attacker = createServer((request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(pages[request.url ?? ''] ?? ''));
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    attacker?.close();
    await server?.close();
    const queues = createQueues(config, { connection: redis });
    await queues.obliterate();
    await queues.close();
    await store.clear();
    redis.disconnect();
  });

  it('cannot run a check-in, run a check or silence a pipeline', async () => {
    const context = await browser.newContext();
    const signedIn = await context.newPage();
    // The operator's own session: signed in with basic auth, the browser keeps the credentials
    // in its cache and sends them with any request to datamon's API, whichever page makes it.
    const withCredentials = server.url.replace('http://', `http://${USER}:${PASSWORD}@`);
    for (const path of ['/admin/queues', '/api/session']) assert.equal((await signedIn.goto(`${withCredentials}${path}`))?.status(), 200, path);
    // Another site: "localhost" is not "127.0.0.1" to the browser.
    const other = `http://localhost:${(attacker.address() as AddressInfo).port}`;
    const form = await context.newPage();
    const posted = form.waitForResponse((response) => response.url().endsWith('/api/checkins/morning/run'));
    await form.goto(`${other}/form`);
    const answer = await posted;
    assert.equal(answer.status(), 403, `the form post is refused: ${await answer.text()}`);
    const scripted = await context.newPage();
    await scripted.goto(`${other}/fetch`);
    await scripted.waitForFunction(() => document.title === 'done');
    await context.close();

    const queues = createQueues(config, { connection: redis });
    const jobs = await queues.checks.queue.getJobs(['waiting', 'prioritized', 'active', 'delayed', 'completed']);
    await queues.close();
    assert.deepEqual(jobs.map((job) => job.name), [], 'nothing was queued');
    assert.equal(await store.silences.until('etl_calls', new Date()), null, 'nothing was silenced');
  });
});
