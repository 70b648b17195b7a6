import { formatLocal, type ChatPayload, type MonitorNotice, ROLE_LABEL, type WatchReport } from '@datamon/core';
import { chatCard, decoratedText, paragraph } from './chat-card.ts';
import type { RenderConfig } from './context.ts';
import { chatStatus, html } from './text.ts';

/** What to do when datamon itself stops checking: where people look first. */
export const MONITOR_ACTION =
  'Check that every datamon role is running (systemctl status, or docker compose ps) and can reach Redis; restart what stopped. ' +
  'Until it is back, datamon is not checking your pipelines.';

/**
 * The card about datamon itself (README "Watching the monitor"): "monitor degraded" when it
 * stopped checking (what stopped, since when), and one when it is back.
 */
export function renderMonitorCard(notice: MonitorNotice, report: WatchReport, config: RenderConfig): ChatPayload {
  const zone = config.monitoring.timezone;
  const since = `${formatLocal(notice.since, zone)} (${zone})`;
  if (notice.state === 'ok') {
    return chatCard({
      cardId: `monitor-ok-${Date.parse(notice.since)}`,
      title: '✅ datamon is checking again',
      subtitle: `every role reporting and quick checks completing since ${since}`,
      sections: [{ widgets: [decoratedText({ topLabel: 'Status', text: chatStatus('OK') }), paragraph('Pipelines are watched again; anything that broke meanwhile is alerted as usual.')] }],
      dashboardUrl: config.dashboard.public_url,
      threadKey: null,
    });
  }
  const missing = report.roles.filter((role) => !role.up).map((role) => ROLE_LABEL[role.role]);
  return chatCard({
    cardId: `monitor-degraded-${Date.parse(notice.since)}`,
    title: '🔴 datamon monitor degraded: not checking',
    subtitle: `since ${since}${missing.length > 0 ? ` · ${missing.join(' / ')} down?` : ''}`,
    sections: [
      {
        widgets: [
          decoratedText({ topLabel: 'Status', text: chatStatus('CRITICAL') }),
          ...report.problems.map((problem) =>
            decoratedText({
              topLabel: html(problem.kind === 'role' ? 'Role missing' : problem.kind === 'paused' ? 'Queue paused' : 'Quick checks'),
              text: html(problem.message),
              bottomLabel: html(`since ${formatLocal(problem.since, zone)}`),
            }),
          ),
        ],
      },
      { header: 'Required action', widgets: [paragraph(html(MONITOR_ACTION))] },
    ],
    dashboardUrl: config.dashboard.public_url,
    threadKey: null,
  });
}
