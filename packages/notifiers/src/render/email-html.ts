import { html } from './text.ts';

/**
 * The email layout: a heading, paragraphs, tables and the dashboard link, in HTML with inline
 * styles (mail clients drop style sheets), and the same content as plain text. Cells are given
 * as escaped HTML for the HTML part and as raw text for the text part.
 */

export interface EmailCell {
  /** Escaped HTML. */
  html: string;
  text: string;
}

export interface EmailTable {
  columns: string[];
  rows: EmailCell[][];
  /** `facts`: two columns, label and value (text part: "Label: value" lines). */
  layout?: 'rows' | 'facts';
}

export interface EmailContent {
  /** Plain text; escaped here. */
  heading: string;
  /** Escaped HTML / text pairs, one paragraph each. */
  paragraphs: EmailCell[];
  tables: EmailTable[];
  dashboardUrl: string;
  /** Plain text; escaped here. */
  footer: string;
}

const CELL = 'style="padding:6px 10px;border-bottom:1px solid #e0e0e0;text-align:left;vertical-align:top"';
const HEAD = 'style="padding:6px 10px;border-bottom:2px solid #5f6368;text-align:left;background:#f1f3f4"';

export function cell(htmlText: string, text: string): EmailCell {
  return { html: htmlText, text };
}

/** A cell of plain text, escaped for the HTML part. */
export function textCell(text: string): EmailCell {
  return { html: html(text), text };
}

export function renderEmailHtml(content: EmailContent): string {
  const tables = content.tables
    .map(
      (table) =>
        `<table style="border-collapse:collapse;margin:12px 0;font-size:14px">` +
        `<thead><tr>${table.columns.map((column) => `<th ${HEAD}>${html(column)}</th>`).join('')}</tr></thead>` +
        `<tbody>${table.rows.map((row) => `<tr>${row.map((c) => `<td ${CELL}>${c.html}</td>`).join('')}</tr>`).join('')}</tbody>` +
        `</table>`,
    )
    .join('\n');
  const url = html(content.dashboardUrl);
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>',
    '<body style="font-family:Arial,Helvetica,sans-serif;color:#202124;margin:16px">',
    `<h2 style="margin:0 0 12px">${html(content.heading)}</h2>`,
    ...content.paragraphs.map((p) => `<p style="margin:6px 0">${p.html}</p>`),
    tables,
    `<p style="margin:16px 0"><a href="${url}" style="color:#1a73e8">Open the dashboard</a> (${url})</p>`,
    `<p style="color:#5f6368;font-size:12px">${html(content.footer)}</p>`,
    '</body></html>',
    '',
  ].join('\n');
}

export function renderEmailText(content: EmailContent): string {
  const lines: string[] = [content.heading, '='.repeat(Math.min(content.heading.length, 72)), ''];
  for (const p of content.paragraphs) lines.push(p.text);
  for (const table of content.tables) {
    lines.push('');
    if (table.layout === 'facts') {
      lines.push(table.columns.join(': '));
      for (const [label, value] of table.rows) lines.push(`${label?.text ?? ''}: ${value?.text ?? ''}`);
      continue;
    }
    for (const row of table.rows) {
      lines.push(`- ${row.map((c, index) => (index === 0 ? c.text : `${table.columns[index]}: ${c.text}`)).join(' | ')}`);
    }
  }
  lines.push('', `Dashboard: ${content.dashboardUrl}`, '', content.footer, '');
  return lines.join('\n');
}
