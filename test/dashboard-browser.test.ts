import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { resolveConfig } from '@datamon/config';
import type { CheckResult, DatamonConfig, IncidentRecord, Status } from '@datamon/core';
import { type ChecksJobs, type DataOf, QUEUE_NAMES } from '@datamon/jobs';
import { createLogger } from '@datamon/io';
import { startServer, type RunningRole } from '@datamon/server';
import { DatamonStore, createRedisConnection } from '@datamon/store';
import { Queue, Worker } from 'bullmq';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium, HOW_TO_INSTALL_CHROMIUM, skipWithoutChromium } from './helpers/chromium.ts';

/**
 * The dashboard in a real browser (Debian's chromium, never a downloaded one) against a real
 * listening server and Redis: colours, text-only rendering, live updates, the phone layout and
 * the signed-in actions. With DATAMON_SCREENSHOTS=1 it also rewrites the screenshots in docs/.
 */

const USER = 'ops';
const PASSWORD = 'wall-screen-password';
const XSS = '<img src=x onerror=alert(1)>';
const RGB: Record<Status, string> = {
  OK: 'rgb(24, 128, 56)',
  WARNING: 'rgb(242, 153, 0)',
  CRITICAL: 'rgb(217, 48, 37)',
  PENDING: 'rgb(95, 99, 104)',
};

const redisUrl = process.env.DATAMON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const config: DatamonConfig = resolveConfig(
  {
    redis: { url: redisUrl, prefix: `test-${randomUUID()}` },
    dashboard: { host: '127.0.0.1', port: 0, refresh_seconds: 300, auth: { username: USER, password: PASSWORD } },
    google_sheets: { credentials_file: '/nonexistent.json', sheets: { productivity: { spreadsheet_id: 'sheet-1' }, inbound: { spreadsheet_id: 'sheet-2' } } },
  },
  { source: 'test', env: {} },
);

// Lazy: a suite skipped for want of a browser must leave no connection open.
const redis = createRedisConnection(redisUrl, { lazyConnect: true });
const store = new DatamonStore(redis, { prefix: config.redis.prefix, historyDays: 90 });

function checkResult(pipelineId: string, status: Status, at: Date, message: string, value: CheckResult['value']): CheckResult {
  return { pipelineId, status, value, message, checkedAt: at.toISOString(), details: {}, durationMs: 120 };
}

/** What each pipeline reported `minutesAgo` minutes ago: a plausible week. */
function pastResult(pipelineId: string, minutesAgo: number, now: Date): CheckResult {
  const at = new Date(now.getTime() - minutesAgo * 60_000);
  const hoursAgo = minutesAgo / 60;
  switch (pipelineId) {
    case 'etl_calls':
      return hoursAgo > 70 && hoursAgo < 73
        ? checkResult(pipelineId, 'WARNING', at, 'newest call 13.2 h ago (warning over 12 h)', 13.2)
        : checkResult(pipelineId, 'OK', at, 'newest call 0.2 h ago', 0.2);
    case 'first_calls':
      return minutesAgo <= 40 ? checkResult(pipelineId, 'CRITICAL', at, 'no first calls recorded today (0 rows in FactFirstCalls)', 0) : checkResult(pipelineId, 'OK', at, '1,284 first calls today', 1284);
    case 'operators':
      return checkResult(pipelineId, 'OK', at, '241 active operators', 241);
    case 'call_volume':
      return hoursAgo <= 6 ? checkResult(pipelineId, 'WARNING', at, '812 calls yesterday (warning below 1,000)', 812) : checkResult(pipelineId, 'OK', at, '14,902 calls yesterday', 14902);
    case 'morning_csv':
      return checkResult(pipelineId, 'OK', at, 'productivity_20260330_1131.csv arrived at 11:29 with 311 rows', 311);
    case 'afternoon_csv':
      return checkResult(pipelineId, 'PENDING', at, 'productivity_20260330_1535.csv expected at 15:35 (deadline 16:00)', null);
    case 'productivity_upload':
      return hoursAgo > 30 && hoursAgo < 31.5
        ? checkResult(pipelineId, 'CRITICAL', at, 'sheet "productivity" last updated 131 min ago (critical over 120)', 131)
        : checkResult(pipelineId, 'OK', at, 'sheet "productivity" updated 14 min ago', 14);
    default:
      return checkResult(pipelineId, 'OK', at, 'sheet "inbound" updated 6 min ago', 6);
  }
}

async function seed(now: Date): Promise<IncidentRecord> {
  for (const pipeline of config.pipelines) {
    // A week of history: every 20 minutes, or at the three check-ins for sheet pipelines.
    const step = pipeline.quick_check ? 20 : 240;
    for (let minutesAgo = 7 * 24 * 60; minutesAgo >= 2; minutesAgo -= step) await store.results.record(pastResult(pipeline.id, minutesAgo, now));
    await store.results.record(pastResult(pipeline.id, 2, now));
  }
  const openedAt = new Date(now.getTime() - 40 * 60_000).toISOString();
  const open: IncidentRecord = {
    id: `first_calls-${Date.parse(openedAt)}`, pipelineId: 'first_calls', pipelineName: 'First Calls', status: 'CRITICAL', worstStatus: 'CRITICAL',
    openedAt, closedAt: null, acknowledged: false, acknowledgedAt: null, acknowledgedBy: null, criticalSince: openedAt, escalations: 0,
    lastEscalatedAt: null, emailed: true, message: 'no first calls recorded today (0 rows in FactFirstCalls)', value: 0, threshold: 'at least 1',
    notificationSeq: 2, lastStatus: 'CRITICAL', lastCheckedAt: openedAt, announcedStatus: 'CRITICAL', announcedAt: openedAt, held: null, reopenCount: 0, resolution: null,
  };
  await store.incidents.save(open);
  const warnedAt = new Date(now.getTime() - 6 * 3_600_000).toISOString();
  await store.incidents.save({ ...open, id: `call_volume-${Date.parse(warnedAt)}`, pipelineId: 'call_volume', pipelineName: 'Call Volume', status: 'WARNING', worstStatus: 'WARNING', openedAt: warnedAt, acknowledged: true, acknowledgedAt: warnedAt, acknowledgedBy: 'sam', emailed: false, criticalSince: null, message: '812 calls yesterday (warning below 1,000)', value: 812 });
  await store.silences.silence('call_volume', new Date(now.getTime() + 3 * 3_600_000));
  const minutesAgo = (minutes: number): string => new Date(now.getTime() - minutes * 60_000).toISOString();
  const records = [
    { id: 'n1', at: minutesAgo(39), incidentId: open.id, pipelineId: 'first_calls', channel: 'chat', kind: 'critical', outcome: 'sent', error: null },
    { id: 'n2', at: minutesAgo(39), incidentId: open.id, pipelineId: 'first_calls', channel: 'email', kind: 'critical', outcome: 'sent', error: null },
    { id: 'n3', at: minutesAgo(75), incidentId: null, pipelineId: null, channel: 'chat', kind: 'checkin', outcome: 'sent', error: null },
    { id: 'n4', at: minutesAgo(75), incidentId: null, pipelineId: null, channel: 'email', kind: 'checkin', outcome: 'failed', error: 'SMTP 451 4.7.0 temporary server error, retried 5 times' },
    { id: 'n5', at: minutesAgo(359), incidentId: null, pipelineId: 'call_volume', channel: 'chat', kind: 'warning', outcome: 'sent', error: null },
  ] as const;
  for (const record of records) await store.notifications.record({ ...record, attempts: 1 });
  const dayStart = new Date(now);
  for (const checkin of config.checkins) {
    const [hours = 0, minutes = 0] = (checkin.time ?? '00:00').split(':').map(Number);
    const ranAt = new Date(Math.min(now.getTime() - 60_000, dayStart.setHours(hours, minutes + (checkin.id === 'first_shift' ? 7 : 0), 0, 0)));
    if (checkin.id === 'second_shift') continue;
    await store.checkinRuns.record({
      id: `${checkin.id}-run`, checkinId: checkin.id, label: checkin.label, scheduledFor: ranAt.toISOString(), ranAt: ranAt.toISOString(),
      late: checkin.id === 'first_shift', manual: false, overall: checkin.id === 'morning' ? 'WARNING' : 'CRITICAL', results: [],
    });
  }
  await beatAll(now);
  await store.monitor.roundDone(now);
  await store.refreshSnapshot(config, now);
  return open;
}

/** Every role says it is alive (the watchman's banner stays away). */
async function beatAll(at: Date, except: string[] = []): Promise<void> {
  for (const role of ['scheduler', 'checks', 'alerts']) {
    if (except.includes(role)) continue;
    await store.monitor.beat({ role, instance: `test:${role}`, startedAt: at.toISOString(), at: at.toISOString() });
  }
}

describe('the dashboard in a browser', { timeout: 120_000, skip: skipWithoutChromium() }, () => {
  let server: RunningRole;
  let browser: Browser;
  let worker: Worker;
  let incident: IncidentRecord;
  const workerConnection = createRedisConnection(redisUrl);
  const pageProblems: string[] = [];

  before(async () => {
    const executablePath = findChromium();
    assert.ok(executablePath, `no Chromium found: ${HOW_TO_INSTALL_CHROMIUM}`);
    incident = await seed(new Date());
    const logger = createLogger({ role: 'api', level: 'warn', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
    server = await startServer({ config, logger });
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    // A stand-in check worker for run-now: stores an OK result, announces it, returns it.
    worker = new Worker<DataOf<ChecksJobs, 'run-pipeline'>, CheckResult>(
      QUEUE_NAMES.checks,
      async (job) => {
        const result = checkResult(job.data.pipelineId, 'OK', new Date(), `checked on request of ${job.data.requestedBy}`, 42);
        await store.results.record(result, { jobId: job.id });
        await store.refreshSnapshot(config);
        return result;
      },
      { connection: workerConnection, prefix: config.redis.prefix },
    );
    await worker.waitUntilReady();
  });

  after(async () => {
    await worker?.close(true);
    await browser?.close();
    await server?.close();
    for (const name of Object.values(QUEUE_NAMES)) {
      const queue = new Queue(name, { connection: redis, prefix: config.redis.prefix });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    await store.clear();
    await redis.quit();
    await workerConnection.quit();
  });

  async function openDashboard(viewport: { width: number; height: number }, deviceScaleFactor = 1): Promise<Page> {
    const context = await browser.newContext({ viewport, deviceScaleFactor, colorScheme: 'dark' });
    const page = await context.newPage();
    page.on('pageerror', (err) => pageProblems.push(`page error: ${err.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageProblems.push(`console: ${message.text()}`);
    });
    page.on('dialog', async (dialog) => {
      pageProblems.push(`dialog: ${dialog.message()}`);
      await dialog.dismiss();
    });
    await page.goto(server.url);
    await page.waitForFunction((count) => document.body.dataset.ready === 'true' && document.querySelectorAll('.tile .strip canvas').length === count, config.pipelines.length);
    // The strips' history arrives after the first paint.
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.strip-caption')).every((caption) => /healthy|no results/.test(caption.textContent ?? '')));
    return page;
  }

  const tile = (page: Page, id: string) => page.locator(`.tile[data-pipeline="${id}"]`);

  it('shows each pipeline\'s status, icon and colour, the banner, check-ins, incidents and notifications', async () => {
    const page = await openDashboard({ width: 1440, height: 900 });
    const expected: Record<string, Status> = {
      etl_calls: 'OK', first_calls: 'CRITICAL', operators: 'OK', call_volume: 'WARNING', morning_csv: 'OK', afternoon_csv: 'PENDING', productivity_upload: 'OK', inbound_sheet: 'OK',
    };
    const icons: Record<Status, string> = { OK: '✅', WARNING: '⚠️', CRITICAL: '🔴', PENDING: '⏳' };
    for (const [id, status] of Object.entries(expected)) {
      const pill = tile(page, id).locator('.pill');
      assert.equal(await pill.textContent(), status, id);
      assert.equal(await pill.evaluate((node) => getComputedStyle(node).backgroundColor), RGB[status], `${id} pill colour`);
      assert.equal(await tile(page, id).evaluate((node) => getComputedStyle(node).borderTopColor), RGB[status], `${id} tile colour`);
      assert.equal(await tile(page, id).locator('.tile-icon').textContent(), icons[status]);
    }
    assert.equal(await page.locator('#banner').evaluate((node) => getComputedStyle(node).backgroundColor), RGB.CRITICAL);
    assert.match((await page.locator('#banner-title').textContent()) ?? '', /CRITICAL · 1 pipeline failing/);
    assert.match((await tile(page, 'call_volume').locator('.badges').textContent()) ?? '', /silenced until .*\d\d:\d\d.*incident acknowledged/);
    assert.match((await tile(page, 'first_calls').locator('.badges').textContent()) ?? '', /incident open/);
    assert.match((await tile(page, 'etl_calls').locator('.strip-caption').textContent()) ?? '', /^24 h: healthy 100% of the time/);
    assert.equal(await page.locator('#incidents li').count(), 2);
    assert.match((await page.locator('#checkins li[data-checkin="first_shift"]').textContent()) ?? '', /late/);
    assert.match((await page.locator('#notifications').textContent()) ?? '', /SMTP 451/);
    assert.equal(await page.locator('.tile .run').first().isVisible(), false, 'no actions before signing in');
    await page.locator('.range-button[data-hours="168"]').click();
    await page.waitForFunction(() => /^7 d:/.test(document.querySelector('.tile[data-pipeline="etl_calls"] .strip-caption')?.textContent ?? ''));
    assert.match((await tile(page, 'etl_calls').locator('.strip-caption').textContent()) ?? '', /^7 d: healthy 98\.\d% of the time · 1 problem$/);
    await page.locator('.range-button[data-hours="24"]').click();
    await page.waitForFunction(() => /^24 h:/.test(document.querySelector('.tile[data-pipeline="etl_calls"] .strip-caption')?.textContent ?? ''));
    // The README's pictures: `DATAMON_SCREENSHOTS=1 npm test` rewrites them (a plain run leaves docs/ alone).
    if (process.env.DATAMON_SCREENSHOTS) await page.screenshot({ path: 'docs/dashboard-desktop.png', fullPage: true });
    await page.context().close();
  });

  it('fits a 375 px phone without sideways scrolling', async () => {
    const page = await openDashboard({ width: 375, height: 812 }, 2);
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, body: document.body.scrollWidth, height: document.documentElement.scrollHeight }));
    assert.ok(widths.scroll <= widths.client, `scrollWidth ${widths.scroll} > clientWidth ${widths.client}`);
    assert.ok(widths.body <= widths.client);
    if (process.env.DATAMON_SCREENSHOTS) await page.screenshot({ path: 'docs/dashboard-phone.png' });
    await page.context().close();
  });

  it('shows a message full of HTML as text, and runs none of it', async () => {
    const page = await openDashboard({ width: 1280, height: 800 });
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    await store.results.record(checkResult('afternoon_csv', 'WARNING', new Date(), XSS, XSS));
    await store.refreshSnapshot(config);
    const message = tile(page, 'afternoon_csv').locator('.tile-message');
    await page.waitForFunction((text) => document.querySelector('.tile[data-pipeline="afternoon_csv"] .tile-message')?.textContent === text, XSS);
    assert.equal(await message.textContent(), XSS);
    assert.equal(await tile(page, 'afternoon_csv').locator('.fact-value').textContent(), XSS);
    assert.equal(await page.locator('main img').count(), 0, 'no element was made from the message');
    assert.equal(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), true);
    await page.waitForTimeout(200);
    assert.deepEqual(pageProblems.filter((problem) => problem.startsWith('dialog')), []);

    const phone = await openDashboard({ width: 375, height: 812 });
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), 'still no sideways scroll');
    await phone.context().close();
    await page.context().close();
  });

  it('shows a status changed in Redis without a reload', async () => {
    const page = await openDashboard({ width: 1280, height: 800 });
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    await page.waitForFunction(() => document.getElementById('connection')?.textContent === 'live');
    await store.results.record(checkResult('operators', 'CRITICAL', new Date(), 'only 150 active operators (critical below 200)', 150));
    await store.refreshSnapshot(config);
    // Polling is every 300 s here: only the live update can bring it within the wait.
    await page.waitForFunction(() => document.querySelector('.tile[data-pipeline="operators"] .pill')?.textContent === 'CRITICAL', undefined, { timeout: 5_000 });
    assert.equal(await tile(page, 'operators').evaluate((node) => getComputedStyle(node).borderTopColor), RGB.CRITICAL);
    assert.equal(await tile(page, 'operators').locator('.tile-message').textContent(), 'only 150 active operators (critical below 200)');
    assert.equal(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded), true);
    await page.context().close();
  });

  it('runs a check now and acknowledges an incident once signed in', async () => {
    const page = await openDashboard({ width: 1280, height: 800 });
    await page.locator('#sign-in').click();
    await page.locator('input[name="username"]').fill(USER);
    await page.locator('input[name="password"]').fill('not the password');
    await page.locator('#sign-in-form button[type="submit"]').click();
    await page.waitForSelector('#sign-in-error:not([hidden])');
    assert.match((await page.locator('#sign-in-error').textContent()) ?? '', /not accepted/);
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.locator('#sign-in-form button[type="submit"]').click();
    await page.waitForSelector('#who:not([hidden])');
    assert.equal(await page.locator('#who').textContent(), `signed in as ${USER}`);

    const operators = tile(page, 'operators');
    await operators.locator('.run').click();
    await page.waitForFunction(() => /Ran at \d\d:\d\d (GMT|BST): OK, checked on request of ops/.test(document.querySelector('.tile[data-pipeline="operators"] .tile-note')?.textContent ?? ''));
    await page.waitForFunction(() => document.querySelector('.tile[data-pipeline="operators"] .pill')?.textContent === 'OK');

    await page.locator(`#incidents li[data-incident="${incident.id}"] button`).click();
    await page.waitForFunction((id) => /acknowledged by ops/.test(document.querySelector(`#incidents li[data-incident="${id}"]`)?.textContent ?? ''), incident.id);
    assert.equal((await store.incidents.get(incident.id))?.acknowledgedBy, 'ops');
    await page.context().close();
    assert.deepEqual(pageProblems.filter((problem) => !problem.includes('401')), [], 'no script errors or CSP violations');
  });

  it('says what to do on a failing pipeline and its open incident', async () => {
    const page = await openDashboard({ width: 1280, height: 800 });
    const action = tile(page, 'first_calls').locator('.tile-action');
    assert.equal(await action.isVisible(), true);
    assert.match((await action.textContent()) ?? '', /^What to do: Check that the first-calls ETL step ran this morning/);
    assert.equal(await tile(page, 'etl_calls').locator('.tile-action').isVisible(), false, 'nothing to do for an OK pipeline');
    assert.match((await page.locator(`#incidents li[data-incident="${incident.id}"]`).textContent()) ?? '', /What to do: Check that the first-calls ETL step/);
    await page.context().close();
  });

  it('opens an incident\'s timeline, with its ticket, from the open incidents; Escape closes it', async () => {
    await store.incidents.addTimeline(incident.id, [
      { at: incident.openedAt, event: 'opened', detail: 'CRITICAL: no first calls recorded today', by: null },
      { at: incident.openedAt, event: 'notified', detail: 'chat critical: sent', by: null },
      { at: incident.openedAt, event: 'recovery', detail: 'failed: exit 3 in 0.4 s\n<b>upstream</b> refused', by: null },
    ]);
    await store.tickets.set(incident.id, { state: 'open', system: 'jira', key: 'DATA-7', url: 'https://jira.example.com/browse/DATA-7', error: null, at: incident.openedAt });
    const page = await openDashboard({ width: 1280, height: 800 });
    const row = page.locator(`#incidents li[data-incident="${incident.id}"]`);
    assert.equal(await row.locator('a.ticket-link').getAttribute('href'), 'https://jira.example.com/browse/DATA-7', 'the row links its ticket');
    await row.locator('.timeline-link').click();
    const dialog = page.locator('#incident-dialog');
    await dialog.waitFor({ state: 'visible' });
    assert.match(page.url(), new RegExp(`#incident/${incident.id}$`));
    assert.match((await page.locator('#incident-title').textContent()) ?? '', /First Calls/);
    const events = await page.locator('#incident-timeline li').evaluateAll((items) => items.map((item) => item.getAttribute('data-event')));
    // In time order: the three seeded at the opening, then the acknowledgement made later.
    assert.deepEqual(events.filter((event) => event !== 'acknowledged'), ['opened', 'notified', 'recovery']);
    // The acknowledgement made on this page earlier is on its timeline too, with who made it.
    assert.ok(events.includes('acknowledged'));
    assert.match((await page.locator('#incident-timeline li[data-event="acknowledged"]').textContent()) ?? '', /by ops/);
    assert.equal(await page.locator('#incident-timeline pre.output').textContent(), '<b>upstream</b> refused', 'output shown as text');
    const link = page.locator('#incident-facts a.ticket-link');
    assert.deepEqual([await link.textContent(), await link.getAttribute('href')], ['DATA-7', 'https://jira.example.com/browse/DATA-7']);
    if (process.env.DATAMON_SCREENSHOTS) await page.screenshot({ path: 'docs/incident-page.png' });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    // The dialog's close event (which takes the address away) comes just after it hides.
    await page.waitForFunction(() => location.hash === '');
    assert.equal(new URL(page.url()).hash, '', 'closing takes the address away');
    await page.context().close();
  });

  it('says so when the last config reload was refused', async () => {
    await store.reloads.record({ id: 'r1', at: new Date().toISOString(), by: 'SIGHUP to all on host:1', ok: false, message: 'monitoring_config.yaml: pipelines[3].kind: unknown pipeline kind "mysql_cont"', added: [], removed: [], changed: [] });
    const page = await openDashboard({ width: 1280, height: 800 });
    const line = page.locator('#reload-problem');
    assert.equal(await line.isVisible(), true);
    assert.match((await line.textContent()) ?? '', /config reload .* was refused; the previous config is still running: monitoring_config\.yaml: pipelines\[3\]\.kind/);
    await store.reloads.record({ id: 'r2', at: new Date().toISOString(), by: 'ops', ok: true, message: 'nothing changed', added: [], removed: [], changed: [] });
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    assert.equal(await line.isVisible(), false);
    await page.context().close();
  });

  it('marks a pipeline failing under a CRITICAL ETL as blocked by it, and draws the dependencies', async () => {
    const page = await openDashboard({ width: 1280, height: 800 });
    assert.equal(await page.locator('#dependencies-panel').isVisible(), true);
    assert.equal(await page.locator('#dependencies > li[data-pipeline="etl_calls"] > ul > li').count(), 2, 'First Calls and Call Volume under the ETL');
    assert.match((await tile(page, 'etl_calls').locator('.tile-deps').textContent()) ?? '', /^Feeds First Calls, Call Volume$/);
    assert.match((await tile(page, 'first_calls').locator('.tile-deps').textContent()) ?? '', /^Depends on ETL Calls$/);
    assert.doesNotMatch((await tile(page, 'first_calls').locator('.badges').textContent()) ?? '', /blocked/, 'the ETL is OK');

    await store.results.record(checkResult('etl_calls', 'CRITICAL', new Date(), 'newest FactCalls.call_start is 30.0 h old (critical over 24 h)', 30));
    await store.refreshSnapshot(config);
    await page.waitForFunction(() => /blocked by ETL Calls/.test(document.querySelector('.tile[data-pipeline="first_calls"] .badges')?.textContent ?? ''), undefined, { timeout: 5_000 });
    assert.match((await page.locator('#dependencies li[data-pipeline="first_calls"]').textContent()) ?? '', /First Calls\s*blocked by ETL Calls/);

    await store.results.record(checkResult('etl_calls', 'OK', new Date(Date.now() + 1_000), 'newest FactCalls.call_start is 0.2 h old', 0.2));
    await store.refreshSnapshot(config);
    await page.waitForFunction(() => !/blocked/.test(document.querySelector('.tile[data-pipeline="first_calls"] .badges')?.textContent ?? 'blocked'), undefined, { timeout: 5_000 });
    await page.context().close();
  });

  it('shows every time in the monitor\'s zone, labelled, to a browser in New York, with the full date on hover', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'America/New_York' });
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    const londonZone = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', timeZoneName: 'short' }).formatToParts(new Date()).find((part) => part.type === 'timeZoneName')?.value ?? '';
    const checked = tile(page, 'etl_calls').locator('.fact-checked');
    assert.match((await checked.textContent()) ?? '', new RegExp(`^\\d\\d:\\d\\d ${londonZone}$`));
    assert.match((await checked.getAttribute('title')) ?? '', /\d{4} at \d\d:\d\d:\d\d (GMT|BST)/);
    assert.match((await page.locator('#banner-updated').textContent()) ?? '', new RegExp(`\\d\\d:\\d\\d:\\d\\d ${londonZone}$`));
    await context.close();
  });

  it('shows a red "not checking" banner while the check workers are gone, and takes it away when they are back', async () => {
    await beatAll(new Date(Date.now() - 5 * 60_000), ['scheduler', 'alerts']);
    await beatAll(new Date(), ['checks']);
    const page = await openDashboard({ width: 1280, height: 800 });
    await page.waitForSelector('#watch:not([hidden])');
    assert.match((await page.locator('#watch-title').textContent()) ?? '', /^Monitor not checking since \d\d:\d\d (GMT|BST): check workers down\?$/);
    assert.equal(await page.locator('#watch').evaluate((node) => getComputedStyle(node).backgroundColor), RGB.CRITICAL);
    if (process.env.DATAMON_SCREENSHOTS) await page.screenshot({ path: 'docs/dashboard-not-checking.png' });
    await beatAll(new Date());
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await page.waitForSelector('#watch', { state: 'hidden' });
    await page.context().close();
  });

  it('opens Bull Board behind basic auth, with the queues listed and no CSP violation', async () => {
    const anonymous = await browser.newContext();
    // A page navigation without credentials ends in a browser error, so the request API asks.
    const refused = await anonymous.request.get(`${server.url}/admin/queues`);
    assert.equal(refused.status(), 401);
    assert.match(refused.headers()['www-authenticate'] ?? '', /^Basic realm="datamon"/);
    await anonymous.close();

    const context = await browser.newContext({ httpCredentials: { username: USER, password: PASSWORD } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused/.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    const response = await page.goto(`${server.url}/admin/queues`);
    assert.equal(response?.status(), 200);
    for (const queue of Object.values(QUEUE_NAMES)) await page.getByText(queue, { exact: true }).first().waitFor({ timeout: 10_000 });
    assert.deepEqual(problems.filter((problem) => !/fonts\.googleapis/.test(problem)), []);
    await context.close();
  });
});
