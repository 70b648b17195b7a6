/**
 * Renders the README's pictures of a Google Chat card and an email from the examples in
 * docs/examples (themselves written from the real renderers by scripts/render-examples.ts).
 * A card is drawn the way Google Chat lays out cardsV2 (header, sections, decoratedText lines
 * whose text is Chat's small HTML subset, buttons); an email is its own HTML. Debian's Chromium,
 * driven by playwright-core, takes the screenshots.
 *
 *   npx tsx scripts/screenshot-examples.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const DOCS = join(import.meta.dirname, '..', 'docs');

interface Widget {
  decoratedText?: { topLabel?: string; text: string; bottomLabel?: string };
  textParagraph?: { text: string };
  buttonList?: { buttons: { text: string }[] };
}
interface Card {
  header?: { title?: string; subtitle?: string };
  sections?: { header?: string; widgets: Widget[] }[];
}

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Chat renders these fields as its HTML subset (b, i, font color, br): so does the preview. */
function chatHtml(text: string): string {
  return text.replace(/<(?!\/?(b|i|u|br|font)\b)/g, '&lt;');
}

function cardPage(card: Card): string {
  const sections = (card.sections ?? [])
    .map((section) => {
      const widgets = section.widgets
        .map((widget) => {
          if (widget.decoratedText) {
            const { topLabel, text, bottomLabel } = widget.decoratedText;
            return `<div class="dt">${topLabel ? `<div class="label">${chatHtml(topLabel)}</div>` : ''}<div>${chatHtml(text)}</div>${bottomLabel ? `<div class="label">${chatHtml(bottomLabel)}</div>` : ''}</div>`;
          }
          if (widget.textParagraph) return `<div class="dt">${chatHtml(widget.textParagraph.text)}</div>`;
          if (widget.buttonList) return `<div class="buttons">${widget.buttonList.buttons.map((b) => `<span class="button">${escapeText(b.text)}</span>`).join('')}</div>`;
          return '';
        })
        .join('');
      return `<section>${section.header ? `<h3>${chatHtml(section.header)}</h3>` : ''}${widgets}</section>`;
    })
    .join('');
  return `<!doctype html><meta charset="utf-8"><style>
    body { margin: 0; padding: 24px; background: #f1f3f4; font: 14px/1.45 'Google Sans', Roboto, Arial, sans-serif; color: #202124; }
    .card { width: 560px; background: #fff; border-radius: 12px; box-shadow: 0 1px 3px rgba(60,64,67,.3); overflow: hidden; }
    header { padding: 16px 16px 12px; border-bottom: 1px solid #e8eaed; }
    header .title { font-size: 16px; font-weight: 500; } header .subtitle { color: #5f6368; font-size: 13px; }
    section { padding: 8px 16px; border-bottom: 1px solid #e8eaed; } section:last-child { border-bottom: 0; }
    h3 { margin: 4px 0 6px; font-size: 13px; font-weight: 500; color: #5f6368; }
    .dt { padding: 6px 0; } .label { color: #5f6368; font-size: 12px; }
    .button { display: inline-block; margin: 6px 8px 6px 0; padding: 7px 16px; border-radius: 18px; background: #1a73e8; color: #fff; font-weight: 500; }
  </style><div class="card"><header><div class="title">${escapeText(card.header?.title ?? '')}</div><div class="subtitle">${escapeText(card.header?.subtitle ?? '')}</div></header>${sections}</div>`;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 620, height: 400 }, deviceScaleFactor: 1 });
  for (const [example, output] of [
    ['critical-card.json', 'card-critical.png'],
    ['checkin-card.json', 'card-checkin.png'],
  ] as const) {
    const body = JSON.parse(readFileSync(join(DOCS, 'examples', example), 'utf8')) as { cardsV2: { card: Card }[] };
    await page.setContent(cardPage(body.cardsV2[0]?.card ?? {}));
    await page.locator('.card').screenshot({ path: join(DOCS, output) });
  }
  await page.setViewportSize({ width: 720, height: 400 });
  await page.setContent(readFileSync(join(DOCS, 'examples', 'checkin-email.html'), 'utf8'));
  await page.screenshot({ path: join(DOCS, 'email-checkin.png'), fullPage: true });
  process.stdout.write('wrote docs/card-critical.png, docs/card-checkin.png, docs/email-checkin.png\n');
} finally {
  await browser.close();
}
