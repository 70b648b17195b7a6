import type { ChatPayload, EmailPayload, IncidentNotification, TicketRef } from '@datamon/core';
import { renderAlertCard, renderAlertEmail } from './alert.ts';
import type { RenderConfig } from './context.ts';

/**
 * The payload for one notification decided by the incident rule: its card for `chat`, its email
 * for `email`. What the alert worker enqueues as the delivery job's payload.
 *
 * @param ticket - the incident's ticket once it has one (shown with its link)
 */
export function renderIncidentNotification(notification: IncidentNotification, config: RenderConfig, ticket: TicketRef | null = null): ChatPayload | EmailPayload {
  const message = { ...notification, ticket };
  return notification.channel === 'chat' ? renderAlertCard(message, config) : renderAlertEmail(message, config);
}
