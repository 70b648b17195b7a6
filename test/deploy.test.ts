import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/** README "In production": the systemd unit shipped in deploy/ is valid and runs the bundle. */

const UNIT = join(import.meta.dirname, '..', 'deploy', 'datamon.service');
const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((path) => existsSync(path));

describe('deploy/datamon.service', () => {
  it('runs the bundle (not npx), reloads with SIGHUP and does not restart on a config error', () => {
    const unit = readFileSync(UNIT, 'utf8');
    assert.match(unit, /^ExecStart=\/usr\/bin\/node \/opt\/datamon\/dist\/datamon\.mjs start /m);
    assert.match(unit, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    assert.match(unit, /^RestartPreventExitStatus=78$/m);
    assert.doesNotMatch(unit.match(/^ExecStart=.*$/m)?.[0] ?? '', /npx|tsx/);
  });

  it('runs node with the memory settings the Docker image has', () => {
    const unit = readFileSync(UNIT, 'utf8');
    const dockerfile = readFileSync(join(import.meta.dirname, '..', 'Dockerfile'), 'utf8');
    const settings = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((match) => match[1]).filter((line) => !line?.startsWith('NODE_ENV='));
    const image = settings(dockerfile, /^ENV (\S+)$/gm);
    assert.deepEqual(image, ['NODE_OPTIONS=--max-semi-space-size=2', 'MALLOC_MMAP_THRESHOLD_=131072']);
    assert.deepEqual(settings(unit, /^Environment=(\S+)$/gm), image);
  });

  it('passes systemd-analyze verify', { skip: analyze ? false : 'systemd-analyze is not installed here' }, () => {
    const result = spawnSync(analyze as string, ['verify', UNIT], { encoding: 'utf8' });
    // A missing user, binary or path on this machine is a warning about the machine, not the unit.
    const problems = `${result.stdout}${result.stderr}`
      .split('\n')
      .filter((line) => line.trim() !== '' && !/is not executable|No such file|Failed to resolve user|does not exist|Unit .* not found|Failed to prepare filename/i.test(line));
    assert.deepEqual(problems, []);
  });
});
