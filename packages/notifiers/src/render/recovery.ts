import { type ChatPayload, formatLocal, type IncidentRecord, STATUS_ICON } from '@datamon/core';
import { chatCard, decoratedText, paragraph } from './chat-card.ts';
import type { RenderConfig } from './context.ts';
import { html } from './text.ts';

/** One finished run of a recovery action, in words (README "Tickets and recovery"). */
export interface RecoveryRunReport {
  ok: boolean;
  /** What ran: the argv as written, or `POST https://host/path`. */
  action: string;
  /** `exit 0 in 2.1 s`, `timed out after 300 s`... */
  outcome: string;
  /** The last 10,000 bytes of its output, secrets masked. */
  output: string;
  at: string;
  /** `attempt 1 of 2`, or `run by hand by ana`. */
  run: string;
  /** When the pipeline is checked again, or null when it is not. */
  recheckAt: string | null;
}

/**
 * The card a recovery run posts in its incident's thread: what ran, how it went, its output and
 * when the pipeline is checked again.
 */
export function renderRecoveryCard(incident: IncidentRecord, report: RecoveryRunReport, config: RenderConfig): ChatPayload {
  const zone = config.monitoring.timezone;
  const output = report.output.trim();
  return chatCard({
    cardId: `recovery-${incident.id}-${Date.parse(report.at)}`,
    title: `${report.ok ? STATUS_ICON.OK : STATUS_ICON.CRITICAL} Recovery ${report.ok ? 'ran' : 'failed'}: ${incident.pipelineName}`,
    subtitle: `${report.outcome} · ${report.run}`,
    sections: [
      {
        widgets: [
          decoratedText({ topLabel: 'Action', text: html(report.action) }),
          decoratedText({ topLabel: 'Outcome', text: html(report.outcome) }),
          decoratedText({ topLabel: 'Ran at', text: html(`${formatLocal(report.at, zone)} (${zone})`) }),
          decoratedText({
            topLabel: 'Next',
            text: html(report.recheckAt ? `checked again at ${formatLocal(report.recheckAt, zone)}; if OK the incident resolves "after recovery"` : 'no re-check'),
          }),
          decoratedText({ topLabel: 'Incident', text: html(incident.id) }),
        ],
      },
      { header: 'Output (last 10,000 bytes)', widgets: output ? [paragraph(`<font color="#555555">${html(output).replace(/\n/g, '<br>')}</font>`)] : [paragraph('(no output)')] },
    ],
    dashboardUrl: config.dashboard.public_url,
    threadKey: incident.id,
  });
}
