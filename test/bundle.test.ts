import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..');
const OUT = `.bundle-test-${randomUUID().slice(0, 8)}`;
after(() => rmSync(join(ROOT, OUT), { recursive: true, force: true }));

describe('the production bundle (what the Docker image runs)', () => {
  it('builds, and runs datamon without the TypeScript loader', () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/bundle.mjs'), OUT], { cwd: ROOT, stdio: 'pipe' });
    const help = spawnSync(process.execPath, [join(ROOT, OUT, 'datamon.mjs'), 'start', '--help'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /Usage: datamon start/);
    const check = spawnSync(process.execPath, [join(ROOT, OUT, 'datamon.mjs'), 'config', 'check', '--config', 'config/monitoring_config.example.yaml'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, MYSQL_PASSWORD: 'x1', EMAIL_PASSWORD: 'x2' },
    });
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /afternoon_csv/);
  });

  it('knows its version without a package.json beside it (inlined at build time)', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    // Code-split: the version sits in whichever chunk imports it.
    const built = readdirSync(join(ROOT, OUT)).filter((file) => file.endsWith('.mjs')).map((file) => readFileSync(join(ROOT, OUT, file), 'utf8')).join('\n');
    assert.ok(built.includes(`version: "${version}"`), 'the version is in the bundle, not read at run time');
    const run = spawnSync(process.execPath, [join(ROOT, OUT, 'datamon.mjs'), '--version'], { cwd: tmpdir(), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `${version}\n`);
  });
});
