import { createHash } from 'node:crypto';
import { formatLocal, type IncidentRecord } from '@datamon/core';
import { durationBetween, formatValue } from '../render/text.ts';
import type { TicketEvent, TicketEventName } from './ticket-tracker.ts';

/**
 * What a ticket says (SPEC "Tickets"), pure: the title, the description (what failed, the
 * measured value against its threshold, when it was first detected in local time, the required
 * action, the incident id, the dashboard link) and one comment per event, worded like the alert
 * cards and emails. Each text is built once as a small document (`TicketText`) and written out as
 * Atlassian Document Format for Jira (`toAdf`) or as Markdown for GitHub (`toMarkdown`).
 */

/** A run of text: plain, bold, code (ids) or a link. */
export type TicketInline =
  | { kind: 'text'; text: string }
  | { kind: 'strong'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'link'; text: string; href: string };

export type TicketBlock =
  | { kind: 'paragraph'; content: TicketInline[] }
  | { kind: 'heading'; text: string }
  /** A bullet list of `Label: value` lines. */
  | { kind: 'facts'; facts: { label: string; value: TicketInline[] }[] };

/** A ticket description or comment, before it is written out for one system. */
export type TicketText = TicketBlock[];

/** Jira summaries stop at 255 characters; GitHub titles are allowed more, but a title is one line. */
const TITLE_LIMIT = 255;
/** GitHub refuses label names longer than 50 characters; Jira's limit is higher. */
const LABEL_LIMIT = 50;

/**
 * The label that marks the incident's ticket, so that `find` can recover it after an interrupted
 * create: `datamon-<incident id>` when that is short and plain enough for both Jira (no spaces)
 * and GitHub (50 characters at most); otherwise shortened, with a hash of the id so that two
 * incidents never share one.
 *
 * @param incidentId - the incident's id (`<pipelineId>-<openedAt epoch ms>`)
 */
export function incidentLabel(incidentId: string): string {
  const plain = `datamon-${incidentId}`;
  if (plain.length <= LABEL_LIMIT && /^[A-Za-z0-9_.-]+$/.test(incidentId)) return plain;
  const hash = createHash('sha256').update(incidentId).digest('hex').slice(0, 10);
  const safe = `datamon-${incidentId.replace(/[^A-Za-z0-9_.-]+/g, '-')}`;
  return `${safe.slice(0, LABEL_LIMIT - hash.length - 1)}-${hash}`;
}

/**
 * The ticket's title: `[datamon] CRITICAL: ETL Calls`, the same words as the incident's email
 * subject.
 */
export function ticketTitle(incident: Pick<IncidentRecord, 'status' | 'pipelineName'>): string {
  const title = oneLine(`[datamon] ${incident.status}: ${incident.pipelineName}`);
  return title.length <= TITLE_LIMIT ? title : `${title.slice(0, TITLE_LIMIT - 1)}…`;
}

/**
 * The ticket's description: what failed, measured value against threshold, first detected
 * (local time in `zone`), the required action, the incident id and the dashboard link.
 *
 * @param event - the event that opens the ticket
 * @param zone - the IANA zone people read times in (`monitoring.timezone`)
 */
export function ticketDescription(event: TicketEvent, zone: string): TicketText {
  const { incident, pipeline } = event;
  const facts: FactList = [
    fact('Status', incident.status),
    fact('What failed', incident.message),
    fact('Measured', measured(incident)),
    fact('First detected', `${formatLocal(incident.openedAt, zone)} (${zone})`),
  ];
  if (incident.criticalSince && incident.criticalSince !== incident.openedAt) {
    facts.push(fact('CRITICAL since', `${formatLocal(incident.criticalSince, zone)} (${zone})`));
  }
  if (incident.acknowledged) facts.push(fact('Acknowledged', acknowledgement(incident, incident.acknowledgedBy, zone)));
  facts.push({ label: 'Pipeline', value: [text(`${pipeline.name} `), code(pipeline.id)] });
  facts.push({ label: 'Incident', value: [code(incident.id)] });

  const blocks: TicketText = [
    paragraph(
      strong('datamon'),
      text(` opened this ticket for a ${incident.status} incident of ${pipeline.name}. It comments here when the incident escalates or is acknowledged, and closes the ticket when the pipeline is OK again.`),
    ),
    { kind: 'facts', facts },
  ];
  if (pipeline.action.trim() !== '') blocks.push({ kind: 'heading', text: 'Required action' }, paragraph(text(oneLine(pipeline.action))));
  return withDashboard(blocks, event.dashboardUrl);
}

/**
 * The headline of the comment for an event, as the alert cards word it:
 * `CRITICAL for 1 h 5 min, not acknowledged`, `acknowledged by ana at ...`,
 * `resolved: <the result that closed it>`.
 *
 * @param event - the event
 * @param zone - the IANA zone people read times in
 */
export function ticketCommentHeadline(event: TicketEvent, zone: string): string {
  const { incident } = event;
  const name: TicketEventName = event.event;
  switch (name) {
    case 'opened':
      return `opened: ${incident.status}, ${oneLine(incident.message)}`;
    case 'escalated': {
      const line = `CRITICAL for ${criticalFor(incident)}, not acknowledged`;
      return incident.escalations > 1 ? `${line} · reminder ${incident.escalations}` : line;
    }
    case 'acknowledged':
      return `acknowledged ${acknowledgement(incident, event.by ?? incident.acknowledgedBy, zone)}`;
    case 'resolved':
      return incident.resolution ? `resolved: ${oneLine(incident.resolution)}` : `resolved: OK again after ${openFor(incident)}`;
    default:
      return unreachable(name);
  }
}

/**
 * The comment for an event: `datamon: <headline>`, then what matters for that event (what fails
 * now on an escalation; how long it was open on a resolve) and the dashboard link.
 *
 * @param event - the event
 * @param zone - the IANA zone people read times in
 */
export function ticketComment(event: TicketEvent, zone: string): TicketText {
  const { incident } = event;
  const blocks: TicketText = [paragraph(strong('datamon'), text(`: ${ticketCommentHeadline(event, zone)}`))];
  switch (event.event) {
    case 'opened':
    case 'escalated':
      blocks.push({ kind: 'facts', facts: [fact('What fails', incident.message), fact('Measured', measured(incident))] });
      break;
    case 'acknowledged':
      blocks.push(paragraph(text('Escalations stop; the ticket stays open until the pipeline is OK again.')));
      break;
    case 'resolved': {
      const facts: FactList = [fact('Open for', openFor(incident)), fact('Worst', incident.worstStatus)];
      if (incident.closedAt) facts.push(fact('Resolved', `${formatLocal(incident.closedAt, zone)} (${zone})`));
      blocks.push({ kind: 'facts', facts });
      break;
    }
  }
  return withDashboard(blocks, event.dashboardUrl);
}

/** An Atlassian Document Format mark. */
export type AdfMark = { type: 'strong' } | { type: 'code' } | { type: 'link'; attrs: { href: string } };
export interface AdfText {
  type: 'text';
  text: string;
  marks?: AdfMark[];
}
export interface AdfNode {
  type: 'paragraph' | 'heading' | 'bulletList' | 'listItem';
  attrs?: Record<string, unknown>;
  content: (AdfNode | AdfText)[];
}
/** A Jira rich-text document (REST v3 `description` and comment `body`). */
export interface AdfDocument {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

/** The text as an Atlassian Document Format document, for Jira. */
export function toAdf(blocks: TicketText): AdfDocument {
  return { type: 'doc', version: 1, content: blocks.map(adfBlock) };
}

/** The text as GitHub-flavoured Markdown; everything that came from a check is escaped. */
export function toMarkdown(blocks: TicketText): string {
  return blocks.map(markdownBlock).join('\n\n');
}

type FactList = { label: string; value: TicketInline[] }[];

// Every run is one line: a line break would end a Markdown list item, and Jira wants hardBreak
// nodes for them.
function text(value: string): TicketInline {
  return { kind: 'text', text: flatten(value) };
}
function strong(value: string): TicketInline {
  return { kind: 'strong', text: flatten(value) };
}
function code(value: string): TicketInline {
  return { kind: 'code', text: oneLine(value) };
}
function paragraph(...content: TicketInline[]): TicketBlock {
  return { kind: 'paragraph', content };
}
/** A `Label: value` line; an empty value shows as "-". */
function fact(label: string, value: string): FactList[number] {
  return { label, value: [text(oneLine(value) || '-')] };
}

/** Adds the dashboard link when there is a dashboard URL that a ticket system can link to. */
function withDashboard(blocks: TicketText, dashboardUrl: string): TicketText {
  const href = linkable(dashboardUrl);
  if (href) blocks.push(paragraph({ kind: 'link', text: 'Open the dashboard', href }));
  return blocks;
}

/** The URL normalised when it is http(s); Jira refuses a document whose link is not a URL. */
function linkable(url: string): string | null {
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

function measured(incident: IncidentRecord): string {
  const threshold = incident.threshold?.trim();
  return threshold ? `${formatValue(incident.value)} against ${threshold}` : formatValue(incident.value);
}

/**
 * How long it has been CRITICAL when it escalated. An event carries no clock: the escalation's
 * own time (`lastEscalatedAt`, set by the rule when it decided it) is the end, else the latest check.
 */
function criticalFor(incident: IncidentRecord): string {
  return durationBetween(incident.criticalSince ?? incident.openedAt, incident.lastEscalatedAt ?? incident.lastCheckedAt);
}

function openFor(incident: IncidentRecord): string {
  return durationBetween(incident.openedAt, incident.closedAt ?? incident.lastCheckedAt);
}

/** `by ana at 2026-03-30 07:45 (Europe/London)`. */
function acknowledgement(incident: IncidentRecord, by: string | null | undefined, zone: string): string {
  const who = by && by.trim() !== '' ? by.trim() : 'someone';
  return incident.acknowledgedAt ? `by ${who} at ${formatLocal(incident.acknowledgedAt, zone)} (${zone})` : `by ${who}`;
}

/** The value on one line, trimmed. */
function oneLine(value: string): string {
  return flatten(value).trim();
}

/** Line breaks (and the spaces around them) as one space; a run's own edge spaces are kept. */
function flatten(value: string): string {
  return value.replace(/[^\S\r\n]*[\r\n]+[^\S\r\n]*/g, ' ');
}

function unreachable(value: never): never {
  throw new Error(`unknown ticket event "${String(value)}"`);
}

// Atlassian Document Format ------------------------------------------------------------------

function adfBlock(block: TicketBlock): AdfNode {
  switch (block.kind) {
    case 'paragraph':
      return { type: 'paragraph', content: adfInlines(block.content) };
    case 'heading':
      return { type: 'heading', attrs: { level: 3 }, content: adfInlines([text(block.text)]) };
    case 'facts':
      return {
        type: 'bulletList',
        content: block.facts.map((item) => ({
          type: 'listItem',
          content: [{ type: 'paragraph', content: adfInlines([strong(`${item.label}: `), ...item.value]) }],
        })),
      };
  }
}

/** Jira refuses a document with an empty text node: those are left out. */
function adfInlines(inlines: TicketInline[]): AdfText[] {
  return inlines
    .filter((inline) => inline.text !== '')
    .map((inline): AdfText => {
      switch (inline.kind) {
        case 'text':
          return { type: 'text', text: inline.text };
        case 'strong':
          return { type: 'text', text: inline.text, marks: [{ type: 'strong' }] };
        case 'code':
          return { type: 'text', text: inline.text, marks: [{ type: 'code' }] };
        case 'link':
          return { type: 'text', text: inline.text, marks: [{ type: 'link', attrs: { href: inline.href } }] };
      }
    });
}

// Markdown ---------------------------------------------------------------------------------

function markdownBlock(block: TicketBlock): string {
  switch (block.kind) {
    case 'paragraph':
      return guardLineStart(block.content.map(markdownInline).join(''));
    case 'heading':
      return `### ${escapeMarkdown(block.text)}`;
    case 'facts':
      return block.facts.map((item) => `- **${escapeMarkdown(item.label)}:** ${item.value.map(markdownInline).join('')}`).join('\n');
  }
}

function markdownInline(inline: TicketInline): string {
  if (inline.text === '') return '';
  switch (inline.kind) {
    case 'text':
      return escapeMarkdown(inline.text);
    case 'strong': {
      // Emphasis must not start or end with a space: keep the spaces outside the asterisks.
      const [, before = '', inner = '', after = ''] = /^(\s*)(.*?)(\s*)$/.exec(inline.text) ?? [];
      return `${before}**${escapeMarkdown(inner)}**${after}`;
    }
    case 'code':
      // A value holding a backtick needs a longer fence, padded so that it may start with one.
      return inline.text.includes('`') ? `\`\` ${inline.text} \`\`` : `\`${inline.text}\``;
    case 'link':
      return `[${escapeMarkdown(inline.text)}](<${inline.href}>)`;
  }
}

/**
 * Backslash-escapes what Markdown would read as markup inside a line (emphasis, code, links,
 * HTML, tables, strike-through, entities), so that a check's message shows as written.
 */
function escapeMarkdown(value: string): string {
  return value.replace(/[\\`*_{}[\]<>|~&]/g, '\\$&');
}

/** A paragraph starting with `#`, `-`, `+`, `=` or `1.` would become a heading or a list. */
function guardLineStart(line: string): string {
  return line.replace(/^(\d+)([.)])/, '$1\\$2').replace(/^([#+=-])/, '\\$1');
}
