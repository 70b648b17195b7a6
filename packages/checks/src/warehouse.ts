import type { DatamonConfig } from '@datamon/core';
import type { Logger } from '@datamon/io';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import { SourceUnavailableError } from './errors/index.ts';
import type { BuiltQuery } from './sql.ts';

type DatabaseSettings = DatamonConfig['database'];

/** The warehouse as the checks see it: read-only queries over one lazily created pool. */
export interface Warehouse {
  /** Runs one read-only query; a failure is a `SourceUnavailableError` saying why, never a secret. */
  query<Row extends RowDataPacket>(query: BuiltQuery): Promise<Row[]>;
  /** Ends the pool, if one was opened. Safe to call twice; the next query opens a new one. */
  close(): Promise<void>;
}

/** Connections per runner: enough for runMany's concurrency, small enough for a shared warehouse. */
const POOL_SIZE = 4;

/**
 * A warehouse on one mysql2 pool, created on the first query (a runner that only checks files
 * never connects, and a process that never queries never loads mysql2). DATETIMEs come back as strings (`dateStrings`) so that `database.timezone`,
 * not the Node process's zone, decides what instant they are.
 */
export function createWarehouse(settings: DatabaseSettings, logger: Logger): Warehouse {
  let pool: Promise<Pool> | null = null;
  const where = `${settings.host}:${settings.port}`;

  const openPool = async (): Promise<Pool> => {
    const { createPool } = await import('mysql2/promise');
    const created = createPool({
      host: settings.host,
      port: settings.port,
      user: settings.user,
      password: settings.password,
      database: settings.database,
      connectTimeout: settings.query_timeout_ms,
      dateStrings: true,
      supportBigNumbers: true,
      connectionLimit: POOL_SIZE,
      maxIdle: POOL_SIZE,
      idleTimeout: 60_000,
      enableKeepAlive: true,
    });
    created.pool.on('connection', (connection) => {
      // A monitor never writes: the session says so, whatever grants the user has. The server-side
      // statement limit (MariaDB, else MySQL) stops a slow query even after the client gave up on it.
      const seconds = Math.max(1, Math.ceil(settings.query_timeout_ms / 1000));
      const ignore = () => undefined;
      connection.query('SET SESSION TRANSACTION READ ONLY', ignore);
      connection.query(`SET SESSION max_statement_time = ${seconds}`, (err: unknown) => {
        if (err) connection.query(`SET SESSION max_execution_time = ${seconds * 1000}`, ignore);
      });
    });
    return created;
  };

  return {
    async query<Row extends RowDataPacket>(query: BuiltQuery): Promise<Row[]> {
      pool ??= openPool();
      let connection: PoolConnection;
      try {
        connection = await (await pool).getConnection();
      } catch (err) {
        throw describeMysqlError(err, settings, where);
      }
      try {
        const [rows] = await connection.execute<Row[]>({ sql: query.sql, timeout: settings.query_timeout_ms }, query.params);
        connection.release();
        return rows;
      } catch (err) {
        // After a client-side timeout the server may still be answering on this socket: drop it
        // rather than hand a busy connection to the next check.
        if ((err as { code?: string }).code === 'PROTOCOL_SEQUENCE_TIMEOUT' || (err as { fatal?: boolean }).fatal) {
          connection.destroy();
        } else {
          connection.release();
        }
        logger.debug({ code: (err as { code?: string }).code, sql: query.sql }, 'warehouse query failed');
        throw describeMysqlError(err, settings, where);
      }
    },
    async close() {
      const closing = pool;
      pool = null;
      if (closing) await (await closing).end();
    },
  };
}

interface MysqlishError {
  code?: string;
  errno?: number;
  sqlMessage?: string;
  message?: string;
}

/**
 * Why the warehouse could not answer, in words a person can act on. Built from error codes and
 * the server's message (which never contains the password), not from the connection options.
 */
export function describeMysqlError(err: unknown, settings: Pick<DatabaseSettings, 'user' | 'database' | 'query_timeout_ms'>, where: string): SourceUnavailableError {
  const e = (err ?? {}) as MysqlishError;
  const server = e.sqlMessage ?? e.message ?? String(err);
  const say = (message: string) => new SourceUnavailableError('mysql', message);
  switch (e.code) {
    case 'ECONNREFUSED':
      return say(`cannot connect to the warehouse at ${where}: connection refused (is MySQL running there?)`);
    case 'ETIMEDOUT':
    case 'PROTOCOL_CONNECTION_LOST':
      return say(`no answer from the warehouse at ${where} within ${settings.query_timeout_ms} ms (${e.code})`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return say(`cannot resolve the warehouse host in ${where} (${e.code})`);
    case 'ECONNRESET':
    case 'EPIPE':
      return say(`the warehouse at ${where} closed the connection (${e.code})`);
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
      return say(`the warehouse at ${where} refused user "${settings.user}": check database.user and database.password (${e.code})`);
    case 'ER_BAD_DB_ERROR':
      return say(`database "${settings.database}" does not exist on ${where}`);
    case 'ER_NO_SUCH_TABLE':
      return say(`missing table: ${server}`);
    case 'ER_BAD_FIELD_ERROR':
      return say(`missing column: ${server}`);
    case 'ER_TABLEACCESS_DENIED_ERROR':
    case 'ER_COLUMNACCESS_DENIED_ERROR':
      return say(`user "${settings.user}" may not read it: ${server}`);
    case 'PROTOCOL_SEQUENCE_TIMEOUT':
    case 'ER_STATEMENT_TIMEOUT':
    case 'ER_QUERY_TIMEOUT':
      return say(`the warehouse query did not finish within ${settings.query_timeout_ms} ms (database.query_timeout_ms)`);
    default:
      return say(`the warehouse at ${where} failed the query: ${e.code ? `${e.code}: ` : ''}${server}`);
  }
}
