/**
 * What a notification carries, rendered and ready to send: the contract between the renderers
 * (`@datamon/notifiers`) and the delivery jobs (`@datamon/jobs`).
 */

export interface ChatPayload {
  type: 'chat';
  /** Google Chat `thread.threadKey`; the incident id, or null for check-in and summary cards. */
  threadKey: string | null;
  body: Record<string, unknown>;
}

export interface EmailPayload {
  type: 'email';
  subject: string;
  html: string;
  text: string;
}
