import { createHmac } from 'node:crypto';
import { createHttpClient } from '@datamon/io';
import type { HttpClient } from '../notifier.ts';
import { assertNoProblems, tokenProblems, urlProblems, type TicketConfig } from './settings.ts';
import { send, type TicketConnection } from './ticket-http.ts';
import type { TicketEvent, TicketSettings, TicketTracker } from './ticket-tracker.ts';

/** Problems of the `tickets` settings for `kind: webhook`: the receiver's URL and the signing secret. */
export function webhookSettingsProblems(settings: TicketConfig): string[] {
  return [
    ...urlProblems(settings, 'webhook', 'the URL events are POSTed to'),
    ...tokenProblems(settings, 'webhook', 'the secret events are signed with'),
  ];
}

/** What the webhook receives for an event (SPEC "Tickets"): the incident as it is stored (its `id` among the rest). */
export function webhookPayload(event: TicketEvent): Record<string, unknown> {
  const { incident, pipeline } = event;
  return {
    event: event.event,
    incident: { ...incident },
    pipeline: { id: pipeline.id, name: pipeline.name, kind: pipeline.kind, action: pipeline.action },
    dashboardUrl: event.dashboardUrl,
    by: event.by ?? null,
  };
}

/**
 * `sha256=<hex HMAC-SHA256 of body with secret>`: what a receiver recomputes over the raw bytes
 * it received, and compares in constant time.
 *
 * @param body - the exact body sent
 * @param secret - `tickets.token`
 */
export function webhookSignature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/**
 * A generic webhook (SPEC "Tickets"): every event is a signed JSON POST to `tickets.url`, with
 * `X-Datamon-Event`, `X-Datamon-Delivery` (the event's delivery id, the same on each retry, so a
 * receiver can drop repeats) and `X-Datamon-Signature`. There is no ticket to refer to: `open`
 * returns null and `find` finds nothing.
 *
 * @param settings - the `tickets` section (kind webhook)
 * @param http - the one outbound HTTP client
 * @param now - the clock, for a Retry-After given as a date
 */
export function createWebhookTracker(settings: TicketSettings, http: HttpClient = createHttpClient(), now: () => Date = () => new Date()): TicketTracker {
  const problems = webhookSettingsProblems(settings);
  // Exactly as configured: an HMAC key is any string, and the receiver holds the same one.
  const secret = settings.token;
  const connection: TicketConnection = {
    tracker: 'webhook',
    system: 'Ticket webhook',
    http,
    now,
    headers: {},
    secrets: [secret, secret.trim()],
    hint: (status) =>
      status === 401 || status === 403
        ? 'the receiver refused it; check that it verifies with the secret in tickets.token'
        : status === 404
          ? 'check tickets.url'
          : null,
  };

  const post = async (event: TicketEvent): Promise<void> => {
    assertNoProblems('webhook', 'Ticket webhook', problems);
    // Serialised once: the signature is over these very bytes, and they are what is sent.
    const body = JSON.stringify(webhookPayload(event));
    await send(connection, {
      method: 'POST',
      url: new URL(settings.url.trim()),
      body,
      headers: {
        'Content-Type': 'application/json',
        'X-Datamon-Event': event.event,
        'X-Datamon-Delivery': event.deliveryId,
        'X-Datamon-Signature': webhookSignature(body, secret),
      },
    });
  };

  return {
    kind: 'webhook',
    async open(event) {
      await post(event);
      return null;
    },
    async find() {
      return null;
    },
    async comment(_ref, event) {
      await post(event);
    },
    async close(_ref, event) {
      await post(event);
    },
  };
}
