/**
 * @datamon/notifiers: what a message says (pure renderers, `render/`) and how it is delivered
 * (one file per channel in `channels/`, listed in `registry.ts`).
 *
 * The alert worker: `evaluateIncident` (core) -> `renderIncidentNotification` -> enqueue a
 * `deliver` job with jobId = notification id -> the delivery worker calls
 * `notifiers[channel].send(payload)`: `sent` / `skipped`, or a `DeliveryError` (`permanent`:
 * record as failed, else retry with backoff, at least `retryAfterMs`).
 */
export * from './render/index.ts';
export * from './notifier.ts';
export * from './errors/delivery-error.ts';
export * from './registry.ts';
export { createGoogleChatNotifier, REPLY_OPTION } from './channels/google-chat.ts';
export { createEmailNotifier, classifySmtpError } from './channels/email.ts';
