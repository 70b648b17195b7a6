import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { createHttpClient, createLogger } from '@datamon/io';
import { createGoogleChatNotifier, DeliveryError, renderAlertCard, renderTestCard, type Notifier } from '../src/index.ts';
import { testConfig } from './helpers/config.ts';
import { FakeGoogleChat } from './helpers/fake-chat.ts';
import { notification } from './helpers/fixtures.ts';
import { failureOf } from './helpers/failure.ts';

const SECRETS = ['KEY123', 'TOKEN456', 'TOKEN456%3D', 'TOKEN456='];

function assertNoSecret(text: string) {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `"${secret}" leaked into: ${text}`);
}

const failure = (promise: Promise<unknown>): Promise<DeliveryError> => failureOf(promise, DeliveryError);

describe('the Google Chat notifier, against a local webhook', () => {
  const chat = new FakeGoogleChat();
  const logLines: string[] = [];
  let notifier: Notifier;
  const config = () => testConfig({ google_chat: { webhook_url: chat.webhookUrl(), enabled: true } });
  const alert = () => renderAlertCard(notification(), config());

  before(async () => {
    await chat.start();
    const logger = createLogger({
      role: 'test',
      level: 'debug',
      destination: new Writable({ write: (chunk, _encoding, done) => (logLines.push(String(chunk)), done()) }),
    });
    notifier = createGoogleChatNotifier(config(), { http: createHttpClient({ timeoutMs: 400 }), logger });
  });
  after(async () => {
    await notifier.close();
    await chat.stop();
  });
  beforeEach(() => {
    chat.requests.length = 0;
    chat.behaviour = { kind: 'ok' };
  });

  describe('when a card of an incident is sent', () => {
    it('POSTs the cardsV2 body as JSON to the webhook, with its key and token and the reply option', async () => {
      const result = await notifier.send(alert());
      assert.equal(result.outcome, 'sent');
      const [request] = chat.requests;
      assert.ok(request);
      assert.equal(request.method, 'POST');
      assert.equal(request.path, '/v1/spaces/AAAA/messages');
      assert.match(request.contentType ?? '', /application\/json/);
      assert.equal(request.query.get('key'), 'KEY123');
      assert.equal(request.query.get('token'), 'TOKEN456=');
      assert.equal(request.query.get('messageReplyOption'), 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
      assert.deepEqual(request.body.thread, { threadKey: 'etl_calls-1774852260000' });
      assert.ok(Array.isArray(request.body.cardsV2));
    });
    it('says where it went without the webhook query', async () => {
      const result = await notifier.send(alert());
      assert.match(result.detail, /127\.0\.0\.1:\d+\/v1\/spaces\/AAAA\/messages\?\[redacted\]/);
      assertNoSecret(result.detail);
    });
  });

  describe('when a card without a thread is sent (check-in, summary, test)', () => {
    it('adds no reply option and no thread', async () => {
      await notifier.send(renderTestCard(config(), new Date('2026-03-30T10:45:00Z')));
      const [request] = chat.requests;
      assert.equal(request?.query.get('messageReplyOption'), null);
      assert.equal(request?.body.thread, undefined);
    });
  });

  describe('when Google Chat answers 429 with Retry-After', () => {
    it('fails transient, with the wait it asked for', async () => {
      chat.behaviour = { kind: 'status', status: 429, headers: { 'retry-after': '7' }, body: '{"error":{"code":429}}' };
      const err = await failure(notifier.send(alert()));
      assert.equal(err.permanent, false);
      assert.equal(err.statusCode, 429);
      assert.equal(err.retryAfterMs, 7000);
      assert.equal(err.channel, 'chat');
      assertNoSecret(err.message);
    });
    it('reads a Retry-After given as a date', async () => {
      const now = new Date('2026-03-30T10:00:00Z');
      const dated = createGoogleChatNotifier(config(), { http: createHttpClient({ timeoutMs: 400 }), now: () => now });
      chat.behaviour = { kind: 'status', status: 429, headers: { 'retry-after': 'Mon, 30 Mar 2026 10:00:30 GMT' } };
      const err = await failure(dated.send(alert()));
      assert.equal(err.retryAfterMs, 30_000);
    });
  });

  describe('when Google Chat answers 500 or 503', () => {
    it('fails transient', async () => {
      for (const status of [500, 503]) {
        chat.behaviour = { kind: 'status', status };
        const err = await failure(notifier.send(alert()));
        assert.equal(err.permanent, false, `HTTP ${status}`);
        assert.equal(err.statusCode, status);
        assert.equal(err.retryAfterMs, null);
      }
    });
  });

  describe('when Google Chat answers 400, 401 or 404', () => {
    it('fails permanent', async () => {
      for (const status of [400, 401, 404]) {
        chat.behaviour = { kind: 'status', status };
        const err = await failure(notifier.send(alert()));
        assert.equal(err.permanent, true, `HTTP ${status}`);
        assert.match(err.message, new RegExp(`HTTP ${status}`));
      }
    });
    it('never repeats the webhook key or token, even when the server echoes them', async () => {
      chat.behaviour = { kind: 'echo-url', status: 400 };
      const err = await failure(notifier.send(alert()));
      assert.equal(err.permanent, true);
      assertNoSecret(err.message);
      assertNoSecret(String(err.stack));
      assert.match(err.message, /Google Chat: HTTP 400/);
    });
  });

  describe('when Google Chat does not answer', () => {
    it('times out and fails transient, without the token', async () => {
      chat.behaviour = { kind: 'hang' };
      const started = Date.now();
      const err = await failure(notifier.send(alert()));
      assert.ok(Date.now() - started < 3000, 'the client timeout applies');
      assert.equal(err.permanent, false);
      assert.equal(err.statusCode, null);
      assertNoSecret(err.message);
    });
  });

  describe('when the webhook answers with a redirect', () => {
    it('does not follow it and fails permanent', async () => {
      chat.behaviour = { kind: 'status', status: 302, headers: { location: 'http://127.0.0.1:9/elsewhere' } };
      const err = await failure(notifier.send(alert()));
      assert.equal(err.permanent, true);
      assert.equal(chat.requests.length, 1);
      assertNoSecret(err.message);
    });
  });

  describe('when Google Chat is disabled or has no webhook', () => {
    it('skips, says why and sends nothing', async () => {
      const disabled = createGoogleChatNotifier(testConfig({ google_chat: { webhook_url: chat.webhookUrl(), enabled: false } }));
      const result = await disabled.send(alert());
      assert.deepEqual([result.outcome, result.detail], ['skipped', 'google_chat.enabled is false']);
      const empty = createGoogleChatNotifier(testConfig({ google_chat: { webhook_url: '', enabled: true } }));
      assert.equal((await empty.send(alert())).outcome, 'skipped');
      assert.equal(empty.disabledReason, 'google_chat.webhook_url is not set');
      assert.equal(chat.requests.length, 0);
    });
  });

  describe('when it is misused or misconfigured', () => {
    it('refuses an email payload, permanently', async () => {
      const err = await failure(notifier.send({ type: 'email', subject: 's', html: 'h', text: 't' }));
      assert.equal(err.permanent, true);
    });
    it('fails permanent on a webhook that is not a URL, without quoting it', async () => {
      const broken = createGoogleChatNotifier(testConfig({ google_chat: { webhook_url: 'not a url?token=TOKEN456', enabled: true } }));
      const err = await failure(broken.send(alert()));
      assert.equal(err.permanent, true);
      assert.equal(err.message, 'google_chat.webhook_url is not a valid URL');
    });
  });

  it('never logged the webhook key or token', () => {
    assert.ok(logLines.length > 0, 'the notifier logged its sends');
    assertNoSecret(logLines.join('\n'));
  });
});
