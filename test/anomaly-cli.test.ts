import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCheckRunner } from '@datamon/checks';
import { resolveConfig } from '@datamon/config';
import type { CheckResult, DatamonConfig } from '@datamon/core';
import { buildApp } from '@datamon/server';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, type TestDatabase } from '../packages/checks/test/helpers/test-database.ts';
import { testDatabaseSettings } from '../packages/checks/test/helpers/test-config.ts';

/**
 * README "Volume anomalies" on a seeded MariaDB history: nine weeks of Tuesdays of about 1,480
 * calls spread over 08:00-18:00, one wild Tuesday of 14,800 among them. Through `datamon check
 * --json --at` (no Redis, no cache) and through the API (the latest result carries `expected`).
 */

const BIN = join(import.meta.dirname, '../packages/cli/bin/datamon.js');
let db: TestDatabase;
let dir: string;
let configFile: string;
let document: Record<string, unknown>;

const TUESDAYS: [string, number][] = [
  ['2026-09-15', 1485],
  ['2026-09-22', 14_800], // the outlier
  ['2026-09-29', 1450],
  ['2026-10-06', 1510],
  ['2026-10-13', 1470],
  ['2026-10-20', 1490],
  ['2026-10-27', 1460],
  ['2026-11-03', 1500],
  ['2026-11-10', 1480],
  ['2026-11-17', 812], // the drop
  ['2026-11-24', 1475], // a normal day
];

/** `n` call times on `date`, evenly from 08:00 to 17:59 (London is on GMT in these months). */
function callsOn(date: string, n: number, until = '18:00'): string[] {
  const [h, m] = until.split(':').map(Number) as [number, number];
  const span = (h * 60 + m - 8 * 60) * 60;
  return Array.from({ length: n }, (_, i) => {
    const second = 8 * 3600 + Math.floor((i * span) / n);
    const hh = String(Math.floor(second / 3600)).padStart(2, '0');
    const mm = String(Math.floor((second % 3600) / 60)).padStart(2, '0');
    const ss = String(second % 60).padStart(2, '0');
    return `${date} ${hh}:${mm}:${ss}`;
  });
}

async function insert(table: string, times: string[]): Promise<void> {
  for (let start = 0; start < times.length; start += 5_000) {
    await db.admin.query(`INSERT INTO ${table} (call_start) VALUES ?`, [times.slice(start, start + 5_000).map((time) => [time])]);
  }
}

interface Line {
  id: string;
  status: string;
  message: string;
  expected?: { median: number; low: number; high: number; points: number };
}

function check(at: string, ids: string[]): Promise<{ code: number; lines: Record<string, Line> }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, 'check', ...ids, '--json', '--at', at, '--config', configFile], { encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err && typeof err.code === 'number' ? err.code : 0;
      try {
        const report = JSON.parse(stdout) as { pipelines: Line[] };
        resolve({ code, lines: Object.fromEntries(report.pipelines.map((line) => [line.id, line])) });
      } catch {
        reject(new Error(`no JSON from datamon check (exit ${code}): ${stderr}`));
      }
    });
  });
}

before(async () => {
  db = await createTestDatabase('anomaly');
  for (const table of ['FactCalls', 'FactFirstCalls', 'FactQueuedCalls', 'FactNewCalls']) {
    await db.admin.query(`CREATE TABLE ${table} (id INT AUTO_INCREMENT PRIMARY KEY, call_start DATETIME NOT NULL, KEY (call_start))`);
  }
  await insert('FactCalls', TUESDAYS.flatMap(([date, n]) => callsOn(date, n)));
  // First calls: the same Tuesdays, but on 2026-11-24 only 100 calls by 11:00 (a usual 444).
  await insert('FactFirstCalls', TUESDAYS.filter(([date]) => date < '2026-11-24' && date !== '2026-09-22').flatMap(([date]) => callsOn(date, 1480)));
  await insert('FactFirstCalls', callsOn('2026-11-24', 100, '11:00'));
  // Queued calls: the same Tuesdays, and on 2026-11-24 the usual pace so far (the rows up to 11:00).
  await insert('FactQueuedCalls', TUESDAYS.filter(([date]) => date < '2026-11-24').flatMap(([date, n]) => callsOn(date, n)));
  await insert('FactQueuedCalls', callsOn('2026-11-24', 444, '11:00'));
  // A table two weeks old: too little history for a verdict.
  await insert('FactNewCalls', [...callsOn('2026-11-10', 1480), ...callsOn('2026-11-17', 1490)]);

  dir = await mkdtemp(join(tmpdir(), 'datamon-anomaly-'));
  configFile = join(dir, 'config.json');
  const count = (id: string, table: string, window: string) => ({ id, name: id, kind: 'mysql_count', table, column: 'call_start', window, critical_below: 1, anomaly: { enabled: true } });
  document = {
    database: { ...testDatabaseSettings(), database: db.name, timezone: 'Europe/London' },
    monitoring: { timezone: 'Europe/London', csv_directory: dir },
    redis: { prefix: `test-${randomUUID()}` },
    pipelines: [
      count('call_volume', 'FactCalls', 'yesterday'),
      count('first_calls', 'FactFirstCalls', 'today'),
      count('calls_today', 'FactQueuedCalls', 'today'),
      count('new_volume', 'FactNewCalls', 'yesterday'),
    ],
    schedule: { checkins: { morning: { pipelines: ['call_volume'] }, first_shift: { pipelines: ['first_calls'] }, second_shift: { enabled: false } } },
  };
  await writeFile(configFile, JSON.stringify(document));
});

after(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('call volume against a usual Tuesday', () => {
  it('warns about a drop, saying the value, the usual value and range, the weekday and the percentage', async () => {
    const { code, lines } = await check('2026-11-18T07:30:00Z', ['call_volume']);
    const line = lines.call_volume as Line;
    assert.equal(line.status, 'WARNING');
    assert.equal(code, 1);
    assert.match(line.message, /^812 calls yesterday, 45% below a usual Tuesday \(median 1,485, usual 1,3\d\d-1,5\d\d over 8 Tuesdays\)$/);
    assert.equal(line.expected?.points, 8);
    assert.equal(line.expected?.median, 1485, 'the 14,800 outlier moves the median by half a step, not by thousands');
  });

  it('calls a normal Tuesday OK, within its usual band', async () => {
    const { lines } = await check('2026-11-25T07:30:00Z', ['call_volume']);
    const line = lines.call_volume as Line;
    assert.equal(line.status, 'OK');
    assert.match(line.message, /^1,475 rows in FactCalls with call_start yesterday, 2026-11-24 \(critical at 0\); within the usual 1,3\d\d-1,5\d\d for a Tuesday$/);
    assert.ok(line.expected && line.expected.low <= 1475 && 1475 <= line.expected.high);
    assert.ok(line.expected.high - line.expected.low < 300, `a narrow band despite the outlier: ${JSON.stringify(line.expected)}`);
  });

  it('gives no verdict with too little history, saying it is learning', async () => {
    const { lines } = await check('2026-11-25T07:30:00Z', ['new_volume']);
    const line = lines.new_volume as Line;
    assert.equal(line.status, 'CRITICAL', 'no calls on 2026-11-24 at all: the threshold still applies');
    assert.match(line.message, /; learning \(2 of 4\)$/);
    assert.equal(line.expected, undefined);
  });
});

describe('first calls so far today', () => {
  it('warns by 11:00 that today is well short of a usual Tuesday by this time', async () => {
    const { lines } = await check('2026-11-24T11:00:00Z', ['first_calls']);
    const line = lines.first_calls as Line;
    assert.equal(line.status, 'WARNING');
    assert.match(line.message, /^100 first calls so far today, \d\d% below a usual Tuesday by this time \(median 444/);
    assert.equal(line.expected?.median, 444);
  });

  it('is normal on a day that keeps the usual pace, counting each baseline day up to 11:00 too', async () => {
    const { lines } = await check('2026-11-24T11:00:00Z', ['calls_today']);
    const line = lines.calls_today as Line;
    assert.equal(line.status, 'OK', line.message);
    assert.match(line.message, /; within the usual \d{3}-\d{3} for a Tuesday by this time$/);
    assert.ok(line.expected && line.expected.median > 400 && line.expected.median < 460, JSON.stringify(line.expected));
  });
});

describe('through the API', () => {
  let app: FastifyInstance;
  let config: DatamonConfig;
  before(async () => {
    config = resolveConfig(structuredClone(document), { source: 'test', env: {} });
    app = await buildApp({ config, now: () => new Date('2026-11-18T07:30:00Z') });
  });
  after(async () => {
    await app.store.clear();
    await app.close();
  });

  it('serves the latest result with `expected`, and the history keeps the band for the chart', async () => {
    const runner = createCheckRunner(config, { baselines: app.store.baselines });
    const result: CheckResult = await runner.run(config.pipelines[0] as DatamonConfig['pipelines'][number], new Date('2026-11-18T07:30:00Z'));
    await runner.close();
    await app.store.results.record(result);
    const detail = (await app.inject({ method: 'GET', url: '/api/pipelines/call_volume' })).json<{ latest: CheckResult }>();
    assert.equal(detail.latest.status, 'WARNING');
    assert.equal(detail.latest.expected?.median, 1485);
    const history = (await app.inject({ method: 'GET', url: '/api/pipelines/call_volume/history?hours=24' })).json<{ results: { expected?: { median: number } }[] }>();
    assert.equal(history.results.at(-1)?.expected?.median, 1485);
  });

  it('caches the past days, so a second check counts none of them again', async () => {
    const signatures = await app.store.redis.keys(`${config.redis.prefix}:baseline:days:*`);
    assert.equal(signatures.length, 1);
    assert.equal(await app.store.redis.hlen(signatures[0] as string), 8);
    assert.deepEqual([...(await app.store.baselines.flagged(signatures[0]?.split(':').at(-1) as string))], ['2026-11-17'], 'the drop is flagged, left out of later baselines');
  });
});
