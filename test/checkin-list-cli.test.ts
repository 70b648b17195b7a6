import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CheckinRun } from '@datamon/core';
import { createRedisConnection, DatamonStore } from '@datamon/store';
import { TEST_REDIS_URL } from './helpers/redis.ts';

/** `datamon checkin list` as a user runs it: the configured check-ins, and their last runs from Redis when it answers. */

const BIN = join(import.meta.dirname, '../packages/cli/bin/datamon.js');
const PREFIX = `test-${randomUUID()}`;
const redis = createRedisConnection(TEST_REDIS_URL);
const store = new DatamonStore(redis, { prefix: PREFIX, historyDays: 90 });
let dir: string;

function configDocument(redisUrl: string): string {
  return JSON.stringify({
    redis: { url: redisUrl, prefix: PREFIX },
    monitoring: { csv_directory: dir, log_directory: '', timezone: 'Europe/London' },
    pipelines: [
      { id: 'morning_csv', name: 'Morning CSV', kind: 'file_arrival', pattern: 'm_{YYYYMMDD}.csv', expected: '07:00', deadline: '07:30' },
      { id: 'weekend_feed', name: 'Weekend feed', kind: 'file_arrival', pattern: 'w_{YYYYMMDD}.csv', expected: '08:00', deadline: '09:00', days: 'every_day' },
    ],
    schedule: {
      checkins: {
        morning: { pipelines: ['morning_csv'] },
        first_shift: { cron: '*/30 8-17 * * *', label: 'Half-hourly feed check', pipelines: ['morning_csv', 'weekend_feed'], days: 'every_day' },
        second_shift: { enabled: false },
      },
    },
  });
}

async function checkinList(redisUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(dir, `config-${randomUUID()}.json`);
  await writeFile(file, configDocument(redisUrl));
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'checkin', 'list', '--config', file], { env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'datamon-checkin-list-'));
});
after(async () => {
  await store.clear();
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('datamon checkin list', () => {
  it('lists each check-in with its time or cron, days, label and pipelines, and its last run from Redis', async () => {
    const run: CheckinRun = {
      id: 'morning-1',
      checkinId: 'morning',
      label: 'Morning CC Data Check',
      scheduledFor: '2026-03-30T06:30:00.000Z',
      ranAt: '2026-03-30T06:41:00.000Z',
      late: true,
      manual: false,
      requestedBy: null,
      overall: 'CRITICAL',
      results: [{ pipelineId: 'morning_csv', status: 'CRITICAL', message: 'missing', value: null }],
    };
    await store.checkinRuns.record(run);

    const listed = await checkinList(TEST_REDIS_URL);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.split('\n');
    assert.match(lines[0] ?? '', /^ID\s+WHEN\s+DAYS\s+LABEL\s+PIPELINES\s+LAST RUN$/);
    assert.match(listed.stdout, /\nmorning\s+07:30\s+workdays\s+Morning CC Data Check\s+morning_csv\s+🔴 CRITICAL at 2026-03-30 07:41 \(late\)\n/);
    assert.match(listed.stdout, /\nfirst_shift\s+cron \*\/30 8-17 \* \* \*\s+every day\s+Half-hourly feed check\s+morning_csv, weekend_feed\s+never run\n/);
    assert.doesNotMatch(listed.stdout, /second_shift/, 'a check-in turned off is not listed');
    assert.match(listed.stdout, /Times are local to Europe\/London\./);
    assert.doesNotMatch(listed.stdout, /unknown/);
  });

  it('still lists them without Redis, saying the last runs are unknown and why', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));

    const listed = await checkinList(`redis://127.0.0.1:${port}`);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /\nmorning\s+07:30\s+workdays\s+Morning CC Data Check\s+morning_csv\s+unknown\n/);
    assert.match(listed.stdout, /\nfirst_shift\s+cron \*\/30 8-17 \* \* \*\s+every day\s+Half-hourly feed check\s+morning_csv, weekend_feed\s+unknown\n/);
    assert.match(listed.stdout, new RegExp(`Last runs unknown: Redis at redis://127\\.0\\.0\\.1:${port} is not reachable`));
  });
});
