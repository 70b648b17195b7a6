import type { NotificationChannel } from '@datamon/core';

/**
 * A message that could not be delivered, saying whether retrying can help. The delivery worker
 * retries a transient one with backoff (waiting at least `retryAfterMs` when the server said so)
 * and records a permanent one as failed at once. Its message never carries a secret (webhook
 * key or token, SMTP password).
 */
export class DeliveryError extends Error {
  readonly channel: NotificationChannel;
  /** true: retrying will not help (bad webhook, 4xx, SMTP 5xx, authentication refused). */
  readonly permanent: boolean;
  /** How long the server asked us to wait (Retry-After), when it did. */
  readonly retryAfterMs: number | null;
  /** The HTTP status, or the SMTP reply code, when there was one. */
  readonly statusCode: number | null;
  /** Email recipients the server refused. */
  readonly rejectedRecipients: string[];

  constructor(
    channel: NotificationChannel,
    message: string,
    options: { permanent: boolean; retryAfterMs?: number | null; statusCode?: number | null; rejectedRecipients?: string[]; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeliveryError';
    this.channel = channel;
    this.permanent = options.permanent;
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.statusCode = options.statusCode ?? null;
    this.rejectedRecipients = options.rejectedRecipients ?? [];
  }
}

/** Removes each secret from a text (servers sometimes echo what they were sent). */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let scrubbed = text;
  for (const secret of secrets) {
    if (secret.length >= 4) scrubbed = scrubbed.split(secret).join('[redacted]');
  }
  return scrubbed;
}
