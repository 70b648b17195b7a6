import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { DatamonConfig } from '@datamon/core';
import { createEmailNotifier, DeliveryError, renderAlertEmail, renderTestEmail, type Notifier } from '../src/index.ts';
import { testConfig } from './helpers/config.ts';
import { closedPort, FakeSmtp, silentServer, smtpError } from './helpers/fake-smtp.ts';
import { notification } from './helpers/fixtures.ts';
import { failureOf } from './helpers/failure.ts';

const PASSWORD = 'sup3r-secret-pw';
const FAST = { connectionMs: 1500, greetingMs: 1500, socketMs: 3000 };

function emailConfig(port: number, email: Record<string, unknown> = {}): DatamonConfig {
  return testConfig({ email: { smtp_server: '127.0.0.1', smtp_port: port, ...email } });
}

const failure = (promise: Promise<unknown>): Promise<DeliveryError> => failureOf(promise, DeliveryError);

const alertEmail = () => renderAlertEmail(notification({ channel: 'email' }), testConfig());
const opened: Notifier[] = [];
function notifierFor(config: DatamonConfig): Notifier {
  const notifier = createEmailNotifier(config, { smtpTimeouts: FAST });
  opened.push(notifier);
  return notifier;
}
after(async () => {
  await Promise.all(opened.map((notifier) => notifier.close()));
});

describe('the email notifier, against a local SMTP server', () => {
  describe('when the server accepts the message', () => {
    it('delivers one message with the subject, an HTML part and a plain-text part, to every recipient', async () => {
      const smtp = await new FakeSmtp().start();
      try {
        const notifier = notifierFor(emailConfig(smtp.port, { recipients: ['ops@example.com', 'lead@example.com'] }));
        const result = await notifier.send(alertEmail());
        assert.equal(result.outcome, 'sent');
        assert.deepEqual(result.accepted, ['ops@example.com', 'lead@example.com']);
        assert.deepEqual(result.rejected, []);
        assert.equal(smtp.mails.length, 1);
        const [mail] = smtp.mails;
        assert.equal(mail?.from, 'monitor@example.com');
        assert.deepEqual(mail?.to, ['ops@example.com', 'lead@example.com']);
        assert.match(mail?.raw ?? '', /^Subject: \[datamon\] CRITICAL: ETL Calls$/m);
        assert.match(mail?.raw ?? '', /multipart\/alternative/);
        assert.match(mail?.raw ?? '', /Content-Type: text\/plain/);
        assert.match(mail?.raw ?? '', /Content-Type: text\/html/);
        assert.equal(mail?.user, null, 'no password set: no login');
      } finally {
        await smtp.stop();
      }
    });
  });

  describe('when the server requires a login', () => {
    let logins = 0;
    const server = () =>
      new FakeSmtp({
        authOptional: false,
        onAuth: (auth, _session, callback) => {
          logins += 1;
          return auth.username === 'monitor@example.com' && auth.password === PASSWORD
            ? callback(null, { user: auth.username })
            : callback(smtpError(535, 'Authentication credentials invalid'));
        },
      }).start();

    it('never sends the password in clear text: a server without STARTTLS is refused, with how to fix it', async () => {
      const smtp = await server();
      try {
        logins = 0;
        const err = await failure(notifierFor(emailConfig(smtp.port, { password: PASSWORD })).send(alertEmail()));
        assert.equal(err.permanent, true);
        assert.match(err.message, /offers no STARTTLS, so the password was not sent .*email\.secure: true .*email\.allow_plaintext_auth: true/);
        assert.equal(logins, 0, 'the server never saw a login');
        assert.ok(!err.message.includes(PASSWORD));
        assert.equal(smtp.mails.length, 0);
      } finally {
        await smtp.stop();
      }
    });

    it('logs in as email.user (the sender by default) with email.password, in clear text only when allowed (a local relay)', async () => {
      const smtp = await server();
      try {
        const result = await notifierFor(emailConfig(smtp.port, { password: PASSWORD, allow_plaintext_auth: true })).send(alertEmail());
        assert.equal(result.outcome, 'sent');
        assert.equal(smtp.mails[0]?.user, 'monitor@example.com');
      } finally {
        await smtp.stop();
      }
    });
    it('fails permanent on a refused login (535), says what to check and never shows the password', async () => {
      const smtp = await server();
      try {
        const err = await failure(notifierFor(emailConfig(smtp.port, { password: 'wrong-password', allow_plaintext_auth: true })).send(alertEmail()));
        assert.equal(err.permanent, true);
        assert.equal(err.statusCode, 535);
        assert.match(err.message, /email\.user and email\.password/);
        assert.ok(!err.message.includes('wrong-password'));
        assert.equal(smtp.mails.length, 0);
      } finally {
        await smtp.stop();
      }
    });
  });

  describe('when the server answers 451 (try again later)', () => {
    it('fails transient with the reply code', async () => {
      const smtp = await new FakeSmtp({ onMailFrom: (_address, _session, callback) => callback(smtpError(451, 'Try again later')) }).start();
      try {
        const err = await failure(notifierFor(emailConfig(smtp.port)).send(alertEmail()));
        assert.equal(err.permanent, false);
        assert.equal(err.statusCode, 451);
        assert.match(err.message, /451/);
      } finally {
        await smtp.stop();
      }
    });
  });

  describe('when the server answers 554 to the message', () => {
    it('fails permanent', async () => {
      const smtp = await new FakeSmtp({ onMailFrom: (_address, _session, callback) => callback(smtpError(554, 'Sender refused')) }).start();
      try {
        const err = await failure(notifierFor(emailConfig(smtp.port)).send(alertEmail()));
        assert.equal(err.permanent, true);
        assert.equal(err.statusCode, 554);
      } finally {
        await smtp.stop();
      }
    });
  });

  describe('when the server refuses one recipient with 550', () => {
    const server = () =>
      new FakeSmtp({
        onRcptTo: (address, _session, callback) =>
          address.address.startsWith('gone@') ? callback(smtpError(550, 'No such user here')) : callback(),
      }).start();

    it('sends to the others and reports the refused one with the reason', async () => {
      const smtp = await server();
      try {
        const result = await notifierFor(emailConfig(smtp.port, { recipients: ['ops@example.com', 'gone@example.com'] })).send(alertEmail());
        assert.equal(result.outcome, 'sent');
        assert.deepEqual(result.accepted, ['ops@example.com']);
        assert.deepEqual(result.rejected, ['gone@example.com']);
        assert.match(result.detail, /refused: gone@example\.com \(550 No such user here\)/);
        assert.deepEqual(smtp.mails[0]?.to, ['ops@example.com']);
      } finally {
        await smtp.stop();
      }
    });
    it('fails permanent, naming them, when every recipient is refused', async () => {
      const smtp = await server();
      try {
        const err = await failure(notifierFor(emailConfig(smtp.port, { recipients: ['gone@example.com'] })).send(alertEmail()));
        assert.equal(err.permanent, true);
        assert.deepEqual(err.rejectedRecipients, ['gone@example.com']);
        assert.match(err.message, /gone@example\.com/);
        assert.equal(smtp.mails.length, 0);
      } finally {
        await smtp.stop();
      }
    });
  });

  describe('when the server is down, then comes back', () => {
    it('fails transient while the port is closed, then delivers once it listens', async () => {
      const port = await closedPort();
      const notifier = notifierFor(emailConfig(port));
      const err = await failure(notifier.send(alertEmail()));
      assert.equal(err.permanent, false);
      assert.equal(err.statusCode, null);
      assert.match(err.message, /ECONNREFUSED|ESOCKET/);
      const smtp = await new FakeSmtp().start(port);
      try {
        const result = await notifier.send(alertEmail());
        assert.equal(result.outcome, 'sent');
        assert.equal(smtp.mails.length, 1);
      } finally {
        await smtp.stop();
      }
    });
  });

  describe('when the server accepts the connection but never greets', () => {
    it('gives up after the greeting timeout (seconds, not minutes) and fails transient', async () => {
      const silent = await silentServer();
      try {
        const started = Date.now();
        const err = await failure(notifierFor(emailConfig(silent.port)).send(alertEmail()));
        assert.ok(Date.now() - started < 5000);
        assert.equal(err.permanent, false);
        assert.match(err.message, /ETIMEDOUT|Greeting/i);
      } finally {
        await silent.stop();
      }
    });
  });

  describe('when email is disabled or not configured', () => {
    it('skips and says why, for each missing piece', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ enabled: false }, 'email.enabled is false'],
        [{ smtp_server: '' }, 'email.smtp_server is not set'],
        [{ recipients: [] }, 'email.recipients is empty'],
      ];
      for (const [email, reason] of cases) {
        const notifier = notifierFor(testConfig({ email }));
        assert.equal(notifier.disabledReason, reason);
        const result = await notifier.send(renderTestEmail(testConfig(), new Date()));
        assert.deepEqual([result.outcome, result.detail], ['skipped', reason]);
      }
    });
  });

  it('refuses a chat payload, permanently', async () => {
    const err = await failure(notifierFor(emailConfig(25)).send({ type: 'chat', threadKey: null, body: {} }));
    assert.equal(err.permanent, true);
  });
});
