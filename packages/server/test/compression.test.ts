import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { basic, testApp, type TestApp } from './helpers.ts';

/** What compression (gzip/br for answers of 1 KiB or more) leaves alone, and what it does to the rest. */

const GZIP = { 'accept-encoding': 'gzip' };

describe('with compression registered', () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    t = await testApp(undefined, { now: () => new Date() });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(() => t.cleanup());

  it('sends an answer under 1 KiB as it is', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/meta', headers: GZIP });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-encoding'], undefined);
    assert.equal(response.json().refreshSeconds, 30);
  });

  it('streams Server-Sent Events uncompressed and unbuffered to a client that takes gzip and br', async () => {
    // node:http rather than fetch: it shows the bytes as sent, and asks for exactly these encodings.
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      httpRequest(`${base}/api/events`, { headers: { 'accept-encoding': 'gzip, br' } }, resolve).on('error', reject).end();
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-encoding'], undefined);
    assert.match(String(response.headers['content-type']), /^text\/event-stream/);
    const chunks: string[] = [];
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => chunks.push(chunk));
    const arrived = async (text: string) => {
      for (let waited = 0; waited < 2_000 && !chunks.join('').includes(text); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      return chunks.join('').includes(text);
    };
    assert.ok(await arrived('event: hello'), 'the greeting arrives at once, as text');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const snapshot = await t.store.refreshSnapshot(t.config);
    assert.ok(await arrived(`event: snapshot\ndata: ${JSON.stringify({ generatedAt: snapshot.generatedAt })}`), 'each snapshot event arrives as it happens');
    response.destroy();
  });

  it('compresses Bull Board\'s queue list after making it read-only for a write credential', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { ...GZIP, authorization: basic() } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-encoding'], 'gzip');
    const queues = (JSON.parse(gunzipSync(response.rawPayload).toString('utf8')) as { queues: { readOnlyMode: boolean }[] }).queues;
    assert.ok(queues.length >= 4 && queues.every((queue) => queue.readOnlyMode));
  });

  it('serves Bull Board\'s page compressed', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/admin/queues', headers: { ...GZIP, authorization: basic() } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-encoding'], 'gzip');
    assert.match(gunzipSync(response.rawPayload).toString('utf8'), /<html/i);
  });

  it('serves a dashboard file compressed with a weak ETag, and answers 304 to it', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/js/main.js', headers: GZIP });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-encoding'], 'gzip');
    assert.match(String(response.headers.etag), /^W\/"/);
    assert.match(gunzipSync(response.rawPayload).toString('utf8'), /\/api\/status/);
    const again = await t.app.inject({ method: 'GET', url: '/js/main.js', headers: { ...GZIP, 'if-none-match': String(response.headers.etag) } });
    assert.equal(again.statusCode, 304);
  });
});
