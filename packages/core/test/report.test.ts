import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  csvField,
  periodReport,
  renderReportCsv,
  renderReportMarkdown,
  type ReportIncident,
  reportUptime,
  reportWindow,
  type Status,
  type UptimeSample,
} from '../src/index.ts';

const sample = (pipelineId: string, status: Status, checkedAt: string): UptimeSample => ({ pipelineId, status, checkedAt });

function incident(id: string, pipelineId: string, fields: Partial<ReportIncident> & Pick<ReportIncident, 'openedAt'>): ReportIncident {
  return { id, pipelineId, closedAt: null, acknowledgedAt: null, worstStatus: 'WARNING', ...fields };
}

describe('reportWindow', () => {
  const now = new Date('2026-03-30T07:30:00Z');
  const from = (since: string) => reportWindow(since, now, 'Europe/London').from.toISOString();

  it('ends at now', () => {
    assert.equal(reportWindow('7d', now, 'Europe/London').to.toISOString(), '2026-03-30T07:30:00.000Z');
  });
  it('counts <n>d in local calendar days: a week across the spring clock change is 167 hours', () => {
    assert.equal(from('7d'), '2026-03-23T08:30:00.000Z');
    assert.equal(from('1D'), '2026-03-29T07:30:00.000Z');
  });
  it('counts <n>h in exact hours', () => {
    assert.equal(from('24h'), '2026-03-29T07:30:00.000Z');
    assert.equal(from('168h'), '2026-03-23T07:30:00.000Z');
  });
  it('starts a date at its local midnight', () => {
    assert.equal(from('2026-03-23'), '2026-03-23T00:00:00.000Z');
    assert.equal(from('2026-03-30'), '2026-03-29T23:00:00.000Z', 'midnight in summer time');
  });
  it('reads an instant with its offset, and one without in the zone', () => {
    assert.equal(from('2026-03-23T07:30:00+02:00'), '2026-03-23T05:30:00.000Z');
    assert.equal(from('2026-03-23T07:30:00Z'), '2026-03-23T07:30:00.000Z');
    assert.equal(from('2026-03-30T07:00'), '2026-03-30T06:00:00.000Z');
  });
  it('refuses what is not a period, naming the value and the accepted forms', () => {
    for (const bad of ['banana', '7w', '0d', '-7d', 'd', '7', '2026-02-30', '30/03/2026', '2026-03-23T25:00:00Z', '']) {
      assert.throws(() => reportWindow(bad, now, 'Europe/London'), new RegExp(`^Error: "${bad}" is not a period: use <n>d, <n>h, or an ISO date or instant`), bad);
    }
  });
  it('refuses a start that is not before now', () => {
    assert.throws(() => reportWindow('2026-03-31', now, 'Europe/London'), /"2026-03-31" starts at 2026-03-30T23:00:00.000Z, not before the report's end 2026-03-30T07:30:00.000Z/);
    assert.throws(() => reportWindow('2026-03-30T07:30:00Z', now, 'Europe/London'), /not before the report's end/);
  });
});

describe('reportUptime', () => {
  it('has 2 decimals, cut rather than rounded, so a failure never reads 100.00', () => {
    assert.equal(reportUptime(100), '100.00');
    assert.equal(reportUptime(99.999), '99.99');
    assert.equal(reportUptime(200 / 3), '66.66');
    assert.equal(reportUptime(97.92), '97.92');
    assert.equal(reportUptime(0), '0.00');
    assert.equal(reportUptime(null), null);
  });
});

describe('csvField', () => {
  it('quotes a field with a comma, a quote or a line break and doubles its quotes (RFC 4180)', () => {
    assert.equal(csvField('ETL Calls'), 'ETL Calls');
    assert.equal(csvField('Calls, "raw"'), '"Calls, ""raw"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
  });
});

describe('a week of three pipelines, 2026-03-23 to 2026-03-30 UTC', () => {
  const window = { from: new Date('2026-03-23T00:00:00Z'), to: new Date('2026-03-30T00:00:00Z') };
  const pipelines = [
    { id: 'etl_calls', name: 'ETL Calls' },
    { id: 'morning_csv', name: 'Morning CSV' },
    { id: 'quiet', name: 'Quiet | feed' },
  ];
  const results = [
    sample('etl_calls', 'CRITICAL', '2026-03-22T23:59:59Z'), // before the week
    ...['23', '24', '25', '26', '27', '28'].map((day) => sample('etl_calls', 'OK', `2026-03-${day}T06:00:00Z`)),
    sample('etl_calls', 'CRITICAL', '2026-03-24T10:00:00Z'),
    sample('etl_calls', 'WARNING', '2026-03-26T08:00:00Z'),
    sample('etl_calls', 'PENDING', '2026-03-29T06:00:00Z'),
    sample('etl_calls', 'CRITICAL', '2026-03-30T00:00:00Z'), // the end is exclusive
    sample('morning_csv', 'OK', '2026-03-23T12:00:00Z'),
    sample('morning_csv', 'OK', '2026-03-24T12:00:00Z'),
    sample('morning_csv', 'CRITICAL', '2026-03-29T11:00:00Z'),
    sample('retired', 'CRITICAL', '2026-03-25T11:00:00Z'), // not a reported pipeline
  ];
  const opened = incident('etl_calls-a', 'etl_calls', { openedAt: '2026-03-24T10:00:00Z', acknowledgedAt: '2026-03-24T10:15:00Z', closedAt: '2026-03-24T11:00:00Z', worstStatus: 'CRITICAL' });
  const incidents = [
    opened,
    opened, // given twice, counted once
    incident('etl_calls-b', 'etl_calls', { openedAt: '2026-03-26T08:00:00Z', acknowledgedAt: '2026-03-26T08:05:00Z', closedAt: '2026-03-26T08:45:00Z' }),
    // Opened and acknowledged the week before, resolved in this one after 24 h.
    incident('etl_calls-c', 'etl_calls', { openedAt: '2026-03-22T09:00:00Z', acknowledgedAt: '2026-03-22T09:30:00Z', closedAt: '2026-03-23T09:00:00Z', worstStatus: 'CRITICAL' }),
    // Opened right at the end: next week's.
    incident('etl_calls-d', 'etl_calls', { openedAt: '2026-03-30T00:00:00Z' }),
    // Still open, never acknowledged.
    incident('morning_csv-a', 'morning_csv', { openedAt: '2026-03-29T11:00:00Z', worstStatus: 'CRITICAL' }),
    // Acknowledged in the week, resolved after it: open at the end.
    incident('morning_csv-b', 'morning_csv', { openedAt: '2026-03-28T12:00:00Z', acknowledgedAt: '2026-03-28T12:20:00Z', closedAt: '2026-03-30T01:00:00Z' }),
    // Resolved before the week began.
    incident('morning_csv-c', 'morning_csv', { openedAt: '2026-03-20T12:00:00Z', acknowledgedAt: '2026-03-20T12:01:00Z', closedAt: '2026-03-20T13:00:00Z' }),
    incident('retired-a', 'retired', { openedAt: '2026-03-25T11:00:00Z', acknowledgedAt: '2026-03-25T11:01:00Z', closedAt: '2026-03-25T12:00:00Z' }),
  ];
  const report = periodReport({ window, pipelines, results, incidents });
  const min = 60_000;

  it('gives each pipeline the OK share of its checks in the week, PENDING left out', () => {
    assert.deepEqual(
      report.pipelines.map((p) => [p.pipelineId, p.checks, p.uptimePercent]),
      [
        ['etl_calls', 9, 75],
        ['morning_csv', 3, (2 / 3) * 100],
        ['quiet', 0, null],
      ],
    );
  });

  it('counts the incidents opened in the week, and the critical ones among them', () => {
    assert.deepEqual(
      report.pipelines.map((p) => [p.incidents, p.critical, p.openAtEnd]),
      [
        [2, 1, 0],
        [2, 1, 2],
        [0, 0, 0],
      ],
    );
  });

  it('measures time to acknowledge and to resolve from the opening, for what happened in the week', () => {
    const [etl, morning, quiet] = report.pipelines;
    assert.deepEqual(etl?.acknowledge, { count: 2, meanMs: 10 * min, worstMs: 15 * min });
    assert.deepEqual(etl?.resolve, { count: 3, meanMs: 515 * min, worstMs: 1440 * min }, '60, 45 and 1,440 minutes');
    assert.deepEqual(morning?.acknowledge, { count: 1, meanMs: 20 * min, worstMs: 20 * min });
    assert.deepEqual(morning?.resolve, { count: 0, meanMs: null, worstMs: null });
    assert.deepEqual(quiet?.acknowledge, { count: 0, meanMs: null, worstMs: null });
  });

  it('totals over every result and incident, not as a mean of means', () => {
    assert.deepEqual(report.totals, {
      checks: 12,
      uptimePercent: (8 / 11) * 100,
      incidents: 4,
      critical: 2,
      openAtEnd: 2,
      acknowledge: { count: 3, meanMs: (40 / 3) * min, worstMs: 20 * min },
      resolve: { count: 3, meanMs: 515 * min, worstMs: 1440 * min },
    });
    assert.equal(report.from, '2026-03-23T00:00:00.000Z');
    assert.equal(report.to, '2026-03-30T00:00:00.000Z');
  });

  it('writes a Markdown table with a totals row', () => {
    assert.equal(
      renderReportMarkdown(report, { zone: 'Europe/London' }),
      [
        '## datamon report: 2026-03-23 00:00 to 2026-03-30 01:00 (Europe/London)',
        '',
        '| Pipeline | Uptime | Checks | Incidents | Critical | Open at end | Time to acknowledge (mean / worst) | Time to resolve (mean / worst) |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        '| ETL Calls | 75.00% | 9 | 2 | 1 | 0 | 10 min / 15 min | 8 h 35 min / 1 d |',
        '| Morning CSV | 66.66% | 3 | 2 | 1 | 2 | 20 min / 20 min | n/a |',
        '| Quiet \\| feed | n/a | 0 | 0 | 0 | 0 | n/a | n/a |',
        '| **All pipelines** | 72.72% | 12 | 4 | 2 | 2 | 13 min / 20 min | 8 h 35 min / 1 d |',
        '',
        'Uptime: the OK share of the checks, PENDING left out. Incidents: opened in the period. Times to acknowledge and to',
        'resolve run from the opening, over the incidents acknowledged or resolved in the period; those still open are under "Open at end".',
        '',
      ].join('\n'),
    );
  });

  it('writes CSV with a header, minutes as numbers, uptime to 2 decimals, empty fields for no figure, CRLF line ends', () => {
    const period = '2026-03-23T00:00:00.000Z,2026-03-30T00:00:00.000Z';
    assert.equal(
      renderReportCsv(report),
      [
        'from,to,pipeline_id,pipeline,checks,uptime_percent,incidents,critical,open_at_end,acknowledged,tta_mean_minutes,tta_worst_minutes,resolved,ttr_mean_minutes,ttr_worst_minutes',
        `${period},etl_calls,ETL Calls,9,75.00,2,1,0,2,10,15,3,515,1440`,
        `${period},morning_csv,Morning CSV,3,66.66,2,1,2,1,20,20,0,,`,
        `${period},quiet,Quiet | feed,0,,0,0,0,0,,,0,,`,
        `${period},,All pipelines,12,72.72,4,2,2,3,13.33,20,3,515,1440`,
        '',
      ].join('\r\n'),
    );
  });

  it('quotes a pipeline name with a comma or a quote in CSV', () => {
    const named = periodReport({ window, pipelines: [{ id: 'raw', name: 'Calls, "raw"' }], results: [], incidents: [] });
    assert.match(renderReportCsv(named), /\r\n2026-03-23T00:00:00\.000Z,2026-03-30T00:00:00\.000Z,raw,"Calls, ""raw""",0,,/);
  });
});
