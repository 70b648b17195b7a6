import type { ChatPayload, DatamonConfig, EmailPayload, NotificationChannel } from '@datamon/core';
import type { HttpClient, Logger } from '@datamon/io';

/** The one outbound HTTP client's type (got, through @datamon/io). */
export type { HttpClient } from '@datamon/io';

/** What a send did, when it did not throw. */
export interface SendResult {
  channel: NotificationChannel;
  /** `skipped`: the channel is disabled or not configured; nothing was attempted. */
  outcome: 'sent' | 'skipped';
  /** One line for people: where it went, or why it was skipped. Never a secret. */
  detail: string;
  /** Email: recipients the server accepted. */
  accepted: string[];
  /** Email: recipients the server refused while accepting others (the message went to those). */
  rejected: string[];
}

/**
 * One delivery channel. `send` resolves with `sent` or `skipped`, or throws a `DeliveryError`
 * (with `permanent` and, when known, `retryAfterMs`).
 */
export interface Notifier {
  readonly channel: NotificationChannel;
  /** Why every send is skipped (disabled or not configured), or null when the channel is ready. */
  readonly disabledReason: string | null;
  /** Where messages go, for people (the webhook without its query, the SMTP host): no secret. */
  readonly target: string;
  send(payload: ChatPayload | EmailPayload): Promise<SendResult>;
  /** Releases connections; the notifier must not be used afterwards. */
  close(): Promise<void>;
}

/** SMTP time limits in milliseconds (nodemailer's own defaults are minutes long). */
export interface SmtpTimeouts {
  connectionMs: number;
  greetingMs: number;
  socketMs: number;
}

export const DEFAULT_SMTP_TIMEOUTS: Readonly<SmtpTimeouts> = { connectionMs: 10_000, greetingMs: 10_000, socketMs: 30_000 };

export interface NotifierDeps {
  logger?: Logger | undefined;
  /** The one outbound HTTP client (`createHttpClient` from @datamon/io); one is made if absent. */
  http?: HttpClient | undefined;
  smtpTimeouts?: Partial<SmtpTimeouts> | undefined;
  /** The clock, for Retry-After given as a date. */
  now?: (() => Date) | undefined;
}

export type NotifierFactory = (config: DatamonConfig, deps: NotifierDeps) => Notifier;

/** The result of a send on a disabled or unconfigured channel. */
export function skipped(channel: NotificationChannel, reason: string): SendResult {
  return { channel, outcome: 'skipped', detail: reason, accepted: [], rejected: [] };
}
