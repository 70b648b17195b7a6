import type { ChatPayload } from '@datamon/core';
import { isButtonList, type Widget } from './chat-card.ts';
import { html, plain } from './text.ts';

/**
 * Merges many cards into one message with one card, so that a burst (many incidents at once)
 * reaches a space as one message instead of one a second (README "Alerts").
 *
 * The merged card has a header counting the messages, then each card's content in turn (its
 * first section headed by that card's title and subtitle), and one dashboard button at the end.
 *
 * Threading: a message lives in exactly one Chat thread, so a merged card cannot sit in each
 * incident's thread. When every payload has the same threadKey (e.g. an incident's escalation and
 * another of its messages) the merged card keeps that thread; otherwise it has no threadKey and
 * starts a thread of its own. Each incident's later messages (escalation, resolved) still carry
 * its own threadKey: the first of them starts the incident's thread (REPLY_MESSAGE_FALLBACK_TO_
 * NEW_THREAD creates it), and they all gather there from then on. Merge only what would otherwise
 * be sent within the same second or so, and not too many at once: check the result with
 * {@link chatPayloadFits} (Chat ignores the widgets of a card beyond 100, and refuses a message
 * over 32,000 bytes); ten or so alert cards fit.
 *
 * @param payloads - one or more Chat payloads whose bodies have `cardsV2`
 * @returns the single payload as is, or the merged payload
 * @throws Error when there is nothing to merge or a body has no cardsV2
 */
export function mergeChatPayloads(payloads: readonly ChatPayload[]): ChatPayload {
  const [first] = payloads;
  if (!first) throw new Error('mergeChatPayloads: nothing to merge');
  if (payloads.length === 1) return first;

  const cards = payloads.flatMap((payload, index) => {
    const list = payload.body.cardsV2;
    if (!Array.isArray(list)) throw new Error(`mergeChatPayloads: payload ${index} has no cardsV2`);
    return list as MergeableCard[];
  });

  let button: Widget | null = null;
  const sections: Section[] = [];
  const titles: string[] = [];
  for (const { card } of cards) {
    const title = card.header?.title ?? '';
    const subtitle = card.header?.subtitle ?? '';
    titles.push(title);
    const heading = `<b>${html(title)}</b>${subtitle ? `<br>${html(subtitle)}` : ''}`;
    let headed = false;
    for (const section of card.sections ?? []) {
      const widgets = section.widgets.filter((widget) => {
        if (!isButtonList(widget)) return true;
        button ??= widget;
        return false;
      });
      if (widgets.length === 0) continue;
      const header = headed ? section.header : section.header ? `${heading}<br>${section.header}` : heading;
      headed = true;
      sections.push({ ...(header ? { header } : {}), widgets });
    }
  }
  if (button) sections.push({ widgets: [button] });

  const keys = new Set(payloads.map((payload) => payload.threadKey));
  const threadKey = keys.size === 1 ? first.threadKey : null;
  const cardIds = cards.map((card) => card.cardId ?? '').filter(Boolean);
  return {
    type: 'chat',
    threadKey,
    body: {
      cardsV2: [
        {
          cardId: `merged-${cardIds[0] ?? 'cards'}-${cards.length}`,
          card: {
            header: { title: plain(`datamon: ${cards.length} messages`), subtitle: plain(summarise(titles)) },
            sections,
          },
        },
      ],
      ...(threadKey ? { thread: { threadKey } } : {}),
    },
  };
}

interface Section {
  header?: string;
  widgets: Widget[];
}

interface MergeableCard {
  cardId?: string;
  card: { header?: { title?: string; subtitle?: string }; sections?: Section[] };
}

/** The titles, shortened to what a card subtitle shows. */
function summarise(titles: string[]): string {
  const joined = titles.join(' · ');
  return joined.length <= 120 ? joined : `${joined.slice(0, 117)}...`;
}

/**
 * Google Chat's limits on one message: a card's widgets beyond 100 are silently ignored, and a
 * message is at most 32,000 bytes. The byte limit keeps a margin for what the channel adds.
 */
export const CHAT_LIMITS = { widgetsPerCard: 100, bytes: 30_000 } as const;

/** The widgets of each card of a payload, in order. */
export function chatWidgetCounts(payload: ChatPayload): number[] {
  const list = payload.body.cardsV2;
  if (!Array.isArray(list)) return [];
  return (list as MergeableCard[]).map(({ card }) => (card.sections ?? []).reduce((sum, section) => sum + section.widgets.length, 0));
}

/**
 * Whether Google Chat shows the whole of this payload: no card over 100 widgets and the body
 * within the byte limit. A merged card that does not fit must not be sent: merge fewer.
 */
export function chatPayloadFits(payload: ChatPayload, limits: { widgetsPerCard: number; bytes: number } = CHAT_LIMITS): boolean {
  if (chatWidgetCounts(payload).some((count) => count > limits.widgetsPerCard)) return false;
  return new TextEncoder().encode(JSON.stringify(payload.body)).length <= limits.bytes;
}
