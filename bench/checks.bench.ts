/**
 * `npm run bench:checks`: how the default SQL checks cost on a 5,000,000-row FactCalls.
 *
 * Seeds a bench schema with seedDemo (the demo's data shape), then for each default SQL pipeline
 * measures the median of its query (the exact SQL and parameters the check sends), its EXPLAIN
 * access type, and its ratio to a `SELECT 1` round trip measured in the same run; plus the
 * whole `CheckRunner.run` median, and one `DATE(col) = ?` query to show what the range saves.
 * It prints a table and never fails (a benchmark is information, not a gate).
 *
 * Environment: DATAMON_TEST_MYSQL_USER / DATAMON_TEST_MYSQL_PASSWORD (root / empty),
 * DATAMON_BENCH_ROWS (5000000), DATAMON_BENCH_RUNS (25), DATAMON_BENCH_KEEP=1 to keep the schema.
 */
import { resolveConfig } from '@datamon/config';
import { buildCountQuery, buildFreshnessQuery, type BuiltQuery, createCheckRunner, type MysqlCountPipeline, type MysqlFreshnessPipeline, wallClockRange } from '@datamon/checks';
import { countWindowRange, instantToWallClock, type DatamonConfig, type PipelineDefinition } from '@datamon/core';
import { createConnection, format, type Connection, type RowDataPacket } from 'mysql2/promise';
import { randomUUID } from 'node:crypto';
import { createRedisConnection, DatamonStore } from '@datamon/store';
import { seedDemo } from '../packages/cli/src/commands/demo-seed.ts';

const ROWS = Number(process.env.DATAMON_BENCH_ROWS ?? 5_000_000);
const RUNS = Number(process.env.DATAMON_BENCH_RUNS ?? 25);
const DATABASE = 'datamon_bench_checks';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: the first run pays for the prepared statement and cold pages
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

/** The query a default SQL pipeline sends at `now`, built exactly as its check kind builds it. */
function queryOf(pipeline: PipelineDefinition, config: DatamonConfig, now: Date): BuiltQuery | null {
  if (pipeline.kind === 'mysql_freshness') return buildFreshnessQuery(pipeline as MysqlFreshnessPipeline);
  if (pipeline.kind !== 'mysql_count') return null;
  const count = pipeline as MysqlCountPipeline;
  const range = countWindowRange(count.window, now, config.monitoring.timezone);
  return buildCountQuery(count, wallClockRange(range, config.database.timezone));
}

interface ExplainRow extends RowDataPacket {
  type: string | null;
  key: string | null;
  rows: number | null;
  Extra: string | null;
}

async function explain(connection: Connection, query: BuiltQuery): Promise<string> {
  const [rows] = await connection.query<ExplainRow[]>(`EXPLAIN ${format(query.sql, query.params)}`);
  const row = rows[0];
  if (!row) return '?';
  if (!row.type) return row.Extra ?? 'none';
  return `${row.type}${row.key ? ` (${row.key})` : ''}, ~${Number(row.rows ?? 0).toLocaleString('en-GB')} rows`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** The pipeline as the plain check: not_before lifted, no anomaly baseline. */
function plain(pipeline: PipelineDefinition): PipelineDefinition {
  const anomaly = (pipeline as MysqlCountPipeline).anomaly;
  return { ...pipeline, not_before: null, ...(anomaly ? { anomaly: { ...anomaly, enabled: false } } : {}) };
}

async function main(): Promise<void> {
  const database = {
    host: process.env.DATAMON_TEST_MYSQL_HOST ?? '127.0.0.1',
    port: Number(process.env.DATAMON_TEST_MYSQL_PORT ?? 3306),
    user: process.env.DATAMON_TEST_MYSQL_USER ?? 'root',
    password: process.env.DATAMON_TEST_MYSQL_PASSWORD ?? '',
    database: DATABASE,
  };
  const config = resolveConfig({ database, monitoring: { csv_directory: '/tmp/datamon-bench-csv' } }, { source: 'bench', env: {} });

  process.stderr.write(`seeding ${ROWS.toLocaleString('en-GB')} FactCalls rows into ${DATABASE}...\n`);
  const seeded = await seedDemo({ config, databaseName: DATABASE, rows: ROWS });
  process.stderr.write(`seeded in ${(seeded.durationMs / 1000).toFixed(1)} s\n`);

  const connection = await createConnection({ ...database, dateStrings: true });
  const runner = createCheckRunner(config);
  const now = new Date();
  try {
    const roundTrip = await timeIt(RUNS * 4, () => connection.execute('SELECT 1'));
    const rows: string[][] = [['(baseline)', 'SELECT 1', roundTrip.toFixed(3), '-', '1.0', '-']];
    const sqlPipelines = config.pipelines.filter((pipeline) => pipeline.kind === 'mysql_freshness' || pipeline.kind === 'mysql_count');
    for (const pipeline of sqlPipelines) {
      const query = queryOf(pipeline, config, now) as BuiltQuery;
      const ms = await timeIt(RUNS, () => connection.execute(query.sql, query.params));
      // The whole check (pool, parameters, rule), run as the workers run it; not_before lifted,
      // and the anomaly baseline off (measured on its own below).
      const checkMs = await timeIt(RUNS, () => runner.run(plain(pipeline), now));
      rows.push([pipeline.id, query.sql, ms.toFixed(3), checkMs.toFixed(3), (ms / roundTrip).toFixed(1), await explain(connection, query)]);
    }
    // What the range on the indexed column saves: the same count written the slow way.
    const day = countWindowRange('yesterday', now, config.monitoring.timezone);
    const naive: BuiltQuery = { sql: 'SELECT COUNT(*) AS n FROM `FactCalls` WHERE DATE(`call_start`) = ?', params: [instantToWallClock(day?.start ?? now, config.database.timezone).slice(0, 10)] };
    const naiveMs = await timeIt(Math.min(RUNS, 5), () => connection.execute(naive.sql, naive.params));
    rows.push(['(not used)', naive.sql, naiveMs.toFixed(3), '-', (naiveMs / roundTrip).toFixed(1), await explain(connection, naive)]);

    // README "Volume anomalies": the same checks with their baseline, cold (no cache: every
    // baseline day counted) and warm (past days from Redis), against the plain count.
    const redis = createRedisConnection(process.env.DATAMON_REDIS_URL ?? 'redis://127.0.0.1:6379');
    const store = new DatamonStore(redis, { prefix: `bench-checks-${randomUUID()}`, historyDays: 1 });
    const warmRunner = createCheckRunner(config, { baselines: store.baselines });
    const anomalyRows: string[][] = [];
    try {
      for (const pipeline of sqlPipelines.filter((candidate) => (candidate as MysqlCountPipeline).anomaly?.enabled)) {
        const base = { ...pipeline, not_before: null };
        const plainMs = await timeIt(RUNS, () => runner.run(plain(pipeline), now));
        const coldMs = await timeIt(Math.min(RUNS, 10), () => runner.run(base, now));
        await warmRunner.run(base, now);
        const warmMs = await timeIt(RUNS, () => warmRunner.run(base, now));
        const verdict = (await warmRunner.run(base, now)).message.split('; ').at(-1) ?? '';
        anomalyRows.push([
          pipeline.id,
          plainMs.toFixed(3),
          coldMs.toFixed(3),
          `${(coldMs / plainMs).toFixed(1)}x ${coldMs / plainMs <= 20 ? '(meets ≤ 20x)' : '(MISSES ≤ 20x)'}`,
          warmMs.toFixed(3),
          `${(warmMs / plainMs).toFixed(1)}x ${warmMs / plainMs <= 2 ? '(meets ≤ 2x)' : '(MISSES ≤ 2x)'}`,
          verdict.slice(0, 70),
        ]);
      }
    } finally {
      await warmRunner.close();
      await store.clear();
      redis.disconnect();
    }

    process.stdout.write(
      `\ndatamon checks benchmark: ${seeded.calls.toLocaleString('en-GB')} FactCalls rows, median of ${RUNS} runs, ${new Date().toISOString()}\n\n` +
        table(['pipeline', 'query', 'query ms', 'check ms', 'x SELECT 1', 'EXPLAIN access'], rows) +
        `\n\nanomaly baselines (8 same weekdays), whole check, median of ${RUNS} runs (cold: ${Math.min(RUNS, 10)}):\n\n` +
        table(['pipeline', 'plain ms', 'cold ms', 'cold / plain', 'warm ms', 'warm / plain', 'verdict'], anomalyRows) +
        '\n',
    );
  } finally {
    await runner.close();
    if (process.env.DATAMON_BENCH_KEEP !== '1') await connection.query('DROP DATABASE IF EXISTS ??', [DATABASE]);
    await connection.end();
  }
}

try {
  await main();
} catch (err) {
  // Never fail: say what stopped it and exit 0.
  process.stdout.write(`checks benchmark could not run: ${(err as Error).message}\n`);
}
