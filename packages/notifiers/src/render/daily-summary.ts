import { formatUptime, STATUS_COLOUR, STATUS_ICON, type ChatPayload, type DailyUptime, type EmailPayload, type PipelineDayFigures } from '@datamon/core';
import { chatCard, decoratedText, type CardSection } from './chat-card.ts';
import { groupByKind, pipelineFacts, type RenderConfig } from './context.ts';
import { cell, renderEmailHtml, renderEmailText, textCell, type EmailContent } from './email-html.ts';
import { chatStatus, emailStatus, html, plural } from './text.ts';

/**
 * The end-of-day summary (README "Alerts"): uptime % per pipeline today, incidents opened, and each
 * pipeline's figures. Input is `dailyUptime(...)` from core.
 */

function countsLine(figures: PipelineDayFigures): string {
  const { counts } = figures;
  const parts = [`${counts.OK} OK`];
  if (counts.WARNING) parts.push(`${counts.WARNING} warning`);
  if (counts.CRITICAL) parts.push(`${counts.CRITICAL} critical`);
  if (counts.PENDING) parts.push(`${counts.PENDING} pending`);
  return parts.join(', ');
}

function checksLine(figures: PipelineDayFigures): string {
  return figures.checks === 0 ? 'no checks' : `${plural(figures.checks, 'check')}: ${countsLine(figures)}`;
}

/** A heartbeat's runs of the day: "3 runs, 1 failed"; empty for other kinds. */
function runsLine(figures: PipelineDayFigures): string {
  if (!figures.runs) return '';
  return `${plural(figures.runs.runs, 'run')}, ${figures.runs.failures} failed`;
}

const NO_DATA_CHAT = `⏳ <font color="${STATUS_COLOUR.PENDING}"><b>NO RESULTS</b></font>`;

/** `[datamon] Daily summary 2026-03-30: WARNING (2 incidents opened, uptime 97.9%)`. */
export function dailySummarySubject(day: DailyUptime): string {
  return `[datamon] Daily summary ${day.date}: ${day.overall} (${plural(day.incidentsOpened, 'incident')} opened, uptime ${formatUptime(day.uptimePercent)})`;
}

function rows(day: DailyUptime, config: RenderConfig) {
  return day.pipelines.map((figures) => {
    const facts = pipelineFacts(config, figures.pipelineId);
    return { figures, name: facts.name, group: facts.group };
  });
}

/**
 * The daily summary card: uptime % and the status now per pipeline (a section per group), the
 * day's result counts and incidents opened, and the dashboard button. No thread.
 *
 * @param day - `dailyUptime(...)` for the local day
 */
export function renderDailySummaryCard(day: DailyUptime, config: RenderConfig): ChatPayload {
  const sections: CardSection[] = groupByKind(rows(day, config), (row) => row.group).map(([group, list]) => ({
    header: html(group),
    widgets: list.map(({ figures, name }) =>
      decoratedText({
        topLabel: html(name),
        text: `${figures.lastStatus ? chatStatus(figures.lastStatus) : NO_DATA_CHAT} uptime <b>${formatUptime(figures.uptimePercent)}</b>`,
        bottomLabel: html([runsLine(figures), checksLine(figures), `${plural(figures.incidentsOpened, 'incident')} opened`, figures.anomaly ? `anomaly: ${figures.anomaly}` : ''].filter(Boolean).join(' · ')),
      }),
    ),
  }));
  return chatCard({
    cardId: `daily-summary-${day.date}`,
    title: `${STATUS_ICON[day.overall]} Daily summary ${day.date}: ${day.overall}`,
    subtitle: `${plural(day.incidentsOpened, 'incident')} opened · uptime ${formatUptime(day.uptimePercent)} · ${day.timezone}`,
    sections,
    dashboardUrl: config.dashboard.public_url,
    threadKey: null,
  });
}

/** The daily summary email: one table of pipelines (status now, uptime, checks, incidents opened). */
export function renderDailySummaryEmail(day: DailyUptime, config: RenderConfig): EmailPayload {
  const content: EmailContent = {
    heading: `${STATUS_ICON[day.overall]} Daily summary ${day.date}: ${day.overall}`,
    paragraphs: [
      cell(
        `Overall now: ${emailStatus(day.overall)}. ${html(plural(day.incidentsOpened, 'incident'))} opened today; uptime ${html(formatUptime(day.uptimePercent))} (OK share of the day's checks, PENDING left out; local day in ${html(day.timezone)}).`,
        `Overall now: ${day.overall}. ${plural(day.incidentsOpened, 'incident')} opened today; uptime ${formatUptime(day.uptimePercent)} (OK share of the day's checks, PENDING left out; local day in ${day.timezone}).`,
      ),
    ],
    tables: [
      {
        columns: ['Pipeline', 'Status now', 'Uptime', 'Checks', 'Incidents opened'],
        rows: rows(day, config).map(({ figures, name }) => [
          textCell(name),
          figures.lastStatus ? cell(emailStatus(figures.lastStatus), figures.lastStatus) : textCell('no results'),
          textCell(formatUptime(figures.uptimePercent)),
          textCell([figures.checks === 0 ? '0' : `${figures.checks} (${countsLine(figures)})`, runsLine(figures), figures.anomaly ? `anomaly: ${figures.anomaly}` : ''].filter(Boolean).join('; ')),
          textCell(String(figures.incidentsOpened)),
        ]),
      },
    ],
    dashboardUrl: config.dashboard.public_url,
    footer: `Sent by datamon: the daily summary for ${day.date}.`,
  };
  return { type: 'email', subject: dailySummarySubject(day), html: renderEmailHtml(content), text: renderEmailText(content) };
}
