import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '@datamon/config';
import { fillDateTemplate } from '@datamon/core';
import { createConnection } from 'mysql2/promise';
import { seedDemo } from '../packages/cli/src/commands/demo-seed.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'packages/cli/bin/datamon.js');
const DB = {
  host: '127.0.0.1',
  port: 3306,
  user: process.env.DATAMON_TEST_MYSQL_USER ?? 'root',
  password: process.env.DATAMON_TEST_MYSQL_PASSWORD ?? '',
};
const DATABASE = `datamon_test_cli_${randomUUID().replaceAll('-', '').slice(0, 10)}`;

/**
 * The CLI runs on the real clock, so the pipelines are chosen to give the same statuses at any
 * hour: a zone where it is now between 01:00 and 21:59 keeps `not_before: "23:59"` PENDING for
 * the test's duration, and a deadline of 00:00 has always passed.
 */
function zoneAwake(): string {
  for (const zone of ['Europe/London', 'America/New_York', 'Asia/Tokyo']) {
    const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
    if (hour >= 1 && hour <= 21) return zone;
  }
  return 'Europe/London';
}

const ZONE = zoneAwake();
let dir: string;
let csv: string;
let configFile: string;

const pipelines = [
  { id: 'etl_calls', name: 'ETL Calls', kind: 'mysql_freshness', table: 'FactCalls', column: 'call_start' },
  { id: 'operators', name: 'Operators', kind: 'mysql_count', table: 'DimOperators', filters: { is_active: 1 }, critical_below: 200, warning_below: 237 },
  { id: 'morning_csv', name: 'Morning CSV', kind: 'file_arrival', pattern: 'productivity_{YYYYMMDD}_1131.csv', expected: '11:31', deadline: '12:00' },
  { id: 'first_calls', name: 'First Calls', kind: 'mysql_count', table: 'FactFirstCalls', column: 'call_start', window: 'today', not_before: '23:59' },
  { id: 'operators_strict', name: 'Operators (strict)', kind: 'mysql_count', table: 'DimOperators', filters: { is_active: 1 }, critical_below: 200, warning_below: 300 },
  { id: 'overdue_csv', name: 'Overdue CSV', kind: 'file_arrival', pattern: 'never_{YYYYMMDD}.csv', expected: '00:00', deadline: '00:00' },
];

function configDocument(database: Record<string, unknown>): string {
  // JSON is YAML too: the loader reads either.
  return JSON.stringify({ database, monitoring: { csv_directory: csv, timezone: ZONE }, pipelines, schedule: { checkins: { second_shift: { enabled: false } } } }, null, 2);
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function datamon(args: string[], config = configFile): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args, '--config', config], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'datamon-cli-'));
  csv = join(dir, 'csv');
  const database = { ...DB, database: DATABASE, timezone: 'Europe/London' };
  const config = resolveConfig({ database, monitoring: { csv_directory: csv, timezone: ZONE } }, { source: 'test', env: {} });
  await seedDemo({ config, databaseName: DATABASE, rows: 20_000, days: 3 });
  // The demo writes today's morning export only once it is due (11:31): this test wants it there
  // at any hour, so it lands now as a copy of yesterday's.
  const morning = 'productivity_{YYYYMMDD}_1131.csv';
  const today = join(csv, fillDateTemplate(morning, new Date(), ZONE));
  await copyFile(join(csv, fillDateTemplate(morning, new Date(Date.now() - 86_400_000), ZONE)), today);
  const arrived = new Date(Date.now() - 60_000);
  await utimes(today, arrived, arrived);
  configFile = join(dir, 'monitoring_config.yaml');
  await writeFile(configFile, configDocument(database));
});

after(async () => {
  const admin = await createConnection(DB);
  await admin.query('DROP DATABASE IF EXISTS ??', [DATABASE]);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
});

describe('datamon check on a seeded warehouse and CSV folder', () => {
  it('exits 0 and prints a table when everything is OK or PENDING', async () => {
    const run = await datamon(['check', 'etl_calls', 'operators', 'morning_csv', 'first_calls']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /STATUS\s+PIPELINE\s+MESSAGE/);
    assert.match(run.stdout, /✅ OK\s+etl_calls\s+newest FactCalls\.call_start is \d+ min old \(warning over 12 h\)/);
    assert.match(run.stdout, /✅ OK\s+operators\s+237 rows in DimOperators with is_active = 1 \(warning below 237\)/);
    assert.match(run.stdout, /✅ OK\s+morning_csv\s+productivity_\d{8}_1131\.csv arrived in .* with 237 data rows/);
    assert.match(run.stdout, /⏳ PENDING\s+first_calls\s+not checked before 23:59/);
    assert.match(lines.at(-1) ?? '', /^overall: OK \(3 ok, 1 pending\)$/);
    assert.ok(!run.stdout.includes("\u001b["), "no colour when stdout is not a terminal");
  });

  it('exits 1 when the worst is a WARNING', async () => {
    const run = await datamon(['check', 'etl_calls', 'operators_strict']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /⚠️ WARNING\s+operators_strict\s+237 rows in DimOperators with is_active = 1 \(warning below 300\)\n\s+→ Check the pipeline's source job/);
  });

  it('exits 2 when a pipeline is CRITICAL, and checks every pipeline when none is named', async () => {
    const run = await datamon(['check']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stdout, /🔴 CRITICAL\s+overdue_csv\s+never_\d{8}\.csv is missing in .*: expected at 00:00, deadline 00:00 has passed/);
    assert.match(run.stdout, /overall: CRITICAL \(1 critical, 1 warning, 3 ok, 1 pending\)/);
  });

  it('prints exactly one JSON document with --json', async () => {
    const run = await datamon(['check', 'operators', 'operators_strict', 'first_calls', '--json']);
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as { overall: string; pipelines: Record<string, unknown>[] };
    assert.equal(report.overall, 'WARNING');
    assert.deepEqual(Object.keys(report), ['overall', 'pipelines']);
    assert.deepEqual(report.pipelines.map((line) => line.id), ['operators', 'operators_strict', 'first_calls']);
    const [operators] = report.pipelines;
    assert.deepEqual(Object.keys(operators ?? {}), ['id', 'name', 'kind', 'status', 'message', 'value', 'checkedAt', 'action']);
    assert.match(String(operators?.action), /operator sync job/);
    assert.equal(operators?.name, 'Operators');
    assert.equal(operators?.kind, 'mysql_count');
    assert.equal(operators?.status, 'OK');
    assert.equal(operators?.value, 237);
    assert.ok(!Number.isNaN(Date.parse(String(operators?.checkedAt))));
  });

  it('exits 3 for an unknown pipeline and lists the known ids', async () => {
    const run = await datamon(['check', 'operators', 'etl_cals']);
    assert.equal(run.code, 3);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /unknown pipeline "etl_cals" \(known: etl_calls, operators, morning_csv, first_calls, operators_strict, overdue_csv\)/);
  });

  it('with --json, still prints one document when it cannot run: {error, message}, exit 3', async () => {
    const unknown = await datamon(['check', 'etl_cals', '--json']);
    assert.equal(unknown.code, 3);
    assert.deepEqual(JSON.parse(unknown.stdout), { error: 'unknown_pipeline', message: 'unknown pipeline "etl_cals" (known: etl_calls, operators, morning_csv, first_calls, operators_strict, overdue_csv)' });
    assert.match(unknown.stderr, /datamon: unknown pipeline "etl_cals"/, 'people still get their line on stderr');

    const badInstant = await datamon(['check', '--json', '--at', 'tomorrow']);
    assert.equal(badInstant.code, 3);
    assert.equal((JSON.parse(badInstant.stdout) as { error: string }).error, 'bad_argument');

    const badOption = await datamon(['check', '--json', '--jsno']);
    assert.equal(badOption.code, 3);
    const usage = JSON.parse(badOption.stdout) as { error: string; message: string };
    assert.equal(usage.error, 'bad_usage');
    assert.match(usage.message, /^unknown option '--jsno'/);
  });

  it('with --json, a config error is a document too, exit 78', async () => {
    const bad = join(dir, 'bad-json.yaml');
    await writeFile(bad, 'database:\n  hostname: 127.0.0.1\n');
    const run = await datamon(['check', '--json'], bad);
    assert.equal(run.code, 78);
    const document = JSON.parse(run.stdout) as { error: string; message: string };
    assert.deepEqual(Object.keys(document), ['error', 'message']);
    assert.equal(document.error, 'config_error');
    assert.match(document.message, /bad-json\.yaml: database\.hostname: unknown key/);
  });

  it('exits 78 for a config error, naming the key and the file', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'database:\n  hostname: 127.0.0.1\n');
    const run = await datamon(['check'], bad);
    assert.equal(run.code, 78);
    assert.match(run.stderr, /bad\.yaml: database\.hostname: unknown key/);
  });
});

describe('datamon check when the warehouse is down', () => {
  it('exits 2 with the reason, and --json keeps stdout to the one document', async () => {
    const down = join(dir, 'down.yaml');
    await writeFile(down, configDocument({ ...DB, port: 1, database: DATABASE, query_timeout_ms: 2000 }));
    const run = await datamon(['check', 'etl_calls', 'morning_csv', '--json'], down);
    assert.equal(run.code, 2, run.stderr);
    const report = JSON.parse(run.stdout) as { overall: string; pipelines: { id: string; status: string; message: string }[] };
    assert.equal(report.overall, 'CRITICAL');
    assert.equal(report.pipelines[0]?.status, 'CRITICAL');
    assert.match(report.pipelines[0]?.message ?? '', /cannot connect to the warehouse at 127\.0\.0\.1:1: connection refused/);
    assert.equal(report.pipelines[1]?.status, 'OK');
  });

  it('says why once: in the table, with no warning repeating it above', async () => {
    const down = join(dir, 'down-table.yaml');
    await writeFile(down, configDocument({ ...DB, port: 1, database: DATABASE, query_timeout_ms: 2000 }));
    const run = await datamon(['check', 'etl_calls'], down);
    assert.equal(run.code, 2);
    assert.match(run.stdout, /CRITICAL\s+etl_calls\s+cannot connect to the warehouse at 127\.0\.0\.1:1/);
    assert.doesNotMatch(run.stderr, /check could not run|cannot connect/);
  });
});
