import type { ChatPayload, DatamonConfig } from '@datamon/core';
import { classifyHttpError, createHttpClient, redactUrl } from '@datamon/io';
import { DeliveryError, scrubSecrets } from '../errors/delivery-error.ts';
import { skipped, type Notifier, type NotifierDeps, type SendResult } from '../notifier.ts';

/** Replies go to the thread of `thread.threadKey`, which Chat creates if it does not exist yet. */
export const REPLY_OPTION = 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD';

/**
 * Google Chat through an incoming webhook (README "Alerts"): POSTs the card to `google_chat.webhook_url`
 * through the one HTTP client (timeout, no redirects, no retries of its own). A 429, a 5xx, a
 * timeout or a network error is transient (Retry-After is passed on); any other 4xx is permanent.
 * The webhook's query (its key and token) is never logged nor put into an error.
 */
export function createGoogleChatNotifier(config: Pick<DatamonConfig, 'google_chat'>, deps: NotifierDeps = {}): Notifier {
  const { webhook_url: webhookUrl, enabled } = config.google_chat;
  const disabledReason = !enabled
    ? 'google_chat.enabled is false'
    : webhookUrl.trim() === ''
      ? 'google_chat.webhook_url is not set'
      : null;
  const http = deps.http ?? createHttpClient();
  const now = deps.now ?? (() => new Date());
  const target = `Google Chat webhook ${redactUrl(webhookUrl)}`;
  const secrets = querySecrets(webhookUrl);

  return {
    channel: 'chat',
    disabledReason,
    target,
    async send(payload): Promise<SendResult> {
      if (payload.type !== 'chat') throw new DeliveryError('chat', `the Google Chat notifier was given a ${payload.type} payload`, { permanent: true });
      if (disabledReason) return skipped('chat', disabledReason);
      const url = postUrl(webhookUrl, payload);
      let status: number;
      try {
        status = (await http.post(url, { json: bodyOf(payload) })).statusCode;
      } catch (err) {
        const classified = classifyHttpError(err, now());
        throw new DeliveryError('chat', `Google Chat: ${scrubSecrets(classified.message, secrets)}`, {
          permanent: classified.permanent,
          retryAfterMs: classified.retryAfterMs,
          statusCode: classified.statusCode,
        });
      }
      if (status >= 300) {
        // Redirects are not followed (the query would travel to wherever they point): a webhook
        // answering one is misconfigured.
        throw new DeliveryError('chat', `Google Chat: HTTP ${status} (a redirect, not followed) from ${redactUrl(webhookUrl)}; check google_chat.webhook_url`, {
          permanent: true,
          statusCode: status,
        });
      }
      deps.logger?.debug({ channel: 'chat', threadKey: payload.threadKey }, 'chat message posted');
      return { channel: 'chat', outcome: 'sent', detail: `posted to ${target}${payload.threadKey ? ` (thread ${payload.threadKey})` : ''}`, accepted: [], rejected: [] };
    },
    async close() {},
  };
}

/** The webhook URL with the reply option when the message belongs to a thread. */
function postUrl(webhookUrl: string, payload: ChatPayload): URL {
  let url: URL;
  try {
    url = new URL(webhookUrl);
  } catch {
    // The URL itself is a secret: say which key is wrong, not what it holds.
    throw new DeliveryError('chat', 'google_chat.webhook_url is not a valid URL', { permanent: true });
  }
  if (payload.threadKey) url.searchParams.set('messageReplyOption', REPLY_OPTION);
  return url;
}

/** The body with `thread.threadKey` matching the payload's threadKey (and none without one). */
function bodyOf(payload: ChatPayload): Record<string, unknown> {
  const { thread: _ignored, ...rest } = payload.body;
  return payload.threadKey ? { ...rest, thread: { threadKey: payload.threadKey } } : rest;
}

/** The webhook's query values (key, token): scrubbed from anything a server echoes back. */
function querySecrets(webhookUrl: string): string[] {
  const query = webhookUrl.includes('?') ? webhookUrl.slice(webhookUrl.indexOf('?') + 1).split('#')[0] ?? '' : '';
  const raw = query.split('&').map((pair) => pair.slice(pair.indexOf('=') + 1)).filter(Boolean);
  // Both as written (tokens often end in %3D) and decoded, whichever a server echoes.
  return [...new Set([...raw, ...[...new URLSearchParams(query).values()]])];
}
