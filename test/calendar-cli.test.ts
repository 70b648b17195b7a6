import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../packages/checks/test/helpers/test-database.ts';
import { testDatabaseSettings } from '../packages/checks/test/helpers/test-config.ts';

/**
 * README "Business calendar", as `datamon check --json --at` shows it on a seeded warehouse: a
 * contact centre open Monday to Friday in England. On a Saturday and on Christmas Day nothing that
 * is not expected is asked for; on Monday morning the ETL's weekend is not "56 hours stale", and
 * yesterday's calls are Friday's; after Easter they are the Thursday before Good Friday's.
 */

const BIN = join(import.meta.dirname, '../packages/cli/bin/datamon.js');
let db: TestDatabase;
let dir: string;
let configFile: string;

const pipelines = [
  { id: 'etl_calls', name: 'ETL Calls', kind: 'mysql_freshness', table: 'FactCalls', column: 'call_start', warning_hours: 12, critical_hours: 24 },
  { id: 'first_calls', name: 'First Calls', kind: 'mysql_count', table: 'FactFirstCalls', column: 'call_start', window: 'today', not_before: '09:00' },
  { id: 'call_volume', name: 'Call Volume', kind: 'mysql_count', table: 'FactCalls', column: 'call_start', window: 'yesterday', critical_below: 1, warning_below: 5 },
  { id: 'morning_csv', name: 'Morning CSV', kind: 'file_arrival', pattern: 'productivity_{YYYYMMDD}_1131.csv', expected: '11:31', deadline: '12:00' },
  { id: 'weekend_feed', name: 'Weekend feed', kind: 'file_arrival', pattern: 'weekend_{YYYYMMDD}.csv', expected: '08:00', deadline: '09:00', days: 'every_day' },
];

interface Report {
  overall: string;
  pipelines: { id: string; status: string; message: string; maintenance?: { name: string; until: string } }[];
}

function check(at: string): Promise<{ code: number; report: Report; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, 'check', '--json', '--at', at, '--config', configFile], { encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err && typeof err.code === 'number' ? err.code : 0;
      try {
        resolve({ code, report: JSON.parse(stdout) as Report, stderr });
      } catch {
        reject(new Error(`no JSON from datamon check (exit ${code}): ${stderr}`));
      }
    });
  });
}

const byId = (report: Report) => Object.fromEntries(report.pipelines.map((pipeline) => [pipeline.id, pipeline]));

before(async () => {
  db = await createTestDatabase('calendar');
  await db.admin.query('CREATE TABLE FactCalls (id INT AUTO_INCREMENT PRIMARY KEY, call_start DATETIME NOT NULL, KEY (call_start))');
  await db.admin.query('CREATE TABLE FactFirstCalls (id INT AUTO_INCREMENT PRIMARY KEY, call_start DATETIME NOT NULL)');
  // Calls on working days only: seven on Friday 2026-12-18, the last at 23:00 (the ETL's final
  // load before the weekend), and none over the weekend.
  const rows = [...Array.from({ length: 6 }, (_, i) => `2026-12-18 ${String(9 + i).padStart(2, '0')}:00:00`), '2026-12-18 23:00:00'];
  await db.admin.query('INSERT INTO FactCalls (call_start) VALUES ?', [rows.map((row) => [row])]);
  dir = await mkdtemp(join(tmpdir(), 'datamon-calendar-'));
  configFile = join(dir, 'config.json');
  const database = { ...testDatabaseSettings(), database: db.name, timezone: 'Europe/London' };
  await writeFile(
    configFile,
    JSON.stringify({
      database,
      monitoring: { csv_directory: dir, timezone: 'Europe/London' },
      calendar: { workdays: ['mon', 'tue', 'wed', 'thu', 'fri'], holidays: 'england-and-wales' },
      maintenance: [{ name: 'warehouse upgrade', pipelines: ['etl_calls'], from: '2026-12-21 07:00', to: '2026-12-21 08:00' }],
      pipelines,
      schedule: { checkins: { morning: { pipelines: ['etl_calls', 'call_volume'] }, first_shift: { pipelines: ['morning_csv', 'first_calls'] }, second_shift: { enabled: false } } },
    }),
  );
});

after(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a Monday-to-Friday contact centre in England', () => {
  it('on a Saturday asks for no file and no calls today, and keeps a file expected every day', async () => {
    const { report } = await check('2026-12-19T13:00:00Z');
    const pipeline = byId(report);
    assert.deepEqual([pipeline.morning_csv?.status, pipeline.morning_csv?.message], ['OK', 'not expected today: Saturday (not a workday)']);
    assert.deepEqual([pipeline.first_calls?.status, pipeline.first_calls?.message], ['OK', 'not expected today: Saturday (not a workday)']);
    assert.equal(pipeline.weekend_feed?.status, 'CRITICAL', 'days: every_day is expected on Saturdays too');
    assert.match(pipeline.call_volume?.message ?? '', /^7 rows in FactCalls with call_start yesterday, 2026-12-18/, 'Friday is yesterday and the previous working day');
  });

  it('on Monday at 07:30 counts the weekend out of the ETL\'s age: Friday 23:00 is 8.5 h ago', async () => {
    const { report } = await check('2026-12-21T07:30:00Z');
    const pipeline = byId(report);
    assert.equal(pipeline.etl_calls?.status, 'OK');
    assert.match(pipeline.etl_calls?.message ?? '', /is 8\.5 h old in working time \(warning over 12 h\)/);
    assert.deepEqual(pipeline.etl_calls?.maintenance, { name: 'warehouse upgrade', until: '2026-12-21T08:00:00.000Z' }, 'in the config\'s maintenance window');
    assert.equal(pipeline.call_volume?.maintenance, undefined);
    assert.equal(pipeline.call_volume?.status, 'OK');
    assert.match(pipeline.call_volume?.message ?? '', /on the previous working day, Friday 2026-12-18/);
  });

  it('on Christmas Day asks for nothing, naming the holiday', async () => {
    const { report } = await check('2026-12-25T12:30:00Z');
    const pipeline = byId(report);
    assert.deepEqual([pipeline.morning_csv?.status, pipeline.morning_csv?.message], ['OK', 'not expected today: Christmas Day']);
    assert.deepEqual([pipeline.first_calls?.status, pipeline.first_calls?.message], ['OK', 'not expected today: Christmas Day']);
  });

  it('on the Tuesday after Easter Monday counts the Thursday before Good Friday as yesterday', async () => {
    // Ten calls on Thursday 2027-03-25, none on Good Friday, over the weekend or on Easter Monday.
    await db.admin.query('INSERT INTO FactCalls (call_start) VALUES ?', [Array.from({ length: 10 }, (_, i) => [`2027-03-25 ${String(9 + i).padStart(2, '0')}:00:00`])]);
    const { report } = await check('2027-03-30T07:00:00Z');
    const pipeline = byId(report);
    assert.equal(pipeline.call_volume?.status, 'OK');
    assert.match(pipeline.call_volume?.message ?? '', /^10 rows in FactCalls with call_start on the previous working day, Thursday 2027-03-25/);
    assert.match(pipeline.first_calls?.message ?? '', /before 09:00/, 'a working day: today\'s calls are awaited again');
  });

  it('refuses an --at that is not an instant, saying so (exit 3; --json says it in its document)', async () => {
    const run = await check('next tuesday');
    assert.equal(run.code, 3);
    assert.deepEqual(run.report as unknown, { error: 'bad_argument', message: '--at: "next tuesday" is not an instant (ISO 8601, e.g. 2026-12-25T12:30:00Z)' });
    assert.match(run.stderr, /--at: "next tuesday" is not an instant/);
  });
});
