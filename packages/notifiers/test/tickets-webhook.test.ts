import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createHttpClient } from '@datamon/io';
import { createWebhookTracker, type TicketSettings, type TicketTracker } from '../src/tickets/index.ts';
import { incident } from './helpers/fixtures.ts';
import { ticketEvent, ticketFailure } from './helpers/tickets.ts';
import { LocalHttpServer } from './helpers/local-server.ts';

const SECRET = 'whsec-datamon-Kd93';
const INCIDENT_ID = 'etl_calls-1774852260000';

interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as it arrived, before any parsing. */
  raw: Buffer;
}

/**
 * A node:http server on 127.0.0.1 playing a webhook receiver: records each delivery's raw bytes
 * and headers, and answers the statuses it is given (one per request, then 200).
 */
class FakeReceiver extends LocalHttpServer {
  readonly deliveries: Delivery[] = [];
  answers: { status: number; headers?: Record<string, string>; body?: string }[] = [];

  /** The receiver's URL, with an access key in its query as some receivers want. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/datamon?key=receiver-key-77`;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.deliveries.push({ path: new URL(req.url ?? '/', 'http://127.0.0.1').pathname, headers: req.headers, raw: Buffer.concat(chunks) });
    const answer = this.answers.shift() ?? { status: 200 };
    res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers }).end(answer.body ?? 'ok');
  }
}

/** What a receiver does: recompute the HMAC over the raw bytes and compare in constant time. */
function verifies(delivery: Delivery, secret: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(delivery.raw).digest('hex')}`);
  const given = Buffer.from(String(delivery.headers['x-datamon-signature'] ?? ''));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function settings(receiver: FakeReceiver, overrides: Partial<TicketSettings> = {}): TicketSettings {
  return { kind: 'webhook', url: receiver.url, project: '', user: '', token: SECRET, when: 'critical', done_transition: 'Done', zone: 'Europe/London', ...overrides };
}

describe('the ticket webhook, against a local receiver', () => {
  const receiver = new FakeReceiver();
  let tracker: TicketTracker;

  before(async () => {
    await receiver.start();
    tracker = createWebhookTracker(settings(receiver), createHttpClient({ timeoutMs: 2000 }));
  });
  after(() => receiver.stop());
  beforeEach(() => {
    receiver.deliveries.length = 0;
    receiver.answers = [];
  });

  describe('when an incident opens', () => {
    it('POSTs the event as JSON with its event, delivery id and a signature the receiver verifies over the raw body', async () => {
      const ref = await tracker.open(ticketEvent('opened'));
      assert.equal(ref, null);
      const [delivery] = receiver.deliveries;
      assert.ok(delivery);
      assert.equal(delivery.path, '/hooks/datamon');
      assert.match(delivery.headers['content-type'] ?? '', /^application\/json/);
      assert.equal(delivery.headers['x-datamon-event'], 'opened');
      assert.equal(delivery.headers['x-datamon-delivery'], `${INCIDENT_ID}:opened:1`);
      assert.match(String(delivery.headers['x-datamon-signature']), /^sha256=[0-9a-f]{64}$/);
      assert.ok(verifies(delivery, SECRET), 'the signature verifies with the shared secret');
      assert.ok(!verifies(delivery, 'another-secret'), 'and not with another one');
    });

    it('sends the event, the whole incident with its id, the pipeline, the dashboard link and who acted', async () => {
      await tracker.open(ticketEvent('opened'));
      const body = JSON.parse(receiver.deliveries[0]?.raw.toString('utf8') ?? '{}') as Record<string, unknown>;
      assert.deepEqual(Object.keys(body), ['event', 'incident', 'pipeline', 'dashboardUrl', 'by']);
      assert.equal(body.event, 'opened');
      assert.deepEqual(body.incident, incident());
      assert.equal((body.incident as { id: string }).id, INCIDENT_ID);
      assert.deepEqual(body.pipeline, { id: 'etl_calls', name: 'ETL Calls', kind: 'sql_freshness', action: 'Check the FactCalls load job, then re-run it.' });
      assert.equal(body.dashboardUrl, 'https://datamon.example.com/');
      assert.equal(body.by, null);
    });

    it('signs non-ASCII text byte for byte as it is sent', async () => {
      await tracker.open(ticketEvent('opened', { pipeline: { id: 'etl_calls', name: 'Appels – Zürich ✓', kind: null, action: 'Relancer le job' } }));
      const [delivery] = receiver.deliveries;
      assert.ok(delivery && verifies(delivery, SECRET));
      assert.match(delivery.raw.toString('utf8'), /Appels – Zürich ✓/);
    });
  });

  describe('when the receiver fails and the event is retried', () => {
    it('fails transient on 503, and the retry carries the same delivery id, body and signature', async () => {
      receiver.answers = [{ status: 503 }];
      const escalated = ticketEvent('escalated', { incident: incident({ escalations: 1, lastEscalatedAt: '2026-03-30T07:36:00.000Z' }) });
      const err = await ticketFailure(tracker.comment(null, escalated));
      assert.equal(err.permanent, false);
      assert.equal(err.statusCode, 503);
      await tracker.comment(null, escalated);
      const [first, retry] = receiver.deliveries;
      assert.ok(first && retry);
      assert.equal(retry.headers['x-datamon-delivery'], first.headers['x-datamon-delivery']);
      assert.equal(retry.headers['x-datamon-event'], 'escalated');
      assert.ok(retry.raw.equals(first.raw));
      assert.equal(retry.headers['x-datamon-signature'], first.headers['x-datamon-signature']);
    });

    it('fails transient on 429, with the wait Retry-After asked for', async () => {
      receiver.answers = [{ status: 429, headers: { 'retry-after': '12' } }];
      const err = await ticketFailure(tracker.open(ticketEvent('opened')));
      assert.equal(err.permanent, false);
      assert.equal(err.retryAfterMs, 12_000);
      assert.equal(err.tracker, 'webhook');
    });
  });

  describe('when the receiver refuses', () => {
    it('fails permanent on 401 and 404, without the secret or the URL query in the message', async () => {
      for (const status of [401, 404]) {
        receiver.answers = [{ status, body: `bad signature, expected secret ${SECRET}` }];
        const err = await ticketFailure(tracker.open(ticketEvent('opened')));
        assert.equal(err.permanent, true, `HTTP ${status}`);
        assert.ok(!err.message.includes(SECRET), `the secret leaked into: ${err.message}`);
        assert.ok(!err.message.includes('receiver-key-77'), `the URL query leaked into: ${err.message}`);
        assert.match(err.message, /\/hooks\/datamon\?\[redacted\]/);
      }
    });

    it('fails permanent on a redirect, which it does not follow', async () => {
      receiver.answers = [{ status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } }];
      const err = await ticketFailure(tracker.open(ticketEvent('opened')));
      assert.equal(err.permanent, true);
      assert.equal(receiver.deliveries.length, 1);
    });
  });

  describe('for the rest of the incident', () => {
    it('posts acknowledged (with who) and resolved events, and finds no ticket without asking', async () => {
      assert.equal(await tracker.find(INCIDENT_ID), null);
      await tracker.comment(null, ticketEvent('acknowledged', { by: 'ana' }));
      await tracker.close(null, ticketEvent('resolved', { incident: incident({ closedAt: '2026-03-30T11:14:00.000Z', resolution: 'fresh again' }) }));
      assert.deepEqual(receiver.deliveries.map((delivery) => delivery.headers['x-datamon-event']), ['acknowledged', 'resolved']);
      const acknowledged = JSON.parse(receiver.deliveries[0]?.raw.toString('utf8') ?? '{}') as { by: string };
      assert.equal(acknowledged.by, 'ana');
      const resolved = JSON.parse(receiver.deliveries[1]?.raw.toString('utf8') ?? '{}') as { incident: { resolution: string } };
      assert.equal(resolved.incident.resolution, 'fresh again');
      assert.ok(receiver.deliveries.every((delivery) => verifies(delivery, SECRET)));
    });
  });

  describe('when the webhook has no secret', () => {
    it('fails permanent and sends nothing unsigned', async () => {
      const unsigned = createWebhookTracker(settings(receiver, { token: '' }), createHttpClient({ timeoutMs: 2000 }));
      const err = await ticketFailure(unsigned.open(ticketEvent('opened')));
      assert.equal(err.permanent, true);
      assert.match(err.message, /tickets\.token: required/);
      assert.equal(receiver.deliveries.length, 0);
    });
  });
});
