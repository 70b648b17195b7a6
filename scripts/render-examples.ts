/**
 * Writes one rendered example of each Google Chat card (the JSON body that is POSTed) and each
 * email (HTML, plus its plain-text part) to docs/examples/, from the real renderers and the real
 * incident rule, with fixed times so the output only changes when the rendering does.
 *
 *   npx tsx scripts/render-examples.ts
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '@datamon/config';
import {
  dailyUptime,
  evaluateIncident,
  incidentSettings,
  type CheckResult,
  type CheckinRun,
  type IncidentEvent,
  type IncidentNotification,
  type IncidentRecord,
  type Status,
} from '@datamon/core';
import {
  mergeChatPayloads,
  renderAlertCard,
  renderAlertEmail,
  renderCheckinCard,
  renderCheckinEmail,
  renderDailySummaryCard,
  renderDailySummaryEmail,
  renderTestCard,
  renderTestEmail,
  type AlertMessage,
} from '@datamon/notifiers';
import type { ChatPayload, EmailPayload } from '@datamon/core';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'examples');

// The original monitor's file, as a user has it, with the dashboard's public address.
const config = resolveConfig(
  {
    database: { host: 'localhost', database: 'contact_centre_analytics', user: 'etl_user', password: 'example' },
    google_chat: { webhook_url: 'https://chat.googleapis.com/v1/spaces/XXX/messages?key=XXX&token=XXX', enabled: true },
    email: { smtp_server: 'smtp.gmail.com', smtp_port: 587, sender: 'monitor@example.com', password: 'example', recipients: ['ops@example.com'] },
    monitoring: { csv_directory: '/home/will/daily_reports', log_directory: '' },
    thresholds: { data_stale_hours: 24, warning_hours: 12, min_daily_calls: 1000, expected_operators: 237 },
    dashboard: { public_url: 'http://monitor.example.com:5000' },
  },
  { source: 'docs/examples (render-examples.ts)', env: {} },
);
const settings = incidentSettings(config);

function result(pipelineId: string, status: Status, checkedAt: string, message: string, value: number | null, threshold: string): CheckResult {
  return { pipelineId, status, value, message, checkedAt, details: { threshold }, durationMs: 12 };
}

/** Plays the alert worker over a list of events and keeps every decided notification. */
function play(pipeline: { id: string; name: string }, events: [string, IncidentEvent][]): IncidentNotification[] {
  let state: IncidentRecord | null = null;
  const sent: IncidentNotification[] = [];
  for (const [at, event] of events) {
    const decision = evaluateIncident(state, { pipeline, silencedUntil: null, event }, new Date(at), settings);
    state = decision.next;
    sent.push(...decision.notifications);
  }
  return sent;
}

const etl = play({ id: 'etl_calls', name: 'ETL Calls' }, [
  ['2026-03-30T06:31:05Z', { type: 'result', result: result('etl_calls', 'CRITICAL', '2026-03-30T06:31:00Z', 'newest FactCalls.call_start is 26.0 h old (critical over 24 h)', 26, 'critical over 24 h') }],
  ['2026-03-30T07:31:30Z', { type: 'tick' }],
  ['2026-03-30T07:46:05Z', { type: 'result', result: result('etl_calls', 'OK', '2026-03-30T07:46:00Z', 'newest FactCalls.call_start is 0.1 h old (warning over 12 h)', 0.1, 'warning over 12 h') }],
]);
const operators = play({ id: 'operators', name: 'Operators' }, [
  ['2026-03-30T06:30:05Z', { type: 'result', result: result('operators', 'WARNING', '2026-03-30T06:30:00Z', '231 rows in DimOperators with is_active = 1 (warning below 237)', 231, 'warning below 237') }],
]);

function pick(list: IncidentNotification[], kind: AlertMessage['kind'], channel: 'chat' | 'email'): IncidentNotification {
  const found = list.find((n) => n.kind === kind && n.channel === channel);
  if (!found) throw new Error(`the rule decided no ${kind} ${channel} message`);
  return found;
}

const checkin: CheckinRun = {
  id: 'first_shift-1774867500000',
  checkinId: 'first_shift',
  label: 'First Shift Check',
  scheduledFor: '2026-03-30T10:45:00.000Z',
  ranAt: '2026-03-30T10:45:02.000Z',
  late: false,
  manual: false,
  overall: 'CRITICAL',
  results: [
    { pipelineId: 'morning_csv', status: 'CRITICAL', message: 'productivity_20260330_1131.csv is missing after its deadline 12:00', value: null },
    { pipelineId: 'first_calls', status: 'OK', message: '1,204 rows in FactFirstCalls with call_start today (critical at 0)', value: 1204 },
    { pipelineId: 'operators', status: 'WARNING', message: '231 rows in DimOperators with is_active = 1 (warning below 237)', value: 231 },
  ],
};

const samples = (pipelineId: string, statuses: Status[]) =>
  statuses.map((status, index) => ({ pipelineId, status, checkedAt: new Date(Date.parse('2026-03-30T05:00:00Z') + index * 300_000).toISOString() }));
const day = dailyUptime({
  date: '2026-03-30',
  zone: config.monitoring.timezone,
  pipelineIds: config.pipelines.map((p) => p.id),
  results: [
    ...samples('etl_calls', [...Array<Status>(18).fill('CRITICAL'), ...Array<Status>(130).fill('OK')]),
    ...samples('first_calls', [...Array<Status>(48).fill('PENDING'), ...Array<Status>(100).fill('OK')]),
    ...samples('operators', [...Array<Status>(148).fill('WARNING')]),
    ...samples('call_volume', [...Array<Status>(148).fill('OK')]),
    ...samples('morning_csv', [...Array<Status>(80).fill('PENDING'), ...Array<Status>(10).fill('CRITICAL'), ...Array<Status>(58).fill('OK')]),
    ...samples('afternoon_csv', [...Array<Status>(130).fill('PENDING'), ...Array<Status>(18).fill('OK')]),
  ],
  incidents: [
    { pipelineId: 'etl_calls', openedAt: '2026-03-30T06:31:00Z' },
    { pipelineId: 'operators', openedAt: '2026-03-30T06:30:00Z' },
    { pipelineId: 'morning_csv', openedAt: '2026-03-30T11:00:00Z' },
  ],
});
const now = new Date('2026-03-30T10:45:00Z');

const cards: [string, ChatPayload][] = [
  ['checkin-card', renderCheckinCard(checkin, config)],
  ['critical-card', renderAlertCard(pick(etl, 'critical', 'chat'), config)],
  ['warning-card', renderAlertCard(pick(operators, 'warning', 'chat'), config)],
  ['escalation-card', renderAlertCard(pick(etl, 'escalation', 'chat'), config)],
  ['resolved-card', renderAlertCard(pick(etl, 'resolved', 'chat'), config)],
  ['daily-summary-card', renderDailySummaryCard(day, config)],
  ['test-card', renderTestCard(config, now)],
];
cards.push([
  'merged-card',
  mergeChatPayloads([renderAlertCard(pick(etl, 'critical', 'chat'), config), renderAlertCard(pick(operators, 'warning', 'chat'), config)]),
]);
const emails: [string, EmailPayload][] = [
  ['checkin-email', renderCheckinEmail(checkin, config)],
  ['critical-email', renderAlertEmail(pick(etl, 'critical', 'email'), config)],
  ['warning-email', renderAlertEmail({ ...pick(operators, 'warning', 'chat'), kind: 'warning' }, config)],
  ['escalation-email', renderAlertEmail(pick(etl, 'escalation', 'email'), config)],
  ['resolved-email', renderAlertEmail(pick(etl, 'resolved', 'email'), config)],
  ['daily-summary-email', renderDailySummaryEmail(day, config)],
  ['test-email', renderTestEmail(config, now)],
];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const index: string[] = [
  '# Rendered examples',
  '',
  'Written by `npx tsx scripts/render-examples.ts` from the real renderers (and the real incident rule',
  'for the alert messages); do not edit by hand. Cards are the JSON bodies POSTed to the Google Chat',
  'webhook; emails are the HTML part, with the plain-text part beside it. Times are Europe/London.',
  '',
  '| file | what | thread / subject |',
  '|---|---|---|',
];
for (const [name, payload] of cards) {
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify(payload.body, null, 2)}\n`);
  index.push(`| [${name}.json](${name}.json) | Google Chat card | ${payload.threadKey ? `threadKey \`${payload.threadKey}\`` : 'no thread'} |`);
}
for (const [name, payload] of emails) {
  writeFileSync(join(out, `${name}.html`), payload.html);
  writeFileSync(join(out, `${name}.txt`), payload.text);
  index.push(`| [${name}.html](${name}.html), [.txt](${name}.txt) | email | \`${payload.subject}\` |`);
}
index.push(
  '',
  'The warning email is rendered for completeness: the incident rule sends a WARNING to Chat only.',
  'The merged card is what `mergeChatPayloads` makes of the critical and warning cards above.',
  '',
);
writeFileSync(join(out, 'README.md'), index.join('\n'));
console.log(`wrote ${cards.length} cards and ${emails.length} emails to ${out}`);
