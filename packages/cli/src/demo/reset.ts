import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRedisConnection, DatamonStore } from '@datamon/store';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { demoPrefix, type DemoSettings } from './demo-config.ts';
import { embeddedLayout } from './embedded-commands.ts';
import { stopOrphanedServers } from './embedded.ts';
import { probeMysql, probeRedis } from './preflight.ts';
import { type EmbeddedMode, refusedLine, type ServiceMessageContext } from './service-plan.ts';

export interface ResetOutcome {
  /** One line per thing removed (or found absent). */
  removed: string[];
  /** One line per thing that could not be removed: the reset failed. */
  problems: string[];
}

/**
 * `datamon demo --reset`: drops the demo database and deletes the Redis keys under the demo's
 * prefix where the demo would have used them, stops private servers a killed demo left running,
 * and removes the demo folder (config, CSV files, logs, private servers' data). Idempotent: a
 * second reset finds nothing and says so.
 */
export async function resetDemo(options: {
  settings: DemoSettings;
  mode: EmbeddedMode;
  temporaryDirectory: string;
  messages: ServiceMessageContext;
}): Promise<ResetOutcome> {
  const { settings, mode } = options;
  const layout = embeddedLayout(settings.directory, options.temporaryDirectory);
  const removed = await stopOrphanedServers(layout);
  const problems: string[] = [];
  const privateData = existsSync(layout.root);

  // `always` never touched the system's servers; otherwise the demo used them when they answered.
  if (mode !== 'always') {
    const mysql = await probeMysql(settings.mysql);
    const mysqlAddress = `${settings.mysql.host}:${settings.mysql.port}`;
    if (mysql.state === 'ok') removed.push(await dropDatabase(settings));
    else if (mysql.state === 'refused') problems.push(refusedLine('mysql', options.messages, mysql.detail));
    else if (!privateData) removed.push(`nothing answers at ${mysqlAddress} (${mysql.detail}) and there is no private MariaDB: no database to drop`);

    const redis = await probeRedis(settings.redisUrl);
    if (redis.state === 'ok') removed.push(await deleteRedisKeys(settings, options.messages.redisAddress));
    else if (redis.state === 'refused') problems.push(refusedLine('redis', options.messages, redis.detail));
    else if (!privateData) removed.push(`nothing answers at ${options.messages.redisAddress} (${redis.detail}) and there is no private Redis: no keys to delete`);
  }

  if (existsSync(settings.directory)) {
    await rm(settings.directory, { recursive: true, force: true });
    const contents = privateData ? 'config, CSV files, logs, and the private MariaDB and Redis data' : 'config, CSV files, logs';
    removed.push(`removed ${settings.directory} (${contents})`);
  } else {
    removed.push(`no demo folder ${settings.directory}`);
  }
  return { removed, problems };
}

async function dropDatabase(settings: DemoSettings): Promise<string> {
  const where = `${settings.mysql.host}:${settings.mysql.port}`;
  const connection = await createConnection({ ...settings.mysql, connectTimeout: 3000 });
  try {
    const [rows] = await connection.query<RowDataPacket[]>('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [settings.name]);
    if (rows.length === 0) return `no database ${settings.name} on ${where}`;
    await connection.query('DROP DATABASE ??', [settings.name]);
    return `dropped the database ${settings.name} on ${where}`;
  } finally {
    await connection.end().catch(() => undefined);
  }
}

async function deleteRedisKeys(settings: DemoSettings, address: string): Promise<string> {
  const prefix = demoPrefix(settings.name);
  const redis = createRedisConnection(settings.redisUrl, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    // SCAN may return a key twice; the prefix is letters, digits and dashes: nothing to escape.
    const keys = new Set<string>();
    for await (const batch of redis.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) for (const key of batch) keys.add(key);
    await new DatamonStore(redis, { prefix, historyDays: 1 }).clear();
    return keys.size === 0 ? `no Redis keys under ${prefix}: at ${address}` : `deleted ${keys.size.toLocaleString('en-GB')} Redis keys under ${prefix}: at ${address}`;
  } finally {
    redis.disconnect();
  }
}
