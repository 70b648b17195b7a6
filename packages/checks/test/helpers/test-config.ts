import { resolveConfig } from '@datamon/config';
import type { DatamonConfig } from '@datamon/core';

type Raw = Record<string, unknown>;

/** A validated config for tests: the real schema and defaults, with sections overridden. */
export function testConfig(sections: Raw = {}): DatamonConfig {
  return resolveConfig(structuredClone(sections), { source: 'test', env: {} });
}

/** The MariaDB the tests use: root with an empty password unless the environment says otherwise. */
export function testDatabaseSettings(): { host: string; port: number; user: string; password: string } {
  return {
    host: process.env.DATAMON_TEST_MYSQL_HOST ?? '127.0.0.1',
    port: Number(process.env.DATAMON_TEST_MYSQL_PORT ?? 3306),
    user: process.env.DATAMON_TEST_MYSQL_USER ?? 'root',
    password: process.env.DATAMON_TEST_MYSQL_PASSWORD ?? '',
  };
}
