import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testApp, type TestApp } from './helpers.ts';

/** Reads SSE events from a stream until `count` named events arrived. */
async function readEvents(reader: ReadableStreamDefaultReader<string>, count: number): Promise<string[]> {
  const names: string[] = [];
  let buffer = '';
  while (names.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = block.split('\n').find((line) => line.startsWith('event: '));
      if (event) names.push(`${event.slice(7)} ${block.split('\n').find((line) => line.startsWith('data: '))?.slice(6) ?? ''}`);
    }
  }
  return names;
}

describe('GET /api/events', () => {
  let t: TestApp;
  let base: string;
  before(async () => {
    t = await testApp(undefined, { now: () => new Date() });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(() => t.cleanup());

  it('streams a snapshot event each time the store rebuilds the snapshot', async () => {
    const response = await fetch(`${base}/api/events`);
    assert.equal(response.status, 200);
    assert.match(String(response.headers.get('content-type')), /^text\/event-stream/);
    assert.ok(response.headers.get('content-security-policy'), 'helmet headers carried onto the raw response');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    assert.deepEqual(await readEvents(reader, 1), ['hello {}']);
    // The subscription is made on the first client; give it a moment before publishing.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const snapshot = await t.store.refreshSnapshot(t.config);
    const [event] = await readEvents(reader, 1);
    assert.equal(event, `snapshot ${JSON.stringify({ generatedAt: snapshot.generatedAt })}`);
    assert.equal(t.app.live.clients, 1);
    await reader.cancel();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(t.app.live.clients, 0, 'a client that leaves is forgotten');
  });

  it('does not hold up close()', async () => {
    const response = await fetch(`${base}/api/events`);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    await readEvents(reader, 1);
    const started = Date.now();
    await t.app.close();
    assert.ok(Date.now() - started < 2_000, 'close ends open streams');
    const { done } = await reader.read();
    assert.equal(done, true);
  });
});
