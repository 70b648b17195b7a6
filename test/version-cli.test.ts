import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/** `datamon --version` from the sources (the production bundle's is in bundle.test.ts). */

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'packages/cli/bin/datamon.js');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('datamon --version', () => {
  it('prints the version of the root package.json and exits 0, as --version and -V', () => {
    for (const flag of ['--version', '-V']) {
      const run = spawnSync(process.execPath, [BIN, flag], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, `${version}\n`, flag);
      assert.equal(run.stderr, '');
    }
  });

  it('is listed in --help', () => {
    const run = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /-V, --version\s+print the version and exit/);
  });
});
