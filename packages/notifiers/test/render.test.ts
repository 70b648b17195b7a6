import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dailyUptime, type ChatPayload, type DatamonConfig } from '@datamon/core';
import {
  alertSubject,
  checkinSubject,
  dailySummarySubject,
  mergeChatPayloads,
  chatPayloadFits,
  chatWidgetCounts,
  CHAT_LIMITS,
  renderAlertCard,
  renderAlertEmail,
  renderCheckinCard,
  renderCheckinEmail,
  renderDailySummaryCard,
  renderDailySummaryEmail,
  renderIncidentNotification,
  renderTestCard,
  renderTestEmail,
  TEST_SUBJECT,
} from '../src/index.ts';
import { testConfig } from './helpers/config.ts';
import { checkinRun, incident, notification } from './helpers/fixtures.ts';

const config = testConfig();
const NASTY = '<b>x</b><script>alert(1)</script>';
const ESCAPED = '&lt;b&gt;x&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;';

interface CardShape {
  cardId: string;
  card: {
    header: { title: string; subtitle: string };
    sections: { header?: string; widgets: Record<string, { text?: string; topLabel?: string; bottomLabel?: string; buttons?: { onClick: { openLink: { url: string } } }[] }>[] }[];
  };
}

function cardOf(payload: ChatPayload): CardShape {
  const cards = payload.body.cardsV2 as CardShape[];
  assert.equal(cards.length, 1, 'one card per message');
  return cards[0] as CardShape;
}

function texts(payload: ChatPayload): string[] {
  return cardOf(payload).card.sections.flatMap((section) =>
    section.widgets.flatMap((widget) => {
      const inner = widget.decoratedText ?? widget.textParagraph;
      return inner ? [inner.topLabel ?? '', inner.text ?? '', inner.bottomLabel ?? ''] : [];
    }),
  );
}

function buttonUrls(payload: ChatPayload): string[] {
  return cardOf(payload).card.sections.flatMap((section) =>
    section.widgets.flatMap((widget) => (widget.buttonList?.buttons ?? []).map((button) => button.onClick.openLink.url)),
  );
}

function withAction(base: DatamonConfig, id: string, action: string): DatamonConfig {
  return { ...base, pipelines: base.pipelines.map((pipeline) => (pipeline.id === id ? { ...pipeline, action } : pipeline)) };
}

describe('the check-in card and email', () => {
  it('has the subject "[datamon] <label> <time>: <overall> (<counts>)"', () => {
    assert.equal(checkinSubject(checkinRun(), config), '[datamon] First Shift Check 11:45: CRITICAL (1 critical, 1 warning)');
    assert.equal(renderCheckinEmail(checkinRun(), config).subject, '[datamon] First Shift Check 11:45: CRITICAL (1 critical, 1 warning)');
  });
  it('says "all N OK" in the subject when nothing needs a look, and counts PENDING', () => {
    const ok = checkinRun({ overall: 'OK', results: checkinRun().results.map((r) => ({ ...r, status: 'OK' as const })) });
    assert.equal(checkinSubject(ok, config), '[datamon] First Shift Check 11:45: OK (all 3 OK)');
    const pending = checkinRun({ overall: 'PENDING', results: [{ pipelineId: 'morning_csv', status: 'PENDING', message: 'expected at 11:31', value: null }] });
    assert.equal(checkinSubject(pending, config), '[datamon] First Shift Check 11:45: WAITING (1 waiting)');
    const card = renderCheckinCard(pending, config);
    assert.match(JSON.stringify(card.body), /"title":"⏳ First Shift Check 11:45: WAITING"/);
  });
  it('has a header with the overall status and a section per group of pipelines', () => {
    const card = cardOf(renderCheckinCard(checkinRun(), config));
    assert.equal(card.card.header.title, '🔴 First Shift Check 11:45: CRITICAL');
    assert.match(card.card.header.subtitle, /1 critical, 1 warning · 2026-03-30/);
    assert.deepEqual(card.card.sections.map((section) => section.header ?? null), ['Files', 'Warehouse', null]);
  });
  it('shows each pipeline with its icon and coloured status word', () => {
    const all = texts(renderCheckinCard(checkinRun(), config)).join('\n');
    assert.ok(all.includes('🔴 <font color="#d93025"><b>CRITICAL</b></font>'));
    assert.ok(all.includes('⚠️ <font color="#f29900"><b>WARNING</b></font>'));
    assert.ok(all.includes('✅ <font color="#188038"><b>OK</b></font>'));
    assert.ok(all.includes('Morning CSV'));
  });
  it('shows PENDING grey with its hourglass', () => {
    const run = checkinRun({ results: [{ pipelineId: 'morning_csv', status: 'PENDING', message: 'expected at 11:31', value: null }] });
    assert.ok(texts(renderCheckinCard(run, config)).join('').includes('⏳ <font color="#5f6368"><b>PENDING</b></font>'));
  });
  it('has a button opening dashboard.public_url, and no thread', () => {
    const payload = renderCheckinCard(checkinRun(), config);
    assert.deepEqual(buttonUrls(payload), ['https://datamon.example.com/']);
    assert.equal(payload.threadKey, null);
    assert.equal(payload.body.thread, undefined);
  });
  it('says when the check-in ran late', () => {
    const run = checkinRun({ late: true, ranAt: '2026-03-30T11:10:00.000Z' });
    assert.match(cardOf(renderCheckinCard(run, config)).card.header.subtitle, /run late at 12:10/);
    assert.match(renderCheckinEmail(run, config).text, /run late at 12:10/);
  });
  it('escapes text from checks in the card and the email HTML', () => {
    const run = checkinRun({ results: [{ pipelineId: 'morning_csv', status: 'CRITICAL', message: NASTY, value: NASTY }] });
    const card = JSON.stringify(renderCheckinCard(run, config));
    assert.ok(!card.includes('<script>') && !card.includes('<b>x'), card);
    assert.ok(card.includes(ESCAPED));
    const email = renderCheckinEmail(run, config);
    assert.ok(!email.html.includes('<script>') && !email.html.includes('<b>x'));
    assert.ok(email.html.includes(ESCAPED));
    assert.ok(email.text.includes(NASTY), 'the plain-text part shows the text as it is');
  });
  it('has an HTML table of pipelines with coloured statuses, a plain-text part and the dashboard link', () => {
    const email = renderCheckinEmail(checkinRun(), config);
    assert.equal(email.type, 'email');
    assert.match(email.html, /<table/);
    assert.match(email.html, /<td[^>]*>Morning CSV<\/td>/);
    assert.ok(email.html.includes('color:#d93025'));
    assert.ok(email.html.includes('href="https://datamon.example.com/"'));
    assert.match(email.text, /Morning CSV \| Status: CRITICAL/);
    assert.match(email.text, /Dashboard: https:\/\/datamon\.example\.com\//);
  });
});

describe('dependencies in cards and emails (README "Dependencies")', () => {
  it('a root\'s alert lists what it blocks, by name', () => {
    const payload = renderAlertCard(notification({}, incident({ affects: ['first_calls', 'call_volume'] })), config);
    assert.ok(texts(payload).join('\n').includes('First Calls, Call Volume (depend on ETL Calls; no separate alert)'));
    const email = renderAlertEmail(notification({ channel: 'email' }, incident({ affects: ['call_volume'] })), config);
    assert.match(email.text, /Also affected\W+Call Volume \(depends on ETL Calls; no separate alert\)/);
  });
  it('a root\'s resolved message says what it blocked is checked again', () => {
    const closed = incident({ affects: ['call_volume'], closedAt: '2026-03-30T07:31:00.000Z', announcedStatus: 'OK' });
    const all = texts(renderAlertCard(notification({ kind: 'resolved', reason: 'resolved' }, closed), config)).join('\n');
    assert.ok(all.includes('Call Volume (checked again now; one still failing alerts on its own)'));
  });
  it('a pipeline alerting once its root is fixed says it is no longer blocked', () => {
    const record = incident({ id: 'call_volume-1', pipelineId: 'call_volume', pipelineName: 'Call Volume', unblockedFrom: 'etl_calls' });
    const card = cardOf(renderAlertCard(notification({ reason: 'unblocked' }, record), config));
    assert.match(card.card.header.subtitle, /^No longer blocked by ETL Calls: still failing on its own · incident opened at 07:31/);
  });
  it('a check-in card lists a blocked pipeline right under its root, in the root\'s section', () => {
    const run = checkinRun({
      checkinId: 'morning',
      label: 'Morning CC Data Check',
      results: [
        { pipelineId: 'call_volume', status: 'CRITICAL', message: '0 rows in FactCalls yesterday', value: 0, blockedBy: 'etl_calls' },
        { pipelineId: 'operators', status: 'OK', message: '240 operators', value: 240, blockedBy: null },
        { pipelineId: 'etl_calls', status: 'CRITICAL', message: 'newest FactCalls.call_start is 30.0 h old', value: 30, blockedBy: null },
      ],
    });
    const labels = texts(renderCheckinCard(run, config)).filter((_, index) => index % 3 === 0);
    assert.deepEqual(labels, ['Operators', 'ETL Calls', '\u21b3 Call Volume']);
    assert.ok(texts(renderCheckinCard(run, config)).some((text) => text.includes('blocked by ETL Calls: 0 rows in FactCalls yesterday')));
    assert.match(renderCheckinEmail(run, config).text, /blocked by ETL Calls: 0 rows/);
  });
});

describe('the alert cards and emails', () => {
  it('a critical alert says what failed, the value against its threshold, when first detected (local) and the action', () => {
    const payload = renderAlertCard(notification(), config);
    const card = cardOf(payload);
    assert.equal(card.card.header.title, '🔴 CRITICAL: ETL Calls');
    assert.match(card.card.header.subtitle, /Incident opened at 07:31/);
    const all = texts(payload).join('\n');
    assert.ok(all.includes('newest FactCalls.call_start is 26.0 h old (critical over 24 h)'));
    assert.ok(all.includes('26 against critical over 24 h'));
    assert.ok(all.includes('2026-03-30 07:31 (Europe/London)'));
    assert.ok(all.includes('Check the ETL scheduler'), 'the default action of etl_calls');
    assert.ok(all.includes('🔴 <font color="#d93025"><b>CRITICAL</b></font>'));
    assert.deepEqual(card.card.sections.map((section) => section.header ?? null), [null, 'Required action', null]);
  });
  it('carries thread.threadKey = the incident id, in the payload and the body', () => {
    const payload = renderAlertCard(notification(), config);
    assert.equal(payload.threadKey, 'etl_calls-1774852260000');
    assert.deepEqual(payload.body.thread, { threadKey: 'etl_calls-1774852260000' });
    for (const kind of ['warning', 'escalation', 'resolved'] as const) {
      assert.equal(renderAlertCard(notification({ kind }), config).threadKey, 'etl_calls-1774852260000');
    }
  });
  it('a warning alert is amber with its warning sign', () => {
    const record = incident({ status: 'WARNING', worstStatus: 'WARNING', criticalSince: null, emailed: false, pipelineId: 'operators', pipelineName: 'Operators' });
    const payload = renderAlertCard(notification({ kind: 'warning' }, record), config);
    assert.equal(cardOf(payload).card.header.title, '⚠️ WARNING: Operators');
    assert.ok(texts(payload).join('').includes('⚠️ <font color="#f29900"><b>WARNING</b></font>'));
    assert.equal(renderAlertEmail(notification({ kind: 'warning', channel: 'email' }, record), config).subject, '[datamon] WARNING: Operators');
  });
  it('has subjects per kind', () => {
    assert.equal(alertSubject(notification()), '[datamon] CRITICAL: ETL Calls');
    assert.equal(
      alertSubject(notification({ kind: 'escalation', decidedAt: '2026-03-30T07:31:00.000Z' })),
      '[datamon] ESCALATION: ETL Calls CRITICAL for 1 h, not acknowledged',
    );
    const closed = incident({ closedAt: '2026-03-30T07:36:00.000Z', resolution: 'newest call 0.1 h old' });
    assert.equal(alertSubject(notification({ kind: 'resolved' }, closed)), '[datamon] RESOLVED: ETL Calls (was CRITICAL for 1 h 5 min)');
  });
  it('an escalation card is marked as an escalation and says for how long it has been CRITICAL', () => {
    const payload = renderAlertCard(notification({ kind: 'escalation', reason: 'escalated', decidedAt: '2026-03-30T07:31:00.000Z' }), config);
    const card = cardOf(payload);
    assert.equal(card.card.header.title, '🔴 ESCALATION: ETL Calls');
    assert.match(card.card.header.subtitle, /CRITICAL for 1 h, not acknowledged/);
  });
  it('a repeat escalation says which reminder it is', () => {
    const payload = renderAlertCard(notification({ kind: 'escalation', reason: 'repeated', decidedAt: '2026-03-30T08:31:00.000Z' }, incident({ escalations: 2 })), config);
    assert.match(cardOf(payload).card.header.subtitle, /reminder 2/);
  });
  it('a resolved card is green, says what it is now and the worst status it reached', () => {
    const closed = incident({ closedAt: '2026-03-30T07:36:00.000Z', resolution: 'newest call 0.1 h old', status: 'WARNING' });
    const payload = renderAlertCard(notification({ kind: 'resolved', reason: 'resolved' }, closed), config);
    assert.equal(cardOf(payload).card.header.title, '✅ RESOLVED: ETL Calls');
    const all = texts(payload).join('\n');
    assert.ok(all.includes('✅ <font color="#188038"><b>OK</b></font> (was 🔴 <font color="#d93025"><b>CRITICAL</b></font>)'));
    assert.ok(all.includes('newest call 0.1 h old'));
  });
  it('escapes check text, values, thresholds and the action in the card and the email', () => {
    const record = incident({ message: NASTY, value: NASTY, threshold: NASTY, resolution: NASTY, acknowledged: true, acknowledgedBy: NASTY });
    const nastyConfig = withAction(config, 'etl_calls', NASTY);
    for (const kind of ['critical', 'escalation', 'resolved'] as const) {
      const card = JSON.stringify(renderAlertCard(notification({ kind }, record), nastyConfig));
      assert.ok(!card.includes('<script>') && !card.includes('<b>x'), `${kind} card: ${card}`);
      assert.ok(card.includes(ESCAPED));
      const email = renderAlertEmail(notification({ kind, channel: 'email' }, record), nastyConfig);
      assert.ok(!email.html.includes('<script>') && !email.html.includes('<b>x'), `${kind} email`);
      assert.ok(email.html.includes(ESCAPED));
    }
  });
  it('keeps tags out of the plain-text card header even when a pipeline is named with them', () => {
    const card = JSON.stringify(renderAlertCard(notification({}, incident({ pipelineName: '<script>' })), config));
    assert.ok(!card.includes('<script>'));
  });
  it('an alert email has HTML, a plain-text part, the facts and the dashboard link', () => {
    const email = renderAlertEmail(notification({ channel: 'email' }), config);
    assert.equal(email.subject, '[datamon] CRITICAL: ETL Calls');
    assert.match(email.html, /<table/);
    assert.ok(email.html.includes('26 against critical over 24 h'));
    assert.ok(email.html.includes('href="https://datamon.example.com/"'));
    assert.match(email.text, /Required action: Check the ETL scheduler/);
    assert.match(email.text, /First detected: 2026-03-30 07:31 \(Europe\/London\)/);
  });
  it('says when a message was held back', () => {
    assert.match(cardOf(renderAlertCard(notification({ late: true }), config)).card.header.subtitle, /held back/);
  });
  it('renderIncidentNotification gives the card for chat and the email for email', () => {
    assert.equal(renderIncidentNotification(notification({ channel: 'chat' }), config).type, 'chat');
    assert.equal(renderIncidentNotification(notification({ channel: 'email' }), config).type, 'email');
  });
});

describe('the daily summary', () => {
  const day = dailyUptime({
    date: '2026-03-30',
    zone: 'Europe/London',
    pipelineIds: ['etl_calls', 'morning_csv', 'operators'],
    results: [
      { pipelineId: 'etl_calls', status: 'OK', checkedAt: '2026-03-30T06:00:00Z' },
      { pipelineId: 'etl_calls', status: 'OK', checkedAt: '2026-03-30T06:05:00Z' },
      { pipelineId: 'etl_calls', status: 'OK', checkedAt: '2026-03-30T06:10:00Z' },
      { pipelineId: 'etl_calls', status: 'CRITICAL', checkedAt: '2026-03-30T06:15:00Z' },
      { pipelineId: 'morning_csv', status: 'PENDING', checkedAt: '2026-03-30T09:00:00Z' },
      { pipelineId: 'morning_csv', status: 'OK', checkedAt: '2026-03-30T10:35:00Z' },
    ],
    incidents: [{ pipelineId: 'etl_calls', openedAt: '2026-03-30T06:15:00Z' }],
  });
  it('counts a heartbeat\'s runs and failures, and notes an anomaly, on the card and in the email', () => {
    const noted = dailyUptime({
      date: '2026-03-30',
      zone: 'Europe/London',
      pipelineIds: ['call_volume', 'nightly_etl'],
      results: [{ pipelineId: 'call_volume', status: 'WARNING', checkedAt: '2026-03-30T06:30:00Z' }],
      incidents: [],
      runs: { nightly_etl: { runs: 3, failures: 1 } },
      anomalies: { call_volume: '812 calls yesterday, 45% below a usual Sunday (median 1,480, usual 1,310-1,650 over 8 Sundays)' },
    });
    const all = texts(renderDailySummaryCard(noted, config)).join('\n');
    assert.match(all, /3 runs, 1 failed/);
    assert.match(all, /anomaly: 812 calls yesterday, 45% below a usual Sunday/);
    assert.match(renderDailySummaryEmail(noted, config).text, /3 runs, 1 failed[\s\S]*anomaly: 812 calls yesterday|anomaly: 812 calls yesterday[\s\S]*3 runs, 1 failed/);
  });
  it('has the subject "[datamon] Daily summary <date>: <overall> (<incidents> opened, uptime <n>%)"', () => {
    assert.equal(dailySummarySubject(day), '[datamon] Daily summary 2026-03-30: CRITICAL (1 incident opened, uptime 80.0%)');
    assert.equal(renderDailySummaryEmail(day, config).subject, dailySummarySubject(day));
  });
  it('shows uptime per pipeline today, its figures and the incidents opened', () => {
    const payload = renderDailySummaryCard(day, config);
    const all = texts(payload).join('\n');
    assert.ok(all.includes('uptime <b>75.0%</b>'));
    assert.ok(all.includes('uptime <b>100%</b>'));
    assert.ok(all.includes('4 checks: 3 OK, 1 critical · 1 incident opened'));
    assert.ok(all.includes('NO RESULTS'), 'a pipeline with no results says so rather than 0% or 100%');
    assert.match(cardOf(payload).card.header.subtitle, /1 incident opened/);
    assert.deepEqual(buttonUrls(payload), ['https://datamon.example.com/']);
    assert.equal(payload.threadKey, null);
  });
  it('has an email table with uptime per pipeline', () => {
    const email = renderDailySummaryEmail(day, config);
    assert.match(email.html, /<td[^>]*>75\.0%<\/td>/);
    assert.match(email.text, /ETL Calls \| Status now: CRITICAL \| Uptime: 75\.0%/);
  });
});

describe('the test message', () => {
  const now = new Date('2026-03-30T10:45:00Z');
  it('is a card with the button and a plain email with its own subject', () => {
    const card = renderTestCard(config, now);
    assert.equal(cardOf(card).card.header.title, '✅ datamon test message');
    assert.match(cardOf(card).card.header.subtitle, /2026-03-30 11:45 \(Europe\/London\)/);
    assert.deepEqual(buttonUrls(card), ['https://datamon.example.com/']);
    const email = renderTestEmail(config, now);
    assert.equal(email.subject, TEST_SUBJECT);
    assert.equal(email.subject, '[datamon] Test message');
    assert.match(email.text, /reach this mailbox/);
  });
});

describe('mergeChatPayloads', () => {
  const critical = renderAlertCard(notification(), config);
  const other = incident({ id: 'operators-1', pipelineId: 'operators', pipelineName: 'Operators', status: 'WARNING' });
  const warning = renderAlertCard(notification({ kind: 'warning' }, other), config);

  it('returns a single payload as it is', () => {
    assert.equal(mergeChatPayloads([critical]), critical);
  });
  it('merges many cards into one card with each card headed by its title and one dashboard button at the end', () => {
    const merged = mergeChatPayloads([critical, warning]);
    const card = cardOf(merged);
    assert.equal(card.card.header.title, 'datamon: 2 messages');
    assert.match(card.card.header.subtitle, /CRITICAL: ETL Calls · ⚠️ WARNING: Operators/);
    const headers = card.card.sections.map((section) => section.header ?? '');
    assert.ok(headers.some((header) => header.startsWith('<b>🔴 CRITICAL: ETL Calls</b>')));
    assert.ok(headers.some((header) => header.startsWith('<b>⚠️ WARNING: Operators</b>')));
    assert.deepEqual(buttonUrls(merged), ['https://datamon.example.com/']);
    assert.equal(card.card.sections.at(-1)?.widgets[0]?.buttonList !== undefined, true);
  });
  it('sends cards of different incidents to a thread of their own (no threadKey)', () => {
    const merged = mergeChatPayloads([critical, warning]);
    assert.equal(merged.threadKey, null);
    assert.equal(merged.body.thread, undefined);
  });
  it('keeps the thread when every card belongs to the same incident', () => {
    const escalation = renderAlertCard(notification({ kind: 'escalation' }), config);
    const merged = mergeChatPayloads([critical, escalation]);
    assert.equal(merged.threadKey, 'etl_calls-1774852260000');
    assert.deepEqual(merged.body.thread, { threadKey: 'etl_calls-1774852260000' });
  });
  it('refuses nothing to merge, or a body without cards', () => {
    assert.throws(() => mergeChatPayloads([]), /nothing to merge/);
    assert.throws(() => mergeChatPayloads([critical, { type: 'chat', threadKey: null, body: { text: 'hi' } }]), /no cardsV2/);
  });
  it('keeps escaped text escaped', () => {
    const nasty = renderAlertCard(notification({}, incident({ message: NASTY })), config);
    const merged = JSON.stringify(mergeChatPayloads([nasty, warning]));
    assert.ok(!merged.includes('<script>'));
  });
});

describe('chatPayloadFits (what Google Chat shows whole)', () => {
  const card = renderAlertCard(notification(), config);
  const many = (count: number) => mergeChatPayloads(Array.from({ length: count }, () => card));

  it('accepts one alert card and ten merged ones', () => {
    assert.ok(chatPayloadFits(card));
    assert.ok(chatPayloadFits(many(10)));
  });
  it('refuses a merged card with more than 100 widgets (Chat would silently drop the rest)', () => {
    const perCard = chatWidgetCounts(card)[0] ?? 0;
    const over = Math.ceil(101 / (perCard - 1)) + 1;
    assert.ok((chatWidgetCounts(many(over))[0] ?? 0) > CHAT_LIMITS.widgetsPerCard);
    assert.equal(chatPayloadFits(many(over)), false);
  });
  it('refuses a body over the byte limit', () => {
    const long = renderAlertCard(notification({}, incident({ message: 'é'.repeat(20_000) })), config);
    assert.equal(chatPayloadFits(long), false);
    assert.ok(chatPayloadFits(card, { widgetsPerCard: 100, bytes: 1_000_000 }));
  });
});
