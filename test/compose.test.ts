import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '@datamon/config';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..');
const ROLES = ['all', 'scheduler', 'checks', 'alerts', 'api'];

interface Service {
  command?: string[];
  build?: unknown;
  image?: string;
  deploy?: { replicas?: number };
  container_name?: string;
  ports?: unknown[];
}

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
  const datamonServices = Object.entries(compose.services).filter(([, service]) => service.image === 'datamon:latest');

  it('has the seed and one service per role, all from the datamon image', () => {
    assert.deepEqual(datamonServices.map(([name]) => name).sort(), ['alerts', 'api', 'checks', 'scheduler', 'seed']);
  });

  it('runs the scheduler, two check workers, the alert worker and the API as separate services', () => {
    const roles = datamonServices.flatMap(([, service]) => {
      const command = service.command ?? [];
      const index = command.indexOf('--role');
      return index === -1 ? [] : Array.from({ length: service.deploy?.replicas ?? 1 }, () => command[index + 1]);
    });
    assert.deepEqual(roles.sort(), ['alerts', 'api', 'checks', 'checks', 'scheduler']);
  });

  it('lets the check workers scale (no fixed container name or host port)', () => {
    const checks = compose.services.checks;
    assert.equal(checks?.container_name, undefined);
    assert.equal(checks?.ports, undefined);
  });

  it('gives every datamon service a command the datamon binary accepts', () => {
    for (const [name, service] of datamonServices) {
      const command = service.command ?? [];
      if (command[0] === 'start') {
        const index = command.indexOf('--role');
        assert.ok(ROLES.includes(command[index + 1] ?? ''), `${name}: unknown role ${command[index + 1]}`);
      } else {
        assert.deepEqual(command.slice(0, 2), ['demo', 'seed'], `${name}: unexpected command ${command.join(' ')}`);
      }
      const words = command.slice(0, command[0] === 'demo' ? 2 : 1);
      const help = spawnSync(process.execPath, [join(ROOT, 'packages/cli/bin/datamon.js'), ...words, '--help'], { encoding: 'utf8' });
      assert.equal(help.status, 0, `${name}: datamon ${words.join(' ')} --help failed: ${help.stderr}`);
      assert.match(help.stdout, new RegExp(`Usage: datamon ${words.join(' ')} `), `${name}: datamon has no command "${words.join(' ')}"`);
    }
  });

  it('ships a config that loads with the variables of .env.example', () => {
    const env = Object.fromEntries(
      readFileSync(join(ROOT, '.env.example'), 'utf8')
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const config = loadConfig({ path: join(ROOT, 'config/monitoring_config.docker.yaml'), env });
    assert.equal(config.redis.url, 'redis://redis:6379');
    assert.equal(config.email.smtp_port, 587);
  });
});
