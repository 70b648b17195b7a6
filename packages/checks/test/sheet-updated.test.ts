import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createHttpClient } from '@datamon/io';
import { createCheckRunner, type CheckRunner } from '../src/index.ts';
import { type FakeGoogle, startFakeGoogle } from './helpers/fake-google.ts';
import { sheetPipeline } from './helpers/pipelines.ts';
import { testConfig } from './helpers/test-config.ts';

const NOW = new Date('2026-11-27T14:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
let google: FakeGoogle;
let runner: CheckRunner;

function sheetsConfig(overrides: Record<string, unknown> = {}) {
  return testConfig({
    monitoring: { timezone: 'Europe/London' },
    google_sheets: {
      credentials_file: google.credentialsFile,
      api_base_url: google.baseUrl,
      token_url: google.tokenUrl,
      sheets: {
        productivity: { spreadsheet_id: 'sheet-productivity', max_age_minutes: 120 },
        inbound: { spreadsheet_id: 'sheet-inbound', max_age_minutes: 120 },
        gone: { spreadsheet_id: 'sheet-deleted', max_age_minutes: 120 },
        locked: { spreadsheet_id: 'sheet-401', max_age_minutes: 120 },
        slow: { spreadsheet_id: 'sheet-hang', max_age_minutes: 120 },
      },
      ...overrides,
    },
  });
}

before(async () => {
  google = await startFakeGoogle();
  google.sheets.set('sheet-401', { kind: 'status', status: 401 });
  google.sheets.set('sheet-hang', { kind: 'hang' });
  // A short timeout so that the hanging API is given up on quickly.
  runner = createCheckRunner(sheetsConfig(), { http: createHttpClient({ timeoutMs: 500 }) });
});
after(async () => {
  await runner.close();
  await google.close();
});
beforeEach(() => {
  google.tokenStatus = 200;
});

describe('productivity_upload from the Drive modifiedTime', () => {
  it('is OK at exactly 60 minutes and WARNING just after', async () => {
    google.sheets.set('sheet-productivity', { kind: 'ok', modifiedTime: minutesAgo(60) });
    assert.equal((await runner.run(sheetPipeline(), NOW)).status, 'OK');
    google.sheets.set('sheet-productivity', { kind: 'ok', modifiedTime: minutesAgo(60.05) });
    assert.equal((await runner.run(sheetPipeline(), NOW)).status, 'WARNING');
  });
  it('is WARNING at exactly 120 minutes and CRITICAL just after, saying how old', async () => {
    google.sheets.set('sheet-productivity', { kind: 'ok', modifiedTime: minutesAgo(120) });
    assert.equal((await runner.run(sheetPipeline(), NOW)).status, 'WARNING');
    google.sheets.set('sheet-productivity', { kind: 'ok', modifiedTime: minutesAgo(150) });
    const result = await runner.run(sheetPipeline(), NOW);
    assert.equal(result.status, 'CRITICAL');
    assert.equal(result.message, 'sheet productivity last updated 150 min ago, at 11:30 (critical over 120 min)');
    assert.equal(result.value, 150);
    assert.equal(result.details.source, 'drive');
  });
  it('asks Drive for the modifiedTime field only, with a bearer token from the token endpoint', async () => {
    google.sheets.set('sheet-productivity', { kind: 'ok', modifiedTime: minutesAgo(5) });
    google.requests.length = 0;
    await runner.run(sheetPipeline(), NOW);
    assert.deepEqual(google.requests, ['GET /drive/v3/files/sheet-productivity?fields=modifiedTime&supportsAllDrives=true']);
  });
  it('reuses the access token until it expires', async () => {
    google.sheets.set('sheet-productivity', { kind: 'ok', modifiedTime: minutesAgo(5) });
    const before = google.tokenRequests;
    await runner.run(sheetPipeline(), NOW);
    await runner.run(sheetPipeline(), NOW);
    assert.equal(google.tokenRequests, before);
  });
});

describe('inbound_sheet from a timestamp written in a cell', () => {
  it('reads a "YYYY-MM-DD HH:MM" wall-clock in the monitoring zone', async () => {
    google.sheets.set('sheet-inbound', { kind: 'ok', cells: { 'Status!B1': '2026-11-27 13:15' } });
    const result = await runner.run(sheetPipeline({ id: 'inbound_sheet', sheet: 'inbound', range: 'Status!B1' }), NOW);
    assert.equal(result.status, 'OK');
    assert.equal(result.message, 'sheet inbound (Status!B1) last updated 45 min ago, at 13:15 (warning over 60 min)');
    assert.equal(result.details.source, 'cell');
  });
  it('reads an ISO timestamp', async () => {
    google.sheets.set('sheet-inbound', { kind: 'ok', cells: { 'Status!B1': '2026-11-27T11:00:00Z' } });
    assert.equal((await runner.run(sheetPipeline({ sheet: 'inbound', range: 'Status!B1' }), NOW)).status, 'CRITICAL');
  });
  it('reports CRITICAL when the cell is empty or not a timestamp', async () => {
    google.sheets.set('sheet-inbound', { kind: 'ok', cells: { 'Status!B1': 'done' } });
    const text = await runner.run(sheetPipeline({ sheet: 'inbound', range: 'Status!B1' }), NOW);
    assert.equal(text.status, 'CRITICAL');
    assert.match(text.message, /cell Status!B1 of sheet inbound holds "done", not a timestamp/);
    const empty = await runner.run(sheetPipeline({ sheet: 'inbound', range: 'Status!C9' }), NOW);
    assert.equal(empty.status, 'CRITICAL');
    assert.match(empty.message, /cell Status!C9 of sheet inbound is empty/);
  });
});

describe('when Google cannot be read', () => {
  it('reports CRITICAL on a 401, naming the service account, without the token', async () => {
    const result = await runner.run(sheetPipeline({ sheet: 'locked' }), NOW);
    assert.equal(result.status, 'CRITICAL');
    assert.match(result.message, /refused the access token \(HTTP 401\): check the service account datamon-test@/);
    assert.doesNotMatch(JSON.stringify(result), /token-\d/);
  });
  it('reports CRITICAL on a 404, naming the spreadsheet id', async () => {
    const result = await runner.run(sheetPipeline({ sheet: 'gone' }), NOW);
    assert.equal(result.status, 'CRITICAL');
    assert.match(result.message, /spreadsheet sheet-deleted not found \(HTTP 404/);
  });
  it('reports CRITICAL within the timeout when the API hangs', async () => {
    const started = Date.now();
    const result = await runner.run(sheetPipeline({ sheet: 'slow' }), NOW);
    assert.equal(result.status, 'CRITICAL');
    assert.match(result.message, /the Drive API failed: no answer within 500 ms/);
    assert.ok(Date.now() - started < 2000);
  });
  it('reports CRITICAL when the token endpoint refuses the service account', async () => {
    const fresh = createCheckRunner(sheetsConfig(), { http: createHttpClient({ timeoutMs: 500 }) });
    google.tokenStatus = 400;
    const result = await fresh.run(sheetPipeline(), NOW);
    await fresh.close();
    assert.equal(result.status, 'CRITICAL');
    assert.match(result.message, /token endpoint refused service account datamon-test@.* \(HTTP 400 invalid_grant: Invalid JWT Signature\.\)/);
  });
  it('reports CRITICAL when nothing listens at the API address', async () => {
    const fresh = createCheckRunner(sheetsConfig({ token_url: 'http://127.0.0.1:9/token' }), { http: createHttpClient({ timeoutMs: 500 }) });
    const result = await fresh.run(sheetPipeline(), NOW);
    await fresh.close();
    assert.equal(result.status, 'CRITICAL');
    assert.match(result.message, /cannot get a Google access token: cannot reach 127\.0\.0\.1:9 \(ECONNREFUSED\)/);
  });
  it('reports CRITICAL when the credentials file is missing or is not a key, without its content', async () => {
    const missing = createCheckRunner(sheetsConfig({ credentials_file: '/nonexistent/key.json' }));
    const result = await missing.run(sheetPipeline(), NOW);
    assert.match(result.message, /credentials_file \/nonexistent\/key\.json: file not found/);
    const notKey = `${google.credentialsFile}.bad`;
    await writeFile(notKey, JSON.stringify({ private_key: 'SECRET-MATERIAL' }));
    const bad = createCheckRunner(sheetsConfig({ credentials_file: notKey }));
    const badResult = await bad.run(sheetPipeline(), NOW);
    assert.equal(badResult.status, 'CRITICAL');
    assert.match(badResult.message, /has no client_email and private_key/);
    assert.doesNotMatch(JSON.stringify(badResult), /SECRET-MATERIAL/);
  });
  it('reports CRITICAL for a sheet that is not configured', async () => {
    const result = await runner.run(sheetPipeline({ sheet: 'finance' }), NOW);
    assert.equal(result.status, 'CRITICAL');
    assert.equal(result.message, 'sheet "finance" is not configured under google_sheets.sheets');
  });
});
