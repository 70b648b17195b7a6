import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveConfig } from '@datamon/config';
import { isProcessRunning } from '@datamon/io';
import { createQueues } from '@datamon/jobs';
import { DatamonStore } from '@datamon/store';

/**
 * README "Running it": `npx datamon start` stops cleanly when npm is told to stop. npm exits on
 * SIGTERM without passing it on; datamon notices that its npm is gone and stops itself.
 */

const ROOT = join(import.meta.dirname, '..');
const folder = mkdtempSync(join(tmpdir(), 'datamon-npx-'));
const prefix = `test-${randomUUID()}`;
const file = join(folder, 'config.json');
writeFileSync(
  file,
  JSON.stringify({
    redis: { url: process.env.DATAMON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', prefix },
    heartbeats: { ping_key: 'npx-ping-key-0123456789' },
    pipelines: [{ id: 'job_a', kind: 'heartbeat', period_minutes: 60 }],
    schedule: { checkins: { morning: { pipelines: ['job_a'] }, first_shift: { enabled: false }, second_shift: { enabled: false } } },
  }),
);

after(async () => {
  const config = resolveConfig({ redis: { prefix } }, { source: 'test', env: {} });
  const queues = createQueues(config);
  await queues.obliterate();
  await new DatamonStore(queues.connection, { prefix, historyDays: 1 }).clear();
  await queues.close();
  rmSync(folder, { recursive: true, force: true });
});


/** The datamon node process below npm (through its shell). */
function datamonUnder(npmPid: number): Promise<number | null> {
  const out = spawn('ps', ['-eo', 'pid,ppid,args']);
  return new Promise<number | null>((resolve) => {
    let text = '';
    out.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    out.on('close', () => {
      const rows = text.split('\n').map((line) => line.trim().split(/\s+/)).filter((row) => row.length > 2);
      const children = (pid: number) => rows.filter((row) => Number(row[1]) === pid).map((row) => Number(row[0]));
      const below = children(npmPid).flatMap((pid) => [pid, ...children(pid)]);
      const node = rows.find((row) => below.includes(Number(row[0])) && row.slice(2).join(' ').includes('datamon') && row[2]?.endsWith('node'));
      resolve(node ? Number(node[0]) : null);
    });
  });
}

describe('npx datamon start', () => {
  it('stops when npm is sent SIGTERM, instead of running on as an orphan', { timeout: 60_000 }, async () => {
    const npm = spawn('npx', ['datamon', 'start', '--role', 'checks', '--config', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_yes: 'true' } });
    const output: string[] = [];
    npm.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const deadline = Date.now() + 40_000;
    while (!output.join('').includes('datamon started')) {
      if (Date.now() > deadline) assert.fail(`datamon did not start:\n${output.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const node = await datamonUnder(npm.pid as number);
    assert.ok(node, 'found the datamon process under npm');
    npm.kill('SIGTERM');
    const stopBy = Date.now() + 15_000;
    while (isProcessRunning(node)) {
      if (Date.now() > stopBy) {
        process.kill(node, 'SIGKILL');
        assert.fail(`datamon (pid ${node}) kept running after npm stopped`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});
