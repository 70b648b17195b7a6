import { createConnection } from 'mysql2/promise';
import { createRedisConnection, describeRedis, type RedisConnectionSettings } from '@datamon/store';

/**
 * Whether Redis and MySQL answer, each with the one line a newcomer needs when one does not:
 * which service, where, and how to start it.
 */
export async function preflight(options: {
  /** Where Redis is: the `redis` settings, or a URL. */
  redis: RedisConnectionSettings | string;
  mysql: { host: string; port: number; user: string; password: string };
}): Promise<string[]> {
  const problems: string[] = [];
  const redis = createRedisConnection(options.redis, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    problems.push(
      `Redis is not reachable at ${describeRedis(options.redis)} (${(err as Error).message}): start it with "redis-server --daemonize yes" or "sudo systemctl start redis-server"`,
    );
  } finally {
    redis.disconnect();
  }
  try {
    const connection = await createConnection({ ...options.mysql, connectTimeout: 3000 });
    await connection.end();
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const where = `${options.mysql.host}:${options.mysql.port}`;
    problems.push(
      e.code === 'ER_ACCESS_DENIED_ERROR'
        ? `MySQL at ${where} refused user "${options.mysql.user}": set DATAMON_DEMO_MYSQL_USER and DATAMON_DEMO_MYSQL_PASSWORD to an account that may create the datamon_demo database`
        : `MySQL is not reachable at ${where} (${e.code ?? e.message}): start it with "sudo systemctl start mariadb" (or mysql)`,
    );
  }
  return problems;
}
