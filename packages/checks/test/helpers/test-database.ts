import { randomUUID } from 'node:crypto';
import { type Connection, createConnection } from 'mysql2/promise';
import { testDatabaseSettings } from './test-config.ts';

export interface TestDatabase {
  name: string;
  /** A connection with write access, for fixtures (the checks' own connections are read-only). */
  admin: Connection;
  drop(): Promise<void>;
}

/** A fresh schema on the test MariaDB, unique per test file, dropped by `drop()`. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `datamon_test_${label}_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const admin = await createConnection({ ...testDatabaseSettings(), dateStrings: true });
  await admin.query('CREATE DATABASE ??', [name]);
  await admin.query('USE ??', [name]);
  return {
    name,
    admin,
    async drop() {
      await admin.query('DROP DATABASE IF EXISTS ??', [name]);
      await admin.end();
    },
  };
}
