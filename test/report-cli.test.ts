import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CheckResult, IncidentRecord, Status } from '@datamon/core';
import { testStore, TEST_REDIS_URL } from './helpers/redis.ts';

/**
 * `datamon report` (README "Weekly report") on a week of history seeded through the store's own
 * repositories, as of Monday 2026-03-30 07:30 UTC (08:30 in London, a day after the clock change):
 * `--since 7d` is from Monday 2026-03-23 08:30 London time, 07:30 UTC.
 */

const BIN = join(import.meta.dirname, '../packages/cli/bin/datamon.js');
const AT = '2026-03-30T07:30:00Z';
const redis = testStore();
let dir: string;
let configFile: string;

function result(pipelineId: string, status: Status, checkedAt: string): CheckResult {
  return { pipelineId, status, value: 1, message: `${status} message`, checkedAt, details: {}, durationMs: 5 };
}

function incident(pipelineId: string, openedAt: string, fields: Partial<IncidentRecord> = {}): IncidentRecord {
  const worstStatus = fields.worstStatus ?? 'CRITICAL';
  return {
    id: `${pipelineId}-${Date.parse(openedAt)}`,
    pipelineId,
    pipelineName: pipelineId,
    status: worstStatus,
    worstStatus,
    openedAt,
    closedAt: null,
    acknowledged: fields.acknowledgedAt != null,
    acknowledgedAt: null,
    acknowledgedBy: fields.acknowledgedAt != null ? 'ops' : null,
    criticalSince: worstStatus === 'CRITICAL' ? openedAt : null,
    escalations: 0,
    lastEscalatedAt: null,
    emailed: false,
    message: 'a problem',
    value: 1,
    threshold: null,
    notificationSeq: 1,
    lastStatus: worstStatus,
    lastCheckedAt: openedAt,
    announcedStatus: worstStatus,
    announcedAt: openedAt,
    held: null,
    reopenCount: 0,
    resolution: null,
    ...fields,
  };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function datamon(args: string[], config = configFile): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args, '--config', config], { env: { ...process.env, NO_COLOR: '1', DATAMON_LOG_LEVEL: 'warn' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const PIPELINES = [
  { id: 'etl_calls', name: 'ETL Calls', kind: 'mysql_freshness', table: 'FactCalls', column: 'call_start' },
  { id: 'morning_csv', name: 'Morning CSV', kind: 'file_arrival', pattern: 'productivity_{YYYYMMDD}_1131.csv', expected: '11:31', deadline: '12:00' },
  { id: 'nightly_etl', name: 'Nightly ETL', kind: 'heartbeat', schedule: '0 2 * * *', grace_minutes: 60 },
];

function configDocument(redisSection: Record<string, unknown>): string {
  return JSON.stringify({
    monitoring: { csv_directory: dir, timezone: 'Europe/London', log_directory: '' },
    redis: redisSection,
    pipelines: PIPELINES,
    schedule: { checkins: { morning: { pipelines: ['etl_calls'] }, first_shift: { pipelines: ['morning_csv'] }, second_shift: { enabled: false } } },
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'datamon-report-'));
  configFile = join(dir, 'config.json');
  await writeFile(configFile, configDocument({ url: TEST_REDIS_URL, prefix: redis.prefix }));
  const { store } = redis;

  const results: [string, Status, string][] = [
    ['etl_calls', 'CRITICAL', '2026-03-23T06:00:00Z'], // before the week
    ...['24', '25', '26', '27', '28', '29'].map((day): [string, Status, string] => ['etl_calls', 'OK', `2026-03-${day}T06:00:00Z`]),
    ['etl_calls', 'CRITICAL', '2026-03-25T10:00:00Z'],
    ['etl_calls', 'OK', '2026-03-25T12:00:00Z'],
    ['morning_csv', 'PENDING', '2026-03-24T11:00:00Z'],
    ['morning_csv', 'OK', '2026-03-24T11:31:00Z'],
    ['morning_csv', 'CRITICAL', '2026-03-27T12:00:00Z'],
    ['morning_csv', 'OK', '2026-03-27T13:00:00Z'],
    ['morning_csv', 'OK', '2026-03-28T12:00:00Z'],
    ['etl_calls', 'CRITICAL', '2026-03-30T09:00:00Z'], // after --at
  ];
  for (const [pipelineId, status, checkedAt] of results) await store.results.record(result(pipelineId, status, checkedAt));

  const incidents = [
    // Opened the week before, resolved in this one: 60 h to resolve.
    incident('etl_calls', '2026-03-20T22:00:00Z', { acknowledgedAt: '2026-03-20T22:30:00Z', closedAt: '2026-03-23T10:00:00Z', status: 'WARNING', worstStatus: 'WARNING' }),
    incident('etl_calls', '2026-03-25T10:00:00Z', { acknowledgedAt: '2026-03-25T10:12:00Z', closedAt: '2026-03-25T12:00:00Z' }),
    incident('morning_csv', '2026-03-27T12:00:00Z', { acknowledgedAt: '2026-03-27T12:30:00Z', closedAt: '2026-03-27T13:00:00Z' }),
    // Still open, not acknowledged.
    incident('morning_csv', '2026-03-30T06:00:00Z', { status: 'WARNING', worstStatus: 'WARNING' }),
    // Opened after --at.
    incident('nightly_etl', '2026-03-30T08:00:00Z'),
    // A pipeline no longer in the config.
    incident('retired', '2026-03-26T10:00:00Z', { acknowledgedAt: '2026-03-26T10:01:00Z', closedAt: '2026-03-26T11:00:00Z' }),
  ];
  for (const record of incidents) await store.incidents.save(record);
});

after(async () => {
  await redis.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const MARKDOWN = [
  '## datamon report: 2026-03-23 08:30 to 2026-03-30 08:30 (Europe/London)',
  '',
  '| Pipeline | Uptime | Checks | Incidents | Critical | Open at end | Time to acknowledge (mean / worst) | Time to resolve (mean / worst) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  '| ETL Calls | 87.50% | 8 | 1 | 1 | 0 | 12 min / 12 min | 1 d 7 h / 2 d 12 h |',
  '| Morning CSV | 75.00% | 5 | 2 | 1 | 1 | 30 min / 30 min | 1 h / 1 h |',
  '| Nightly ETL | n/a | 0 | 0 | 0 | 0 | n/a | n/a |',
  '| **All pipelines** | 83.33% | 13 | 3 | 2 | 1 | 21 min / 30 min | 21 h / 2 d 12 h |',
];

describe('datamon report --since 7d on a seeded week', () => {
  it('prints a Markdown table: uptime, incidents, and times to acknowledge and resolve per pipeline, with totals', async () => {
    const run = await datamon(['report', '--since', '7d', '--at', AT]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.split('\n').slice(0, MARKDOWN.length).join('\n'), MARKDOWN.join('\n'));
    assert.equal(run.stderr, '');
  });

  it('defaults to the last 7 days, in Markdown', async () => {
    const run = await datamon(['report', '--at', AT]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.split('\n').slice(0, MARKDOWN.length).join('\n'), MARKDOWN.join('\n'));
  });

  it('prints CSV with --format csv: a header, minutes and uptime as numbers, the period on every row', async () => {
    const run = await datamon(['report', '--since', '7d', '--format', 'csv', '--at', AT]);
    assert.equal(run.code, 0, run.stderr);
    const period = '2026-03-23T08:30:00.000Z,2026-03-30T07:30:00.000Z';
    assert.deepEqual(run.stdout.split('\r\n'), [
      'from,to,pipeline_id,pipeline,checks,uptime_percent,incidents,critical,open_at_end,acknowledged,tta_mean_minutes,tta_worst_minutes,resolved,ttr_mean_minutes,ttr_worst_minutes',
      `${period},etl_calls,ETL Calls,8,87.50,1,1,0,1,12,12,2,1860,3600`,
      `${period},morning_csv,Morning CSV,5,75.00,2,1,1,1,30,30,1,60,60`,
      `${period},nightly_etl,Nightly ETL,0,,0,0,0,0,,,0,,`,
      `${period},,All pipelines,13,83.33,3,2,1,2,21,30,3,1260,3600`,
      '',
    ]);
  });

  it('takes a shorter period: since Friday 2026-03-27 (London midnight) ETL Calls was all OK and Morning CSV had two incidents, one still open', async () => {
    const run = await datamon(['report', '--since', '2026-03-27', '--format', 'csv', '--at', AT]);
    assert.equal(run.code, 0, run.stderr);
    const rows = Object.fromEntries(run.stdout.trim().split('\r\n').slice(1).map((line) => [line.split(',')[2], line.split(',').slice(4)]));
    assert.deepEqual(rows.etl_calls, ['3', '100.00', '0', '0', '0', '0', '', '', '0', '', '']);
    assert.deepEqual(rows.morning_csv, ['3', '66.66', '2', '1', '1', '1', '30', '30', '1', '60', '60']);
  });
});

describe('when the options are wrong', () => {
  it('refuses a --since that is not a period, naming the forms it takes, and exits 3', async () => {
    const run = await datamon(['report', '--since', 'last week', '--at', AT]);
    assert.equal(run.code, 3);
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr.trim(),
      'datamon: --since: "last week" is not a period: use <n>d, <n>h, or an ISO date or instant (e.g. 7d, 24h, 2026-03-23, 2026-03-23T07:30:00Z)',
    );
  });

  it('refuses a --since after the end of the period', async () => {
    const run = await datamon(['report', '--since', '2026-04-01', '--at', AT]);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /--since: "2026-04-01" starts at 2026-03-31T23:00:00\.000Z, not before the report's end 2026-03-30T07:30:00\.000Z/);
  });

  it('refuses a --format other than md or csv, and exits 3', async () => {
    const run = await datamon(['report', '--format', 'xlsx', '--at', AT]);
    assert.equal(run.code, 3);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr.trim(), 'datamon: --format: "xlsx" is not a format: use md or csv');
  });

  it('says Redis is not reachable, and exits 3', async () => {
    const unreachable = join(dir, 'unreachable.json');
    await writeFile(unreachable, configDocument({ url: 'redis://127.0.0.1:1', prefix: redis.prefix }));
    const run = await datamon(['report', '--at', AT], unreachable);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /^datamon: Redis at redis:\/\/127\.0\.0\.1:1 is not reachable \(.*\): the report is made from the history stored there$/m);
  });
});
