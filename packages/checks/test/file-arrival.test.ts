import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { resolveConfig } from '@datamon/config';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { CheckResult } from '@datamon/core';
import { createCheckRunner, type CheckRunner } from '../src/index.ts';
import { filePipeline } from './helpers/pipelines.ts';
import { testConfig } from './helpers/test-config.ts';

// 2026-03-30 is British Summer Time: 11:31 local is 10:31Z, 12:00 local is 11:00Z.
const FILE = 'productivity_20260330_1131.csv';
const at = (iso: string) => new Date(iso);
/**
 * Runs the check in a child process that cannot bypass file permissions. Root (CI runs as root)
 * reads every folder, so as root the child gives up the two capabilities that let it
 * (`setpriv`, util-linux): the folder's own permissions then apply, as for any user.
 */
function checkWithoutReadPrivileges(folder: string, at: string): CheckResult {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'helpers', 'check-file-once.ts');
  const node = [process.execPath, '--import', 'tsx', script, folder, at];
  const argv = process.getuid?.() === 0 ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--', ...node] : node;
  const output = execFileSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
  return JSON.parse(output) as CheckResult;
}

let root: string;
let folder: string;
let runner: CheckRunner;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'datamon-files-'));
  runner = createCheckRunner(testConfig({ monitoring: { timezone: 'Europe/London' } }));
});
after(async () => {
  await runner.close();
  await rm(root, { recursive: true, force: true });
});
beforeEach(async () => {
  folder = await mkdtemp(join(root, 'csv-'));
});

describe('when the morning CSV is missing before its expected time', () => {
  it('reports PENDING and says when it is expected', async () => {
    const result = await runner.run(filePipeline(folder), at('2026-03-30T08:00:00Z'));
    assert.equal(result.status, 'PENDING');
    assert.equal(result.message, `${FILE} is expected at 11:31 (deadline 12:00)`);
  });
});

describe('when the morning CSV is missing between its expected time and its deadline', () => {
  it('stays PENDING up to just before 12:00', async () => {
    const result = await runner.run(filePipeline(folder), at('2026-03-30T10:59:59Z'));
    assert.equal(result.status, 'PENDING');
    assert.match(result.message, /not there yet/);
  });
});

describe('when the morning CSV is missing after its deadline', () => {
  it('reports CRITICAL and names the file, the folder and the deadline', async () => {
    const result = await runner.run(filePipeline(folder), at('2026-03-30T11:00:00Z'));
    assert.equal(result.status, 'CRITICAL');
    assert.equal(result.message, `${FILE} is missing in ${folder}: expected at 11:31, deadline 12:00 has passed`);
    assert.equal(result.details.file, FILE);
    assert.equal(result.value, null);
  });
  it('does not accept yesterday\'s file for today', async () => {
    await writeFile(join(folder, 'productivity_20260329_1131.csv'), 'h\n1\n');
    assert.equal((await runner.run(filePipeline(folder), at('2026-03-30T11:30:00Z'))).status, 'CRITICAL');
  });
});

describe('when the morning CSV is there', () => {
  it('reports OK with its data rows, even before it was expected', async () => {
    await writeFile(join(folder, FILE), 'operator_id,calls\r\n1,20\r\n2,31\r\n3,12\r\n\r\n');
    for (const now of ['2026-03-30T07:00:00Z', '2026-03-30T11:00:00Z']) {
      const result = await runner.run(filePipeline(folder), at(now));
      assert.equal(result.status, 'OK');
      assert.equal(result.value, 3);
      assert.equal(result.message, `${FILE} arrived in ${folder} with 3 data rows`);
    }
  });
  it('reports WARNING when it holds only its header', async () => {
    await writeFile(join(folder, FILE), 'operator_id,calls\n');
    const result = await runner.run(filePipeline(folder), at('2026-03-30T11:45:00Z'));
    assert.equal(result.status, 'WARNING');
    assert.equal(result.value, 0);
    assert.match(result.message, /has no data rows/);
  });
  it('reports WARNING when it is empty', async () => {
    await writeFile(join(folder, FILE), '');
    assert.equal((await runner.run(filePipeline(folder), at('2026-03-30T09:00:00Z'))).status, 'WARNING');
  });
  it('counts every line as data when header_rows is 0', async () => {
    await writeFile(join(folder, FILE), '1,20\n2,31');
    assert.equal((await runner.run(filePipeline(folder, { header_rows: 0 }), at('2026-03-30T11:45:00Z'))).value, 2);
  });
});

describe('when the CSV is very large', () => {
  it('counts rows in the first max_scan_bytes only, and says "at least"', async () => {
    await writeFile(join(folder, FILE), `a,b\n${'1,2\n'.repeat(5_000)}`);
    const result = await runner.run(filePipeline(folder, { max_scan_bytes: 4_000 }), at('2026-03-30T10:00:00Z'));
    assert.equal(result.status, 'OK');
    assert.equal(result.message, `${FILE} arrived in ${folder} with at least 999 data rows`);
  });

  it('stops reading at the check\'s timeout: a CRITICAL result, and no read left running', async () => {
    // 40 GB that take no disk (sparse), counted whole: far more than a check may take.
    const huge = join(folder, FILE);
    await writeFile(huge, '');
    await truncate(huge, 40 * 1024 ** 3);
    const quick = createCheckRunner(testConfig({ monitoring: { timezone: 'Europe/London' }, database: { query_timeout_ms: 200 } }));
    try {
      const result = await quick.run(filePipeline(folder, { max_scan_bytes: 64 * 1024 ** 3 }), at('2026-03-30T10:00:00Z'));
      assert.equal(result.status, 'CRITICAL');
      assert.match(result.message, /did not finish within 2400 ms/);
      // The aborted stream finishes its last chunk and closes: no file read stays in flight.
      const deadline = Date.now() + 5_000;
      while (process.getActiveResourcesInfo().includes('FSReqCallback')) {
        assert.ok(Date.now() < deadline, 'the read of the file went on after the timeout');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await quick.close();
    }
  });

  it('refuses a pattern that leaves its folder, naming it', () => {
    assert.throws(
      () => resolveConfig({ pipelines: [{ id: 'x', kind: 'file_arrival', pattern: '../../../../etc/passwd', expected: '01:00', deadline: '02:00' }], schedule: { checkins: { morning: { enabled: false }, first_shift: { enabled: false }, second_shift: { enabled: false } } } }, { source: 'test.yaml' }),
      /pipelines\[0\]\.pattern: "\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd" must be a file name in its folder \(no \/, \\ or \.\.\): put the folder in directory/,
    );
  });
});

describe('when the CSV folder cannot be read', () => {
  it('reports CRITICAL when the folder does not exist, whatever the time', async () => {
    const missing = join(folder, 'not-here');
    const result = await runner.run(filePipeline(missing), at('2026-03-30T08:00:00Z'));
    assert.equal(result.status, 'CRITICAL');
    assert.equal(result.message, `folder ${missing} does not exist`);
  });
  it('reports CRITICAL when the path is a file, not a folder', async () => {
    const file = join(folder, 'reports');
    await writeFile(file, 'not a folder');
    const result = await runner.run(filePipeline(file), at('2026-03-30T08:00:00Z'));
    assert.equal(result.status, 'CRITICAL');
    assert.equal(result.message, `folder ${file} is not a folder`);
  });
  it('reports CRITICAL when today\'s file name is taken by a folder', async () => {
    await mkdir(join(folder, FILE));
    const result = await runner.run(filePipeline(folder), at('2026-03-30T11:45:00Z'));
    assert.equal(result.status, 'CRITICAL');
    assert.match(result.message, /is there but is not a file/);
  });
  it('reports CRITICAL when permissions forbid reading the folder', async () => {
    const locked = join(folder, 'locked');
    await mkdir(locked);
    await chmod(locked, 0o000);
    try {
      const result = await checkWithoutReadPrivileges(locked, '2026-03-30T08:00:00Z');
      assert.equal(result.status, 'CRITICAL');
      assert.match(result.message, /cannot be read \(permission denied\)/);
    } finally {
      await chmod(locked, 0o700);
    }
  });
});
