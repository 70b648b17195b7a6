import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DatamonConfig } from '@datamon/core';
import { createCheckRunner, type CheckRunner } from '../src/index.ts';
import { countPipeline, freshnessPipeline } from './helpers/pipelines.ts';
import { closedPort, silentServer } from './helpers/ports.ts';
import { testConfig, testDatabaseSettings } from './helpers/test-config.ts';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts';

let db: TestDatabase;
let london: DatamonConfig;
let runner: CheckRunner;
let utcRunner: CheckRunner;

function configFor(database: string, overrides: Record<string, unknown> = {}): DatamonConfig {
  return testConfig({ database: { ...testDatabaseSettings(), database, timezone: 'Europe/London', ...overrides }, monitoring: { timezone: 'Europe/London' } });
}

before(async () => {
  db = await createTestDatabase('mysql');
  await db.admin.query(`CREATE TABLE FactCalls (id INT AUTO_INCREMENT PRIMARY KEY, call_start DATETIME NOT NULL, region VARCHAR(10) NOT NULL DEFAULT 'north', KEY (call_start))`);
  await db.admin.query('CREATE TABLE DimOperators (operator_id INT PRIMARY KEY, is_active TINYINT(1) NOT NULL)');
  await db.admin.query('CREATE TABLE EmptyCalls (call_start DATETIME NULL)');
  await db.admin.query('CREATE TABLE `odd``name` (`call-start` DATETIME NOT NULL)');
  // Ten active operators and three inactive ones.
  await db.admin.query('INSERT INTO DimOperators VALUES ?', [Array.from({ length: 13 }, (_, i) => [i + 1, i < 10 ? 1 : 0])]);
  london = configFor(db.name);
  runner = createCheckRunner(london);
  utcRunner = createCheckRunner(configFor(db.name, { timezone: 'UTC' }));
});

after(async () => {
  await runner.close();
  await utcRunner.close();
  await db.drop();
});

async function setCalls(rows: string[], region = 'north'): Promise<void> {
  await db.admin.query('DELETE FROM FactCalls');
  if (rows.length > 0) await db.admin.query('INSERT INTO FactCalls (call_start, region) VALUES ?', [rows.map((row) => [row, region])]);
}

describe('etl_calls freshness on a real warehouse', () => {
  // Winter: London wall-clock equals UTC. Newest call 2026-01-15 09:00:00 London.
  const newest = '2026-01-15 09:00:00';
  const at = (iso: string) => new Date(iso);

  before(() => setCalls(['2026-01-14 08:00:00', newest]));

  it('is OK just below 12 hours and at exactly 12 hours', async () => {
    assert.equal((await runner.run(freshnessPipeline(), at('2026-01-15T20:59:59Z'))).status, 'OK');
    assert.equal((await runner.run(freshnessPipeline(), at('2026-01-15T21:00:00Z'))).status, 'OK');
  });
  it('is WARNING just above 12 hours and at exactly 24 hours', async () => {
    assert.equal((await runner.run(freshnessPipeline(), at('2026-01-15T21:00:01Z'))).status, 'WARNING');
    assert.equal((await runner.run(freshnessPipeline(), at('2026-01-16T09:00:00Z'))).status, 'WARNING');
  });
  it('reports CRITICAL just above 24 hours, with the age and the bound', async () => {
    const result = await runner.run(freshnessPipeline(), at('2026-01-16T11:00:00Z'));
    assert.equal(result.status, 'CRITICAL');
    assert.equal(result.message, 'newest FactCalls.call_start is 26.0 h old (critical over 24 h)');
    assert.equal(result.value, 26);
    assert.equal(result.pipelineId, 'etl_calls');
    assert.equal(result.checkedAt, '2026-01-16T11:00:00.000Z');
    assert.equal(result.details.newestWallClock, newest);
    assert.ok(result.durationMs >= 0);
  });
  it('reads DATETIMEs in database.timezone: 12:00 London in summer is 11:00Z', async () => {
    await setCalls(['2026-07-01 12:00:00']);
    const result = await runner.run(freshnessPipeline(), at('2026-07-01T11:30:00Z'));
    assert.equal(result.details.newest, '2026-07-01T11:00:00.000Z');
    assert.equal(result.message, 'newest FactCalls.call_start is 30 min old (warning over 12 h)');
    await setCalls(['2026-01-14 08:00:00', newest]);
  });
  it('reports CRITICAL when the table has no rows', async () => {
    const result = await runner.run(freshnessPipeline({ table: 'EmptyCalls' }), at('2026-01-16T11:00:00Z'));
    assert.equal(result.status, 'CRITICAL');
    assert.match(result.message, /no rows/);
  });
  it('escapes odd table and column names instead of breaking the query', async () => {
    await db.admin.query('INSERT INTO `odd``name` VALUES (?)', ['2026-01-15 08:00:00']);
    const result = await runner.run(freshnessPipeline({ table: 'odd`name', column: 'call-start' }), at('2026-01-15T09:00:00Z'));
    assert.equal(result.status, 'OK', result.message);
  });
});

describe('counts with filters', () => {
  it('counts active operators with a filter bound as a parameter', async () => {
    const result = await runner.run(countPipeline({ id: 'operators', table: 'DimOperators', column: null, window: 'all', filters: { is_active: 1 }, critical_below: 8, warning_below: 11 }));
    assert.equal(result.status, 'WARNING');
    assert.equal(result.value, 10);
    assert.equal(result.message, '10 rows in DimOperators with is_active = 1 (warning below 11)');
  });
  it('treats a quote in a filter value as data, not SQL', async () => {
    await setCalls(['2026-01-15 09:00:00', '2026-01-15 10:00:00']);
    const all = await runner.run(countPipeline({ column: null, window: 'all', filters: { region: 'north' } }));
    assert.equal(all.value, 2);
    const injected = await runner.run(countPipeline({ column: null, window: 'all', filters: { region: "x' OR '1'='1" } }));
    assert.equal(injected.value, 0);
  });
});

describe('today and yesterday are local days in monitoring.timezone', () => {
  // 2026-03-29: clocks go forward in London, the day is 23 hours long.
  describe('on 2026-03-29 with the warehouse on London time', () => {
    before(() => setCalls(['2026-03-28 23:59:59', '2026-03-29 00:00:00', '2026-03-29 23:59:59', '2026-03-30 00:00:00']));
    it('counts rows from local midnight (inclusive) to the next (exclusive) as today', async () => {
      const result = await runner.run(countPipeline({ window: 'today' }), new Date('2026-03-29T12:00:00Z'));
      assert.equal(result.value, 2);
      assert.equal(result.details.fromWallClock, '2026-03-29 00:00:00');
      assert.equal(result.details.toWallClock, '2026-03-30 00:00:00');
    });
    it('counts the same rows as yesterday seen from the 30th', async () => {
      const result = await runner.run(countPipeline({ window: 'yesterday' }), new Date('2026-03-30T08:00:00Z'));
      assert.equal(result.value, 2);
      assert.match(result.message, /call_start yesterday, 2026-03-29/);
    });
  });
  describe('on 2026-03-29 with the warehouse on UTC', () => {
    before(() => setCalls(['2026-03-28 23:59:59', '2026-03-29 00:00:00', '2026-03-29 22:59:59', '2026-03-29 23:00:00']));
    it('ends the local day at 23:00 UTC', async () => {
      const result = await utcRunner.run(countPipeline({ window: 'today' }), new Date('2026-03-29T12:00:00Z'));
      assert.equal(result.value, 2);
      assert.equal(result.details.toWallClock, '2026-03-29 23:00:00');
    });
  });
  // 2026-10-25: clocks go back, the day is 25 hours long.
  describe('on 2026-10-25 with the warehouse on London time', () => {
    before(() => setCalls(['2026-10-24 23:59:59', '2026-10-25 00:00:00', '2026-10-25 23:59:59', '2026-10-26 00:00:00']));
    it('counts rows inside the local midnights as today', async () => {
      assert.equal((await runner.run(countPipeline({ window: 'today' }), new Date('2026-10-25T12:00:00Z'))).value, 2);
    });
    it('counts them as yesterday seen from the 26th', async () => {
      assert.equal((await runner.run(countPipeline({ window: 'yesterday' }), new Date('2026-10-26T09:00:00Z'))).value, 2);
    });
  });
  describe('on 2026-10-25 with the warehouse on UTC', () => {
    before(() => setCalls(['2026-10-24 22:59:59', '2026-10-24 23:00:00', '2026-10-25 23:59:59', '2026-10-26 00:00:00']));
    it('starts the local day at 23:00 UTC the day before and ends it 25 hours later', async () => {
      const result = await utcRunner.run(countPipeline({ window: 'yesterday' }), new Date('2026-10-26T09:00:00Z'));
      assert.equal(result.value, 2);
      assert.equal(result.details.fromWallClock, '2026-10-24 23:00:00');
      assert.equal(result.details.toWallClock, '2026-10-26 00:00:00');
    });
  });
  describe('call_volume bounds on yesterday', () => {
    before(() => setCalls(['2026-03-29 10:00:00']));
    it('is CRITICAL with no calls yesterday, WARNING below min_daily_calls', async () => {
      const pipeline = countPipeline({ critical_below: 1, warning_below: 1000 });
      const none = await runner.run(pipeline, new Date('2026-03-31T08:00:00Z'));
      assert.equal(none.status, 'CRITICAL');
      assert.equal(none.message, '0 rows in FactCalls with call_start yesterday, 2026-03-30 (critical at 0)');
      const one = await runner.run(pipeline, new Date('2026-03-30T08:00:00Z'));
      assert.equal(one.status, 'WARNING');
    });
  });
});

describe('when first_calls has not_before 09:00', () => {
  it('is PENDING before 09:00 without touching the database, even a dead one', async () => {
    const dead = createCheckRunner(configFor(db.name, { port: await closedPort() }));
    const result = await dead.run(countPipeline({ id: 'first_calls', window: 'today', not_before: '09:00' }), new Date('2026-11-27T08:59:00Z'));
    await dead.close();
    assert.equal(result.status, 'PENDING');
    assert.equal(result.message, 'not checked before 09:00 (it is 08:59)');
  });
  it('runs the count from 09:00', async () => {
    await setCalls(['2026-11-27 08:30:00']);
    const result = await runner.run(countPipeline({ id: 'first_calls', window: 'today', not_before: '09:00' }), new Date('2026-11-27T09:00:00Z'));
    assert.equal(result.status, 'OK');
    assert.equal(result.value, 1);
  });
});

describe('when the warehouse cannot be reached', () => {
  it('reports CRITICAL when nothing listens on the port (database down)', async () => {
    const dead = createCheckRunner(configFor(db.name, { port: await closedPort() }));
    const result = await dead.run(freshnessPipeline());
    await dead.close();
    assert.equal(result.status, 'CRITICAL');
    assert.match(result.message, /cannot connect to the warehouse at 127\.0\.0\.1:\d+: connection refused/);
    assert.equal(result.value, null);
  });
  it('reports CRITICAL within the timeout when the server never answers', async () => {
    const silent = await silentServer();
    const hung = createCheckRunner(configFor(db.name, { port: silent.port, query_timeout_ms: 400 }));
    const started = Date.now();
    const result = await hung.run(freshnessPipeline());
    await hung.close();
    await silent.close();
    assert.equal(result.status, 'CRITICAL');
    assert.match(result.message, /no answer from the warehouse at 127\.0\.0\.1:\d+ within 400 ms/);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });
  it('reports CRITICAL for a wrong password, without the password', async () => {
    const password = 'not-the-password-3f9c';
    const wrong = createCheckRunner(configFor(db.name, { password }));
    const result = await wrong.run(freshnessPipeline());
    await wrong.close();
    assert.equal(result.status, 'CRITICAL');
    assert.match(result.message, /refused user ".+": check database\.user and database\.password/);
    assert.doesNotMatch(JSON.stringify(result), new RegExp(password));
  });
  it('reports CRITICAL naming a missing table', async () => {
    const result = await runner.run(freshnessPipeline({ table: 'FactCallz' }));
    assert.equal(result.status, 'CRITICAL');
    assert.match(result.message, /missing table: Table '.+\.FactCallz' doesn't exist/);
  });
  it('reports CRITICAL naming a missing column', async () => {
    const result = await runner.run(countPipeline({ column: 'call_begin', window: 'today' }));
    assert.equal(result.status, 'CRITICAL');
    assert.match(result.message, /missing column: Unknown column 'call_begin'/);
  });
  it('reports CRITICAL when the database itself does not exist', async () => {
    const missing = createCheckRunner(configFor(`${db.name}_nope`));
    const result = await missing.run(freshnessPipeline());
    await missing.close();
    assert.equal(result.status, 'CRITICAL');
    assert.match(result.message, /database ".+_nope" does not exist/);
  });
});
