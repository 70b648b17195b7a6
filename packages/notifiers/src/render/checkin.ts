import {
  countStatuses,
  formatLocal,
  formatLocalTime,
  localDate,
  STATUS_ICON,
  type ChatPayload,
  type CheckinRun,
  type EmailPayload,
} from '@datamon/core';
import { chatCard, decoratedText, type CardSection } from './chat-card.ts';
import { groupByKind, pipelineFacts, type RenderConfig } from './context.ts';
import { renderEmailHtml, renderEmailText, textCell, cell, type EmailContent } from './email-html.ts';
import { chatStatus, checkinWord, countsPhrase, emailStatus, formatValue, html } from './text.ts';

/** A check-in's card and email (README "Check-ins and the schedule", "Alerts"): sent at every check-in, whatever the statuses. */

type RunResult = CheckinRun['results'][number];

function checkinTime(run: CheckinRun, config: RenderConfig): string {
  const defined = config.checkins.find((checkin) => checkin.id === run.checkinId);
  return defined?.time ?? formatLocalTime(run.scheduledFor, config.monitoring.timezone);
}

function notes(run: CheckinRun, config: RenderConfig): string[] {
  const zone = config.monitoring.timezone;
  const notes: string[] = [];
  if (run.late) notes.push(`run late at ${formatLocalTime(run.ranAt, zone)}: nothing was running at ${formatLocalTime(run.scheduledFor, zone)}`);
  if (run.manual) notes.push(`run by hand at ${formatLocalTime(run.ranAt, zone)}`);
  return notes;
}

/**
 * The subject, e.g. `[datamon] First Shift Check 11:45: CRITICAL (1 critical, 1 warning)`;
 * `(all 3 OK)` when nothing needs a look.
 */
export function checkinSubject(run: CheckinRun, config: RenderConfig): string {
  const counts = countStatuses(run.results.map((result) => result.status));
  return `[datamon] ${run.label} ${checkinTime(run, config)}: ${checkinWord(run.overall)} (${countsPhrase(counts)})`;
}

interface Row {
  result: RunResult;
  name: string;
  group: string;
  /** The root's name when this one is blocked by it (README "Dependencies"). */
  blockedBy: string | null;
}

/**
 * Rows per group; a pipeline blocked by a root in the same check-in is listed right under its
 * root, in the root's group, so the card reads as one failure and what it takes with it.
 */
function groups(run: CheckinRun, config: RenderConfig): [string, Row[]][] {
  const rows: Row[] = run.results.map((result) => {
    const facts = pipelineFacts(config, result.pipelineId);
    const root = result.blockedBy ?? null;
    return { result, name: facts.name, group: facts.group, blockedBy: root === null ? null : pipelineFacts(config, root).name };
  });
  const present = new Set(run.results.map((result) => result.pipelineId));
  const underRoot = (row: Row) => row.result.blockedBy != null && present.has(row.result.blockedBy);
  const ordered: Row[] = [];
  for (const row of rows) {
    if (underRoot(row)) continue;
    ordered.push(row);
    for (const blocked of rows) {
      if (underRoot(blocked) && blocked.result.blockedBy === row.result.pipelineId) ordered.push({ ...blocked, group: row.group });
    }
  }
  return groupByKind(ordered, (row) => row.group);
}

function rowName(row: Row): string {
  return row.blockedBy === null ? row.name : `\u21b3 ${row.name}`;
}

function rowMessage(row: Row): string {
  return row.blockedBy === null ? row.result.message : `blocked by ${row.blockedBy}: ${row.result.message}`;
}

/**
 * The check-in card: header with the overall status and counts, a section per group of
 * pipelines (Warehouse, Files, Google Sheets) with each one's icon, coloured status and message,
 * and the dashboard button. No thread: each check-in is a message of its own.
 *
 * @param run - the stored check-in run (results included)
 * @param config - the effective config (time zone, dashboard URL, pipelines, check-ins)
 */
export function renderCheckinCard(run: CheckinRun, config: RenderConfig): ChatPayload {
  const zone = config.monitoring.timezone;
  const counts = countStatuses(run.results.map((result) => result.status));
  const sections: CardSection[] = groups(run, config).map(([group, rows]) => ({
    header: html(group),
    widgets: rows.map((row) =>
      decoratedText({
        topLabel: html(rowName(row)),
        text: `${chatStatus(row.result.status)} ${html(rowMessage(row))}`,
        bottomLabel: `value: ${html(formatValue(row.result.value))}`,
      }),
    ),
  }));
  return chatCard({
    cardId: `checkin-${run.id}`,
    title: `${STATUS_ICON[run.overall]} ${run.label} ${checkinTime(run, config)}: ${checkinWord(run.overall)}`,
    subtitle: [`${countsPhrase(counts)}`, localDate(new Date(run.scheduledFor), zone), ...notes(run, config)].join(' · '),
    sections,
    dashboardUrl: config.dashboard.public_url,
    threadKey: null,
  });
}

/**
 * The check-in email: subject as {@link checkinSubject}, a table of pipelines per group with
 * coloured statuses, the dashboard link, and the same as plain text.
 */
export function renderCheckinEmail(run: CheckinRun, config: RenderConfig): EmailPayload {
  const zone = config.monitoring.timezone;
  const when = formatLocal(run.ranAt, zone);
  const content: EmailContent = {
    heading: `${STATUS_ICON[run.overall]} ${run.label} ${checkinTime(run, config)}: ${checkinWord(run.overall)}`,
    paragraphs: [
      cell(`Overall: ${emailStatus(run.overall)}. Checked at ${html(when)} (${html(zone)}).`, `Overall: ${checkinWord(run.overall)}. Checked at ${when} (${zone}).`),
      ...notes(run, config).map((note) => textCell(`This check-in was ${note}.`)),
    ],
    tables: groups(run, config).map(([group, rows]) => ({
      columns: [group, 'Status', 'Details', 'Value'],
      rows: rows.map((row) => [
        textCell(rowName(row)),
        cell(emailStatus(row.result.status), row.result.status),
        textCell(rowMessage(row)),
        textCell(formatValue(row.result.value)),
      ]),
    })),
    dashboardUrl: config.dashboard.public_url,
    footer: `Sent by datamon for the ${run.label} check-in.`,
  };
  return { type: 'email', subject: checkinSubject(run, config), html: renderEmailHtml(content), text: renderEmailText(content) };
}
