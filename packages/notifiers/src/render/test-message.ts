import { formatLocal, type ChatPayload, type EmailPayload } from '@datamon/core';
import { chatCard, decoratedText, paragraph } from './chat-card.ts';
import type { RenderConfig } from './context.ts';
import { renderEmailHtml, renderEmailText, textCell, type EmailContent } from './email-html.ts';
import { chatStatus, html, plural } from './text.ts';

/** The message `datamon notify test` sends: proves the channel works, changes nothing. */

export const TEST_SUBJECT = '[datamon] Test message';

/** The card `datamon notify test` sends. @param now - shown as the local sending time */
export function renderTestCard(config: RenderConfig, now: Date): ChatPayload {
  const zone = config.monitoring.timezone;
  const when = `${formatLocal(now, zone)} (${zone})`;
  return chatCard({
    cardId: `test-${now.getTime()}`,
    title: '✅ datamon test message',
    subtitle: `sent by "datamon notify test" at ${when}`,
    sections: [
      {
        widgets: [
          paragraph('If you can read this, datamon alerts reach this space.'),
          decoratedText({ topLabel: 'Status', text: chatStatus('OK') }),
          decoratedText({ topLabel: 'Monitoring', text: html(`${plural(config.pipelines.length, 'pipeline')}, times in ${zone}`) }),
        ],
      },
    ],
    dashboardUrl: config.dashboard.public_url,
    threadKey: null,
  });
}

/** The email `datamon notify test` sends, subject {@link TEST_SUBJECT}. */
export function renderTestEmail(config: RenderConfig, now: Date): EmailPayload {
  const zone = config.monitoring.timezone;
  const content: EmailContent = {
    heading: '✅ datamon test message',
    paragraphs: [
      textCell(`If you can read this, datamon alerts reach this mailbox. Sent by "datamon notify test" at ${formatLocal(now, zone)} (${zone}).`),
      textCell(`Monitoring ${plural(config.pipelines.length, 'pipeline')}.`),
    ],
    tables: [],
    dashboardUrl: config.dashboard.public_url,
    footer: 'Sent by datamon notify test.',
  };
  return { type: 'email', subject: TEST_SUBJECT, html: renderEmailHtml(content), text: renderEmailText(content) };
}
