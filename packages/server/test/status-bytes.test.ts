import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { StatusSnapshotSchema, type PipelineDefinition, type Status } from '@datamon/core';
import Value from 'typebox/value';
import { NOW, result, seedMorning, testApp, testConfig, type TestApp } from './helpers.ts';

/**
 * `GET /api/status` sends the snapshot's stored bytes as they are, with an ETag of those bytes,
 * a 304 for a client that holds them, and gzip or br for a client that asks.
 */

const status = (t: TestApp, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: '/api/status', headers });

/** The bytes are exactly a StatusSnapshot: valid, and nothing the schema does not describe. */
function assertIsStatusSnapshot(bytes: string): void {
  const parsed: unknown = JSON.parse(bytes);
  assert.ok(Value.Check(StatusSnapshotSchema, parsed), [...Value.Errors(StatusSnapshotSchema, parsed)].map((error) => `${error.instancePath} ${error.message}`).join('; '));
  assert.equal(JSON.stringify(Value.Clean(StatusSnapshotSchema, parsed)), bytes, 'no field beyond the schema');
}

describe('GET /api/status while the snapshot stays the same', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
    await seedMorning(t.store, t.config);
  });
  after(() => t.cleanup());

  it('sends the stored bytes with a strong ETag, the same on every read', async () => {
    const first = await status(t);
    assert.equal(first.statusCode, 200);
    assert.equal(first.body, await t.store.snapshotJson());
    assert.match(String(first.headers.etag), /^"[A-Za-z0-9_-]{43}"$/);
    assert.equal((await status(t)).headers.etag, first.headers.etag);
  });

  it('answers 304 with no body to an If-None-Match that names it, alone, weak, in a list or as *, confirming the tag held', async () => {
    const etag = String((await status(t)).headers.etag);
    for (const [ifNoneMatch, confirmed] of [[etag, etag], [`W/${etag}`, `W/${etag}`], [`"stale", ${etag}`, etag], ['*', etag]] as const) {
      const response = await status(t, { 'if-none-match': ifNoneMatch });
      assert.equal(response.statusCode, 304, ifNoneMatch);
      assert.equal(response.body, '');
      assert.equal(response.headers.etag, confirmed);
      assert.equal(response.headers['cache-control'], 'private, no-cache');
      assert.equal(response.headers.vary, 'accept-encoding');
    }
  });

  it('answers 200 with the bytes to an If-None-Match naming another tag', async () => {
    const response = await status(t, { 'if-none-match': '"another"' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, await t.store.snapshotJson());
  });

  it('sends bytes that are exactly a StatusSnapshot', async () => {
    assertIsStatusSnapshot((await status(t)).body);
  });
});

describe('GET /api/status once a new snapshot is written', () => {
  let t: TestApp;
  before(async () => {
    t = await testApp();
    await seedMorning(t.store, t.config);
  });
  after(() => t.cleanup());

  it('has a new ETag and answers the old one with 200 and the new bytes, even at the same generatedAt', async () => {
    const old = await status(t);
    await t.store.results.record(result('operators', 'CRITICAL', NOW.toISOString(), 'no active operators', 0));
    await t.store.refreshSnapshot(t.config, NOW);
    const response = await status(t, { 'if-none-match': String(old.headers.etag) });
    assert.equal(response.statusCode, 200);
    assert.notEqual(response.headers.etag, old.headers.etag);
    assert.equal(response.body, await t.store.snapshotJson());
    assert.equal(response.json().generatedAt, old.json().generatedAt, 'the tag follows the bytes, not the time');
    assert.equal((await status(t, { 'if-none-match': String(response.headers.etag) })).statusCode, 304);
  });
});

describe('GET /api/status with 1,000 pipelines', () => {
  let t: TestApp;
  let stored: string;
  before(async () => {
    const config = testConfig();
    const defaults = config.pipelines;
    // The defaults, then copies of them: each copy depends on what its original depends on.
    config.pipelines = Array.from({ length: 1_000 }, (_, index): PipelineDefinition => {
      const base = defaults[index % defaults.length] as PipelineDefinition;
      return index < defaults.length ? base : { ...base, id: `${base.id}_${index}`, name: `${base.name} ${index}` };
    });
    t = await testApp(config);
    const statuses: Status[] = ['OK', 'OK', 'WARNING', 'CRITICAL', 'PENDING'];
    await Promise.all(
      config.pipelines.map((pipeline, index) => t.store.results.record(result(pipeline.id, statuses[index % statuses.length] as Status, NOW.toISOString(), `${pipeline.name}: figure ${index}`, index))),
    );
    await t.store.refreshSnapshot(config, NOW);
    stored = (await t.store.snapshotJson()) ?? '';
    assert.ok(stored.length > 100_000, `a large snapshot (${stored.length} bytes)`);
  });
  after(() => t.cleanup());

  it('sends gzip to a client that takes gzip, which decompresses to exactly the stored bytes', async () => {
    const response = await status(t, { 'accept-encoding': 'gzip' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-encoding'], 'gzip');
    assert.equal(response.headers.vary, 'accept-encoding', 'once, not twice');
    assert.ok(response.rawPayload.length < stored.length / 4, `compressed to ${response.rawPayload.length} bytes`);
    assert.equal(gunzipSync(response.rawPayload).toString('utf8'), stored);
  });

  it('sends br to a client that prefers it', async () => {
    const response = await status(t, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(response.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(response.rawPayload).toString('utf8'), stored);
  });

  it('sends the bytes as they are to a client that asks for no encoding', async () => {
    const response = await status(t);
    assert.equal(response.headers['content-encoding'], undefined);
    assert.equal(response.body, stored);
  });

  it('marks the ETag of a compressed answer weak (other bytes), and still answers 304 to it', async () => {
    const plain = String((await status(t)).headers.etag);
    const gzipped = await status(t, { 'accept-encoding': 'gzip' });
    assert.equal(gzipped.headers.etag, `W/${plain}`);
    const again = await status(t, { 'accept-encoding': 'gzip', 'if-none-match': String(gzipped.headers.etag) });
    assert.equal(again.statusCode, 304);
    assert.equal(again.headers.etag, gzipped.headers.etag, 'the tag the client holds');
    assert.equal(again.headers['content-encoding'], undefined);
    assert.equal(again.rawPayload.length, 0);
  });

  it('sends bytes that are exactly a StatusSnapshot', () => {
    assertIsStatusSnapshot(stored);
  });
});
