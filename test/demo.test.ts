import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { StatusSnapshot } from '@datamon/core';
import { createRedisConnection, DatamonStore } from '@datamon/store';
import { createConnection } from 'mysql2/promise';
import { testDatabaseSettings } from '../packages/checks/test/helpers/test-config.ts';
import { closedPort } from '../packages/checks/test/helpers/ports.ts';

const CLI = join(import.meta.dirname, '../packages/cli/bin/datamon.js');
const workdir = mkdtempSync(join(tmpdir(), 'datamon-demo-test-'));
const name = `datamon_demo_t${randomUUID().replaceAll('-', '').slice(0, 8)}`;
const mysql = testDatabaseSettings();
const demoEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DATAMON_DEMO_DATABASE: name,
  DATAMON_DEMO_MYSQL_USER: mysql.user,
  DATAMON_DEMO_MYSQL_PASSWORD: mysql.password,
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let demo: ChildProcess | null = null;
after(async () => {
  if (demo && demo.exitCode === null) demo.kill('SIGKILL');
  const admin = await createConnection(mysql);
  await admin.query('DROP DATABASE IF EXISTS ??', [name]);
  await admin.end();
  const redis = createRedisConnection('redis://127.0.0.1:6379');
  await new DatamonStore(redis, { prefix: name.replaceAll('_', '-'), historyDays: 1 }).clear();
  redis.disconnect();
  rmSync(workdir, { recursive: true, force: true });
});

describe('datamon demo', () => {
  it('says in one line each that Redis or MySQL is missing, and how to start it', async () => {
    const run = spawnSync(process.execPath, [CLI, 'demo'], {
      cwd: workdir,
      encoding: 'utf8',
      env: { ...demoEnv, DATAMON_DEMO_EMBEDDED: 'never', DATAMON_DEMO_REDIS_URL: `redis://127.0.0.1:${await closedPort()}`, DATAMON_DEMO_MYSQL_PORT: String(await closedPort()) },
    });
    assert.equal(run.status, 3);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 2, run.stderr);
    assert.match(lines[0] ?? '', /Redis is not reachable at .*: start it with "redis-server/);
    assert.match(lines[1] ?? '', /MySQL is not reachable at 127\.0\.0\.1:\d+ .*: start it with/);
  });

  it('brings up the dashboard with an OK, a PENDING and a CRITICAL pipeline, and stops on Ctrl-C', async () => {
    const port = await freePort();
    demo = spawn(process.execPath, [CLI, 'demo'], { cwd: workdir, env: { ...demoEnv, DATAMON_DEMO_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    demo.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    demo.stderr?.resume();
    const deadline = Date.now() + 90_000;
    while (!stdout.includes('datamon demo is running')) {
      assert.ok(Date.now() < deadline, 'the demo did not start in 90 s');
      assert.equal(demo.exitCode, null, `the demo exited: ${stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.match(stdout, new RegExp(`http://localhost:${port}`));
    assert.match(stdout, /user "demo", password "[\w-]{24}"/);

    let snapshot: StatusSnapshot | null = null;
    while (Date.now() < deadline) {
      const response = await fetch(`http://127.0.0.1:${port}/api/status`);
      snapshot = (await response.json()) as StatusSnapshot;
      if (snapshot.pipelines.every((pipeline) => pipeline.checkedAt !== null)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(snapshot);
    assert.ok(snapshot.counts.OK >= 1 && snapshot.counts.PENDING >= 1 && snapshot.counts.CRITICAL >= 1, JSON.stringify(snapshot.counts));
    assert.equal(snapshot.pipelines.find((pipeline) => pipeline.id === 'etl_calls')?.status, 'CRITICAL');
    assert.equal(snapshot.pipelines.find((pipeline) => pipeline.id === 'afternoon_csv')?.status, 'PENDING');
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);

    const stopped = Date.now();
    const exit = new Promise<number | null>((resolve) => demo?.once('exit', (code) => resolve(code)));
    demo.kill('SIGINT');
    assert.equal(await exit, 0);
    assert.ok(Date.now() - stopped < 10_000, 'Ctrl-C must stop it within 10 s');
  });
});
