import {
  formatLocal,
  formatLocalTime,
  STATUS_ICON,
  type ChatPayload,
  type EmailPayload,
  type IncidentNotification,
  type IncidentNotificationKind,
  type TicketRef,
} from '@datamon/core';
import { chatCard, decoratedText, paragraph, type Widget } from './chat-card.ts';
import { pipelineFacts, type RenderConfig } from './context.ts';
import { cell, renderEmailHtml, renderEmailText, textCell, type EmailCell, type EmailContent } from './email-html.ts';
import { chatStatus, durationBetween, emailStatus, formatValue, html, plural } from './text.ts';

/**
 * Incident messages (README "Alerts"): critical, warning, escalation and resolved, as a card and an
 * email. Each says what failed, the measured value against its threshold, when it was first
 * detected (local time) and the pipeline's required action. Every card of one incident carries
 * `thread.threadKey` = the incident id.
 */

/** What an incident message needs: exactly what the incident rule decided. */
export type AlertMessage = Pick<IncidentNotification, 'kind' | 'reason' | 'incident' | 'decidedAt' | 'late'> & {
  /** The incident's ticket (README "Tickets and recovery"), once it has one. */
  ticket?: TicketRef | null;
};

const WORD: Readonly<Record<IncidentNotificationKind, string>> = {
  critical: 'CRITICAL',
  warning: 'WARNING',
  escalation: 'ESCALATION',
  resolved: 'RESOLVED',
};

const ICON: Readonly<Record<IncidentNotificationKind, string>> = {
  critical: STATUS_ICON.CRITICAL,
  warning: STATUS_ICON.WARNING,
  escalation: STATUS_ICON.CRITICAL,
  resolved: STATUS_ICON.OK,
};

interface Fact {
  label: string;
  /** Escaped HTML for a card (Chat's subset). */
  chat: string;
  /** Escaped HTML for an email. */
  email: string;
  text: string;
}

function criticalFor(message: AlertMessage): string {
  const { incident, decidedAt } = message;
  return durationBetween(incident.criticalSince ?? incident.openedAt, decidedAt);
}

/** One line under the title: what happened, in words. */
function happening(message: AlertMessage, config: RenderConfig): string {
  const { incident, kind, reason, decidedAt } = message;
  const zone = config.monitoring.timezone;
  const parts: string[] = [];
  switch (kind) {
    case 'critical':
    case 'warning':
      if (reason === 'unblocked' && incident.unblockedFrom) {
        const root = pipelineFacts(config, incident.unblockedFrom).name;
        parts.push(`no longer blocked by ${root}: still failing on its own`);
      }
      parts.push(
        reason === 'worsened'
          ? `worsened from WARNING at ${formatLocalTime(incident.criticalSince ?? decidedAt, zone)}`
          : reason === 'reopened'
            ? `failing again: re-opened ${plural(incident.reopenCount, 'time')}`
            : `incident opened at ${formatLocalTime(incident.openedAt, zone)}`,
      );
      break;
    case 'escalation':
      parts.push(`CRITICAL for ${criticalFor(message)}, not acknowledged`);
      if (reason === 'repeated') parts.push(`reminder ${incident.escalations}`);
      break;
    case 'resolved':
      parts.push(`OK again after ${durationBetween(incident.openedAt, incident.closedAt ?? decidedAt)}, worst ${incident.worstStatus}`);
      break;
  }
  if (message.late) parts.push('held back while the pipeline was silenced, in maintenance or flapping');
  const line = parts.join(' · ');
  return line.charAt(0).toUpperCase() + line.slice(1);
}

function facts(message: AlertMessage, config: RenderConfig): Fact[] {
  const { incident, kind } = message;
  const zone = config.monitoring.timezone;
  const pipeline = pipelineFacts(config, incident.pipelineId, incident.pipelineName);
  const list: Fact[] = [];
  const add = (label: string, chat: string, email: string, text: string) => list.push({ label, chat, email, text });
  const escaped = (label: string, text: string) => add(label, html(text), html(text), text);

  if (kind === 'resolved') {
    add('Status', `${chatStatus('OK')} (was ${chatStatus(incident.worstStatus)})`, `${emailStatus('OK')} (was ${emailStatus(incident.worstStatus)})`, `OK (was ${incident.worstStatus})`);
    if (incident.resolution) escaped('Now', incident.resolution);
    escaped('What failed', incident.message);
  } else {
    add('Status', chatStatus(incident.status), emailStatus(incident.status), incident.status);
    escaped('What failed', incident.message);
  }
  const measured = incident.threshold === null
    ? formatValue(incident.value)
    : `${formatValue(incident.value)} against ${incident.threshold}`;
  escaped('Measured', measured);
  escaped('First detected', `${formatLocal(incident.openedAt, zone)} (${zone})`);
  if (kind === 'escalation' && incident.criticalSince) {
    escaped('CRITICAL since', `${formatLocal(incident.criticalSince, zone)} (${criticalFor(message)})`);
  }
  if (kind === 'resolved' && incident.closedAt) escaped('Resolved', `${formatLocal(incident.closedAt, zone)} (${zone})`);
  if (incident.acknowledged) {
    const when = incident.acknowledgedAt ? ` at ${formatLocal(incident.acknowledgedAt, zone)}` : '';
    escaped('Acknowledged', `by ${incident.acknowledgedBy ?? 'someone'}${when}`);
  }
  const affected = (incident.affects ?? []).map((id) => pipelineFacts(config, id).name);
  if (affected.length > 0) {
    const note = kind === 'resolved'
      ? 'checked again now; one still failing alerts on its own'
      : `${affected.length === 1 ? 'depends' : 'depend'} on ${incident.pipelineName}; no separate alert`;
    escaped('Also affected', `${affected.join(', ')} (${note})`);
  }
  if (incident.reopenCount > 0) escaped('Flapping', `re-opened ${plural(incident.reopenCount, 'time')} within minutes of closing`);
  escaped('Incident', incident.id);
  if (message.ticket) {
    const link = `<a href="${html(message.ticket.url)}">${html(message.ticket.key)}</a>`;
    add('Ticket', link, link, `${message.ticket.key} ${message.ticket.url}`);
  }
  if (kind !== 'resolved') escaped('Required action', pipeline.action);
  return list;
}

function title(message: AlertMessage): string {
  return `${ICON[message.kind]} ${WORD[message.kind]}: ${message.incident.pipelineName}`;
}

/**
 * The email subject: `[datamon] CRITICAL: ETL Calls`, `[datamon] WARNING: ...`,
 * `[datamon] ESCALATION: ETL Calls CRITICAL for 1 h, not acknowledged`,
 * `[datamon] RESOLVED: ETL Calls (was CRITICAL for 1 h 5 min)`.
 */
export function alertSubject(message: AlertMessage): string {
  const { incident, kind } = message;
  const name = incident.pipelineName;
  switch (kind) {
    case 'escalation':
      return `[datamon] ESCALATION: ${name} CRITICAL for ${criticalFor(message)}, not acknowledged`;
    case 'resolved':
      return `[datamon] RESOLVED: ${name} (was ${incident.worstStatus} for ${durationBetween(incident.openedAt, incident.closedAt ?? message.decidedAt)})`;
    default:
      return `[datamon] ${WORD[kind]}: ${name}`;
  }
}

/** The incident's card; `thread.threadKey` is the incident id. */
export function renderAlertCard(message: AlertMessage, config: RenderConfig): ChatPayload {
  const list = facts(message, config);
  const action = list.find((fact) => fact.label === 'Required action');
  const widgets: Widget[] = list
    .filter((fact) => fact !== action)
    .map((fact) => decoratedText({ topLabel: html(fact.label), text: fact.chat }));
  return chatCard({
    cardId: `alert-${message.incident.id}-${message.kind}`,
    title: title(message),
    subtitle: happening(message, config),
    sections: [{ widgets }, { header: 'Required action', widgets: action ? [paragraph(action.chat)] : [] }],
    dashboardUrl: config.dashboard.public_url,
    threadKey: message.incident.id,
  });
}

/**
 * The incident's email: subject as {@link alertSubject}, the same facts as the card in a table
 * (status, what failed, measured value against threshold, first detected, required action), the
 * dashboard link, and a plain-text part.
 */
export function renderAlertEmail(message: AlertMessage, config: RenderConfig): EmailPayload {
  const list = facts(message, config);
  const rows: EmailCell[][] = list.map((fact) => [textCell(fact.label), cell(fact.email, fact.text)]);
  const { incident } = message;
  const content: EmailContent = {
    heading: title(message),
    paragraphs: [textCell(happening(message, config))],
    tables: [{ columns: ['Pipeline', incident.pipelineName], rows, layout: 'facts' }],
    dashboardUrl: config.dashboard.public_url,
    footer: `Sent by datamon for incident ${incident.id}. Acknowledge it on the dashboard to stop escalations.`,
  };
  return { type: 'email', subject: alertSubject(message), html: renderEmailHtml(content), text: renderEmailText(content) };
}
