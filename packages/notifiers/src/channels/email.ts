import type { DatamonConfig, EmailPayload } from '@datamon/core';
import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { DeliveryError, scrubSecrets } from '../errors/delivery-error.ts';
import { DEFAULT_SMTP_TIMEOUTS, skipped, type Notifier, type NotifierDeps, type SendResult } from '../notifier.ts';

/**
 * Email through SMTP with nodemailer (README "Alerts"): host `email.smtp_server`, port `smtp_port`,
 * TLS from the start when `secure` (port 465) else STARTTLS when offered; login `email.user`
 * (defaults to the sender) when `email.password` is set. A password never crosses the network in
 * clear text: with one set, STARTTLS is required unless `email.allow_plaintext_auth` (a local
 * relay) says otherwise. Time limits are seconds, not
 * nodemailer's minutes, so a dead server fails a delivery quickly and the queue retries it.
 *
 * Classification: an SMTP 5xx reply and a refused login (535 and other EAUTH) are permanent; a
 * 4xx reply and connection, socket, timeout, DNS or TLS failures are transient. A recipient the
 * server refuses while accepting others is reported in the result (`rejected`) and logged: the
 * message went to the others, so it is not re-sent. All recipients refused is a failure.
 */
export function createEmailNotifier(config: Pick<DatamonConfig, 'email'>, deps: NotifierDeps = {}): Notifier {
  const email = config.email;
  const disabledReason = !email.enabled
    ? 'email.enabled is false'
    : email.smtp_server.trim() === ''
      ? 'email.smtp_server is not set'
      : email.recipients.length === 0
        ? 'email.recipients is empty'
        : email.sender.trim() === ''
          ? 'email.sender is not set'
          : null;
  const timeouts = { ...DEFAULT_SMTP_TIMEOUTS, ...deps.smtpTimeouts };
  const target = `SMTP ${email.smtp_server}:${email.smtp_port} to ${email.recipients.join(', ')}`;
  const secrets = [email.password];
  let transport: Promise<Transporter<SMTPTransport.SentMessageInfo, SMTPTransport.Options>> | null = null;

  const requireTLS = Boolean(email.password) && !email.secure && !email.allow_plaintext_auth;

  // nodemailer is loaded with the first message: a process that sends none never loads it.
  async function open() {
    const { default: nodemailer } = await import('nodemailer');
    return nodemailer.createTransport({
      host: email.smtp_server,
      port: email.smtp_port,
      secure: email.secure,
      requireTLS,
      ...(email.password ? { auth: { user: email.user || email.sender, pass: email.password } } : {}),
      connectionTimeout: timeouts.connectionMs,
      greetingTimeout: timeouts.greetingMs,
      socketTimeout: timeouts.socketMs,
    } satisfies SMTPTransport.Options);
  }
  function transporter() {
    transport ??= open().catch((err: unknown) => {
      transport = null;
      throw err;
    });
    return transport;
  }

  return {
    channel: 'email',
    disabledReason,
    target,
    async send(payload): Promise<SendResult> {
      if (payload.type !== 'email') throw new DeliveryError('email', `the email notifier was given a ${payload.type} payload`, { permanent: true });
      if (disabledReason) return skipped('email', disabledReason);
      let info: SMTPTransport.SentMessageInfo;
      try {
        info = await (await transporter()).sendMail(message(email, payload));
      } catch (err) {
        if (requireTLS && isNoStartTls(err)) {
          throw new DeliveryError(
            'email',
            `SMTP ${email.smtp_server}:${email.smtp_port} offers no STARTTLS, so the password was not sent (it would cross the network in clear text): ` +
              'use email.secure: true (port 465) or a server with STARTTLS; for a local relay only, email.allow_plaintext_auth: true',
            { permanent: true },
          );
        }
        throw classifySmtpError(err, secrets);
      }
      const accepted = addresses(info.accepted);
      const rejected = addresses(info.rejected);
      if (accepted.length === 0) {
        // nodemailer reports this as an error; should a server ever answer so, it is still a failure.
        throw new DeliveryError('email', `SMTP: every recipient was refused (${rejected.join(', ')})`, { permanent: true, rejectedRecipients: rejected });
      }
      if (rejected.length > 0) {
        deps.logger?.warn({ channel: 'email', rejected, reasons: rejectionReasons(info) }, 'the SMTP server refused some recipients');
      }
      deps.logger?.debug({ channel: 'email', accepted }, 'email sent');
      const refused = rejected.length > 0 ? `; refused: ${rejected.join(', ')}${reasonSuffix(info)}` : '';
      return {
        channel: 'email',
        outcome: 'sent',
        detail: `sent through SMTP ${email.smtp_server}:${email.smtp_port} to ${accepted.join(', ')}${refused}`,
        accepted,
        rejected,
      };
    },
    async close() {
      const closing = transport;
      transport = null;
      (await closing?.catch(() => null))?.close();
    },
  };
}

/** nodemailer's failure when `requireTLS` meets a server without STARTTLS. */
function isNoStartTls(err: unknown): boolean {
  const fields = (err ?? {}) as SmtpErrorFields;
  return /STARTTLS/i.test(`${fields.message ?? ''} ${fields.response ?? ''}`) || fields.code === 'ETLS';
}

function message(email: DatamonConfig['email'], payload: EmailPayload) {
  return { from: email.sender, to: email.recipients, subject: payload.subject, html: payload.html, text: payload.text };
}

function addresses(list: readonly (string | { address: string })[] | undefined): string[] {
  return (list ?? []).map((entry) => (typeof entry === 'string' ? entry : entry.address));
}

interface SmtpErrorFields {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  rejected?: (string | { address: string })[];
  message?: string;
}

function rejectionReasons(info: SMTPTransport.SentMessageInfo): string[] {
  const errors = (info as { rejectedErrors?: SmtpErrorFields[] }).rejectedErrors ?? [];
  return errors.map((error) => error.response ?? error.message ?? '').filter(Boolean);
}

function reasonSuffix(info: SMTPTransport.SentMessageInfo): string {
  const reasons = rejectionReasons(info);
  return reasons.length > 0 ? ` (${reasons.join('; ')})` : '';
}

/** Codes of failures to reach or talk to the server: another attempt later may well work. */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EPROTOCOL', 'ECONNREFUSED', 'ECONNRESET']);

/**
 * Maps a nodemailer error to a `DeliveryError`. The reply code decides when there is one (5xx
 * permanent, 4xx transient); without one, connection-level failures are transient and the rest
 * (refused login, bad envelope, bad configuration) permanent.
 */
export function classifySmtpError(err: unknown, secrets: readonly string[] = []): DeliveryError {
  const fields = (err ?? {}) as SmtpErrorFields;
  const code = fields.code ?? 'unknown';
  const reply = fields.responseCode;
  let permanent: boolean;
  if (reply !== undefined && reply >= 500) permanent = true;
  else if (reply !== undefined && reply >= 400) permanent = false;
  else permanent = !TRANSIENT_CODES.has(code);

  const rejected = addresses(fields.rejected);
  const said = fields.message ?? String(err);
  const what = fields.response && !said.includes(fields.response) ? `${said} (${fields.response})` : said;
  const hint =
    code === 'EAUTH' || code === 'ENOAUTH'
      ? '; check email.user and email.password'
      : code === 'ETLS'
        ? '; check email.secure (true for port 465, false for 587 or 25)'
        : '';
  const rejectedText = rejected.length > 0 ? `; refused: ${rejected.join(', ')}` : '';
  const text = `SMTP ${reply ?? code}${fields.command ? ` at ${fields.command}` : ''}: ${what}${rejectedText}${hint}`;
  return new DeliveryError('email', scrubSecrets(text, secrets), {
    permanent,
    statusCode: reply ?? null,
    rejectedRecipients: rejected,
  });
}
