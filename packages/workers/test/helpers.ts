import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { resolveConfig } from '@datamon/config';
import type { DatamonConfig } from '@datamon/core';
import { createLogger, type Logger } from '@datamon/io';
import { createRedisConnection, DatamonStore } from '@datamon/store';
import type { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.DATAMON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestConfigOptions {
  /** How many synthetic file_arrival pipelines (ids p0001, p0002, ...). */
  pipelines?: number;
  /** Extra check-ins: id -> { cron, pipelines }. */
  checkins?: Record<string, { cron: string; label?: string; pipelines: string[] }>;
  historyDays?: number;
  redisUrl?: string;
  timezone?: string;
}

/**
 * A config of `file_arrival` pipelines over a temp folder of its own (real, cheap checks), under
 * a Redis prefix of its own (`test-<uuid>`). `cleanup` deletes the folder and every key.
 */
export function testSetup(options: TestConfigOptions = {}) {
  const prefix = `test-${randomUUID()}`;
  const folder = mkdtempSync(join(tmpdir(), 'datamon-runtime-'));
  const count = options.pipelines ?? 3;
  const ids = Array.from({ length: count }, (_, index) => `p${String(index + 1).padStart(4, '0')}`);
  const raw = {
    redis: { url: options.redisUrl ?? TEST_REDIS_URL, prefix },
    monitoring: { csv_directory: folder, log_directory: '', timezone: options.timezone ?? 'Europe/London', history_days: options.historyDays ?? 90 },
    pipelines: ids.map((id) => ({ id, name: `Pipeline ${id}`, kind: 'file_arrival', pattern: `${id}_{YYYYMMDD}.csv`, expected: '00:00', deadline: '00:01' })),
    // The default check-ins list none of these pipelines: off, unless a test sets them.
    schedule: { checkins: { morning: { enabled: false }, first_shift: { enabled: false }, second_shift: { enabled: false }, ...options.checkins } },
  };
  const config = resolveConfig(raw, { source: 'runtime test' });
  return {
    prefix,
    folder,
    ids,
    config,
    raw,
    /** Writes today's file for a pipeline (header + `rows` data rows). */
    writeFile(id: string, date: string, rows = 1) {
      writeFileSync(join(folder, `${id}_${date}.csv`), `a,b\n${'1,2\n'.repeat(rows)}`);
    },
    async cleanup(redis?: Redis) {
      rmSync(folder, { recursive: true, force: true });
      const own = redis ?? createRedisConnection(options.redisUrl ?? TEST_REDIS_URL);
      const store = new DatamonStore(own, { prefix, historyDays: 1 });
      await store.clear();
      // A connection closing elsewhere may still flush a queued write: sweep once more.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await store.clear();
      if (!redis) own.disconnect();
    },
  };
}

/** A logger whose JSON lines are kept in `lines` (and shown nowhere). */
export function captureLogger(role = 'test'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: createLogger({ role, level: 'debug', destination }), lines };
}

export function withConfig(config: DatamonConfig, patch: Partial<DatamonConfig>): DatamonConfig {
  return { ...config, ...patch };
}

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(probe: () => Promise<T> | T, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
