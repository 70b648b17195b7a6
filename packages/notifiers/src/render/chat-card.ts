import type { ChatPayload } from '@datamon/core';
import { plain } from './text.ts';

/**
 * Google Chat `cardsV2` building blocks. Field names are the Chat API's. Texts given to
 * `decoratedText`, `paragraph` and section headers must already be HTML-escaped (Chat renders a
 * subset of HTML there); header title and subtitle are plain text and go through `plain()`.
 */

export type Widget = Record<string, unknown>;

export interface CardSection {
  /** Escaped HTML. */
  header?: string;
  widgets: Widget[];
}

export function decoratedText(options: { topLabel?: string; text: string; bottomLabel?: string }): Widget {
  return {
    decoratedText: {
      ...(options.topLabel === undefined ? {} : { topLabel: options.topLabel }),
      text: options.text,
      ...(options.bottomLabel === undefined ? {} : { bottomLabel: options.bottomLabel }),
      wrapText: true,
    },
  };
}

export function paragraph(text: string): Widget {
  return { textParagraph: { text } };
}

export function dashboardButton(url: string): Widget {
  return { buttonList: { buttons: [{ text: 'Open dashboard', onClick: { openLink: { url } } }] } };
}

export function isButtonList(widget: Widget): boolean {
  return 'buttonList' in widget;
}

/**
 * One message with one card: header, the sections, and a last section with the dashboard button.
 * With a threadKey the body carries `thread.threadKey` (the channel adds the reply option).
 */
export function chatCard(options: {
  cardId: string;
  title: string;
  subtitle: string;
  sections: CardSection[];
  dashboardUrl: string;
  threadKey: string | null;
}): ChatPayload {
  const sections = [
    ...options.sections.filter((section) => section.widgets.length > 0).map((section) => ({
      ...(section.header ? { header: section.header } : {}),
      widgets: section.widgets,
    })),
    { widgets: [dashboardButton(options.dashboardUrl)] },
  ];
  return {
    type: 'chat',
    threadKey: options.threadKey,
    body: {
      cardsV2: [
        {
          cardId: options.cardId,
          card: { header: { title: plain(options.title), subtitle: plain(options.subtitle) }, sections },
        },
      ],
      ...(options.threadKey ? { thread: { threadKey: options.threadKey } } : {}),
    },
  };
}
