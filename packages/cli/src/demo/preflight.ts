import { createConnection } from 'mysql2/promise';
import { createRedisConnection, type RedisConnectionSettings } from '@datamon/store';
import type { Probe } from './service-plan.ts';

export interface MysqlAddress {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** Whether Redis answers at `redis` and accepts the demo (see `Probe`). */
export async function probeRedis(redis: RedisConnectionSettings | string): Promise<Probe> {
  const connection = createRedisConnection(redis, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  connection.on('error', () => undefined);
  try {
    await connection.connect();
    await connection.ping();
    return { state: 'ok' };
  } catch (err) {
    // A ReplyError is Redis itself answering (NOAUTH, WRONGPASS); anything else is the network.
    const e = err as Error;
    return { state: e.name === 'ReplyError' ? 'refused' : 'silent', detail: e.message };
  } finally {
    connection.disconnect();
  }
}

/** Whether MySQL answers at `mysql` and lets the demo's account in (see `Probe`). */
export async function probeMysql(mysql: MysqlAddress): Promise<Probe> {
  try {
    const connection = await createConnection({ ...mysql, connectTimeout: 3000 });
    await connection.end();
    return { state: 'ok' };
  } catch (err) {
    // ER_* codes come from a server that answered; ECONNREFUSED, ETIMEDOUT, ENOTFOUND... from the network.
    const e = err as { code?: string; message?: string };
    const answered = typeof e.code === 'string' && e.code.startsWith('ER_');
    return { state: answered ? 'refused' : 'silent', detail: answered ? (e.code ?? '') : (e.code ?? e.message ?? String(err)) };
  }
}
