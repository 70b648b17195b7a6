import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@datamon/io';
import type { RowDataPacket } from 'mysql2/promise';
import { SourceUnavailableError } from '../src/index.ts';
import { createWarehouse, type Warehouse } from '../src/warehouse.ts';
import { testConfig, testDatabaseSettings } from './helpers/test-config.ts';
import { createTestDatabase, type TestDatabase } from './helpers/test-database.ts';

let db: TestDatabase;
let warehouse: Warehouse;

before(async () => {
  db = await createTestDatabase('warehouse');
  await db.admin.query('CREATE TABLE T (id INT PRIMARY KEY)');
  const config = testConfig({ database: { ...testDatabaseSettings(), database: db.name, query_timeout_ms: 300 } });
  warehouse = createWarehouse(config.database, createLogger({ role: 'test', level: 'silent' }));
});

after(async () => {
  await warehouse.close();
  await db.drop();
});

describe('the warehouse connection', () => {
  it('is read-only: a write is refused by the server', async () => {
    await assert.rejects(warehouse.query({ sql: 'INSERT INTO T VALUES (?)', params: [1] }), (err: unknown) => {
      assert.ok(err instanceof SourceUnavailableError);
      assert.match(err.message, /READ ONLY/i);
      return true;
    });
    const [row] = await db.admin.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM T');
    assert.equal(Number(row[0]?.n), 0);
  });
  it('gives up on a query slower than query_timeout_ms and says so', async () => {
    const started = Date.now();
    await assert.rejects(warehouse.query({ sql: 'SELECT SLEEP(3) AS newest', params: [] }), /did not finish within 300 ms \(database\.query_timeout_ms\)/);
    assert.ok(Date.now() - started < 2000);
  });
  it('still answers the next query after a timeout', async () => {
    const rows = await warehouse.query<RowDataPacket>({ sql: 'SELECT 1 AS one', params: [] });
    assert.equal(rows[0]?.one, 1);
  });
  it('opens a new pool after close', async () => {
    await warehouse.close();
    const rows = await warehouse.query<RowDataPacket>({ sql: 'SELECT 2 AS two', params: [] });
    assert.equal(rows[0]?.two, 2);
  });
});
