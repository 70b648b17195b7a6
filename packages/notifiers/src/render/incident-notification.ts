import type { ChatPayload, EmailPayload, IncidentNotification } from '@datamon/core';
import { renderAlertCard, renderAlertEmail } from './alert.ts';
import type { RenderConfig } from './context.ts';

/**
 * The payload for one notification decided by the incident rule: its card for `chat`, its email
 * for `email`. What the alert worker enqueues as the delivery job's payload.
 */
export function renderIncidentNotification(notification: IncidentNotification, config: RenderConfig): ChatPayload | EmailPayload {
  return notification.channel === 'chat' ? renderAlertCard(notification, config) : renderAlertEmail(notification, config);
}
