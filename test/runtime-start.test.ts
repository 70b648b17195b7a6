import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseRoleOption, ROLE_NAMES, ROLE_TABLE, selectRoles } from '../packages/cli/src/commands/start.ts';

const ROOT = join(import.meta.dirname, '..');

describe('datamon start --role', () => {
  it('runs every role when none is named', () => {
    assert.deepEqual(new Set(selectRoles(undefined)), new Set(ROLE_NAMES));
  });

  it('combines repeated and comma-separated roles, each once', () => {
    const roles = parseRoleOption('scheduler', parseRoleOption('checks,scheduler'));
    assert.deepEqual(selectRoles(roles), ['checks', 'scheduler']);
    assert.deepEqual(new Set(selectRoles(parseRoleOption('all'))), new Set(ROLE_NAMES));
  });

  it('starts consumers before producers (and so stops producers first)', () => {
    assert.deepEqual(selectRoles([...ROLE_NAMES]), ['alerts', 'checks', 'scheduler', 'api']);
  });

  it('refuses an unknown role, listing the roles', () => {
    assert.throws(() => parseRoleOption('cron'), /"cron" is not a role: choose all, scheduler, checks, alerts, api/);
  });

  it('has an entry for every role', () => {
    assert.deepEqual(Object.keys(ROLE_TABLE).sort(), [...ROLE_NAMES].sort());
  });

  it('exits 3 with a one-line reason for an unknown role', () => {
    const folder = mkdtempSync(join(tmpdir(), 'datamon-start-'));
    try {
      const config = join(folder, 'config.json');
      writeFileSync(config, '{}');
      const run = spawnSync(process.execPath, [join(ROOT, 'packages/cli/bin/datamon.js'), 'start', '--role', 'cron', '--config', config], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      assert.equal(run.status, 3);
      assert.match(run.stderr, /"cron" is not a role/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
