import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  incidentLabel,
  ticketComment,
  ticketCommentHeadline,
  ticketDescription,
  ticketTitle,
  toAdf,
  toMarkdown,
  type AdfDocument,
} from '../src/tickets/index.ts';
import { incident } from './helpers/fixtures.ts';
import { ticketEvent } from './helpers/tickets.ts';

const ZONE = 'Europe/London';

/** Every text node of a document, with the node it sits in, checking the rules Jira enforces. */
function adfTexts(doc: AdfDocument): { text: string; marks: string[] }[] {
  const found: { text: string; marks: string[] }[] = [];
  const walk = (node: { type: string; text?: string; marks?: { type: string }[]; content?: unknown[] }) => {
    if (node.type === 'text') {
      assert.ok(node.text && node.text.length > 0, 'Jira refuses an empty text node');
      found.push({ text: node.text, marks: (node.marks ?? []).map((mark) => mark.type) });
      return;
    }
    assert.ok(Array.isArray(node.content), `${node.type} has content`);
    for (const child of node.content) walk(child as typeof node);
  };
  assert.equal(doc.type, 'doc');
  assert.equal(doc.version, 1);
  for (const block of doc.content) walk(block);
  return found;
}

describe('ticket title', () => {
  it('reads like the email subject: [datamon] CRITICAL: ETL Calls', () => {
    assert.equal(ticketTitle(incident()), '[datamon] CRITICAL: ETL Calls');
    assert.equal(ticketTitle(incident({ status: 'WARNING' })), '[datamon] WARNING: ETL Calls');
  });
  it('stays one line within Jira summary limits', () => {
    const title = ticketTitle(incident({ pipelineName: `Calls\n${'x'.repeat(400)}` }));
    assert.ok(!title.includes('\n'));
    assert.ok(title.length <= 255);
  });
});

describe('ticket description', () => {
  const description = () => ticketDescription(ticketEvent('opened'), ZONE);

  it('says what failed, the value against its threshold, first detected in local time, the action, the incident and the dashboard (Markdown)', () => {
    const markdown = toMarkdown(description());
    assert.match(markdown, /- \*\*What failed:\*\* newest FactCalls\.call\\_start is 26\.0 h old \(critical over 24 h\)/);
    assert.match(markdown, /- \*\*Measured:\*\* 26 against critical over 24 h/);
    // 06:31 UTC is 07:31 in London on 30 March (summer time).
    assert.match(markdown, /- \*\*First detected:\*\* 2026-03-30 07:31 \(Europe\/London\)/);
    assert.match(markdown, /- \*\*Incident:\*\* `etl_calls-1774852260000`/);
    assert.match(markdown, /### Required action\n\nCheck the FactCalls load job, then re-run it\./);
    assert.match(markdown, /\[Open the dashboard\]\(<https:\/\/datamon\.example\.com\/>\)/);
  });

  it('writes the same facts as an Atlassian document with bold labels, a code id and a link', () => {
    const texts = adfTexts(toAdf(description()));
    const after = (label: string) => texts[texts.findIndex((node) => node.text === `${label}: `) + 1]?.text;
    assert.deepEqual(texts.find((node) => node.text === 'What failed: ')?.marks, ['strong']);
    assert.equal(after('What failed'), 'newest FactCalls.call_start is 26.0 h old (critical over 24 h)');
    assert.equal(after('Measured'), '26 against critical over 24 h');
    assert.equal(after('First detected'), '2026-03-30 07:31 (Europe/London)');
    assert.deepEqual(texts.find((node) => node.text === 'etl_calls-1774852260000')?.marks, ['code']);
    assert.ok(texts.some((node) => node.text === 'Check the FactCalls load job, then re-run it.'));
    const link = toAdf(description()).content.at(-1)?.content[0];
    assert.deepEqual(link, { type: 'text', text: 'Open the dashboard', marks: [{ type: 'link', attrs: { href: 'https://datamon.example.com/' } }] });
  });

  it('shows a value without a threshold, and leaves out a dashboard link that is not http(s)', () => {
    const text = toMarkdown(ticketDescription(ticketEvent('opened', { incident: incident({ value: null, threshold: null }), dashboardUrl: '' }), ZONE));
    assert.match(text, /\*\*Measured:\*\* no value/);
    assert.ok(!text.includes('Open the dashboard'));
  });

  it('keeps a message as written: Markdown is escaped, lines are joined, nothing empty reaches Jira', () => {
    const nasty = ticketEvent('opened', {
      incident: incident({ message: '<b>rows</b> *2* [x](http://e) | ~y~\nsecond line', threshold: '' }),
      pipeline: { id: 'etl_calls', name: 'ETL Calls', kind: null, action: '# 1. re-run' },
    });
    const markdown = toMarkdown(ticketDescription(nasty, ZONE));
    assert.match(markdown, /\\<b\\>rows\\<\/b\\> \\\*2\\\* \\\[x\\\]\(http:\/\/e\) \\\| \\~y\\~ second line/);
    assert.match(markdown, /\n\\# 1\. re-run\n/);
    const texts = adfTexts(toAdf(ticketDescription(nasty, ZONE)));
    assert.ok(texts.some((node) => node.text === '<b>rows</b> *2* [x](http://e) | ~y~ second line'));
  });
});

describe('ticket comments', () => {
  it('escalated: CRITICAL for how long, not acknowledged', () => {
    const escalated = ticketEvent('escalated', { incident: incident({ escalations: 1, lastEscalatedAt: '2026-03-30T07:36:00.000Z' }) });
    assert.equal(ticketCommentHeadline(escalated, ZONE), 'CRITICAL for 1 h 5 min, not acknowledged');
    assert.match(toMarkdown(ticketComment(escalated, ZONE)), /^\*\*datamon\*\*: CRITICAL for 1 h 5 min, not acknowledged\n\n- \*\*What fails:\*\* newest/);
  });

  it('escalated again: counts the reminder like the cards do', () => {
    const again = ticketEvent('escalated', { incident: incident({ escalations: 2, lastEscalatedAt: '2026-03-30T08:31:00.000Z' }) });
    assert.equal(ticketCommentHeadline(again, ZONE), 'CRITICAL for 2 h, not acknowledged · reminder 2');
  });

  it('acknowledged: by whom and when, in local time', () => {
    const acknowledged = ticketEvent('acknowledged', { by: 'ana', incident: incident({ acknowledged: true, acknowledgedBy: 'ana', acknowledgedAt: '2026-03-30T07:40:00.000Z' }) });
    assert.equal(ticketCommentHeadline(acknowledged, ZONE), 'acknowledged by ana at 2026-03-30 08:40 (Europe/London)');
    assert.match(toMarkdown(ticketComment(acknowledged, ZONE)), /Escalations stop; the ticket stays open until the pipeline is OK again\./);
    assert.equal(ticketCommentHeadline(ticketEvent('acknowledged'), ZONE), 'acknowledged by someone');
  });

  it('resolved: the result that closed it, how long it was open and the worst status', () => {
    const resolved = ticketEvent('resolved', { incident: incident({ closedAt: '2026-03-30T11:14:00.000Z', resolution: 'newest FactCalls.call_start is 0.2 h old' }) });
    assert.equal(ticketCommentHeadline(resolved, ZONE), 'resolved: newest FactCalls.call_start is 0.2 h old');
    const markdown = toMarkdown(ticketComment(resolved, ZONE));
    assert.match(markdown, /- \*\*Open for:\*\* 4 h 43 min/);
    assert.match(markdown, /- \*\*Worst:\*\* CRITICAL/);
    assert.match(markdown, /- \*\*Resolved:\*\* 2026-03-30 12:14 \(Europe\/London\)/);
    const noResolution = ticketEvent('resolved', { incident: incident({ closedAt: '2026-03-30T11:14:00.000Z' }) });
    assert.equal(ticketCommentHeadline(noResolution, ZONE), 'resolved: OK again after 4 h 43 min');
  });

  it('writes every comment as a valid Atlassian document', () => {
    for (const name of ['opened', 'escalated', 'acknowledged', 'resolved'] as const) adfTexts(toAdf(ticketComment(ticketEvent(name), ZONE)));
  });
});

describe('incident label', () => {
  it('is datamon-<incident id>', () => {
    assert.equal(incidentLabel('etl_calls-1774852260000'), 'datamon-etl_calls-1774852260000');
  });
  it('fits GitHub (50 characters) for the longest pipeline id, and stays distinct', () => {
    const long = `${'a'.repeat(64)}-1774852260000`;
    const other = `${'a'.repeat(64)}-1774852260001`;
    assert.ok(incidentLabel(long).length <= 50);
    assert.match(incidentLabel(long), /^datamon-a+-[0-9a-f]{10}$/);
    assert.notEqual(incidentLabel(long), incidentLabel(other));
    assert.equal(incidentLabel(long), incidentLabel(long));
  });
  it('has no spaces or quotes (Jira labels, JQL)', () => {
    assert.match(incidentLabel('odd id "x"'), /^datamon-[A-Za-z0-9_.-]+$/);
  });
});
