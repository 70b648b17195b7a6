import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountAdvice, installCommands, parseEmbeddedMode, planServices, type Probe, type ServicePlanInput } from '../src/demo/service-plan.ts';

const OK: Probe = { state: 'ok' };
const SILENT: Probe = { state: 'silent', detail: 'ECONNREFUSED' };
const REFUSED: Probe = { state: 'refused', detail: 'ER_ACCESS_DENIED_ERROR' };

function plan(overrides: Partial<ServicePlanInput>) {
  return planServices({
    mode: 'auto',
    probes: { redis: OK, mysql: OK },
    installed: { redis: true, mysql: true },
    redisAddress: 'redis://127.0.0.1:6379',
    mysqlAddress: '127.0.0.1:3306',
    database: 'datamon_demo_x',
    mysqlUser: 'root',
    suggestedPassword: 'made-up-pw',
    needsSudo: true,
    ...overrides,
  });
}

describe('which Redis and MySQL the demo uses', () => {
  describe('when both answer', () => {
    it('uses them and starts nothing', () => {
      assert.deepEqual(plan({}), { use: { redis: 'external', mysql: 'external' }, problems: [] });
    });
  });

  describe('when nothing answers and the servers are installed', () => {
    it('starts a private one for each silent service only', () => {
      assert.deepEqual(plan({ probes: { redis: SILENT, mysql: OK } }).use, { redis: 'embedded', mysql: 'external' });
      assert.deepEqual(plan({ probes: { redis: OK, mysql: SILENT } }).use, { redis: 'external', mysql: 'embedded' });
      assert.deepEqual(plan({ probes: { redis: SILENT, mysql: SILENT } }), { use: { redis: 'embedded', mysql: 'embedded' }, problems: [] });
    });
  });

  describe('when nothing answers and a server is not installed', () => {
    it('gives one line per service with the Debian/Ubuntu and macOS install commands', () => {
      const { problems } = plan({ probes: { redis: SILENT, mysql: SILENT }, installed: { redis: false, mysql: false } });
      assert.equal(problems.length, 2);
      assert.match(problems[0] ?? '', /^Redis is not reachable at redis:\/\/127\.0\.0\.1:6379 \(ECONNREFUSED\) and redis-server is not installed: install it with "sudo apt-get install -y redis-server" \(Debian\/Ubuntu\) or "brew install redis" \(macOS\)/);
      assert.match(problems[1] ?? '', /^MySQL is not reachable at 127\.0\.0\.1:3306 \(ECONNREFUSED\) and no MariaDB server is installed .*"sudo apt-get install -y mariadb-server" \(Debian\/Ubuntu\) or "brew install mariadb" \(macOS\)/);
    });

    it('starts nothing, even for the service that could be had', () => {
      const result = plan({ probes: { redis: SILENT, mysql: SILENT }, installed: { redis: true, mysql: false } });
      assert.equal(result.problems.length, 1);
      assert.match(result.problems[0] ?? '', /mariadb-server/);
    });

    it('leaves sudo out for root', () => {
      assert.deepEqual(installCommands('mysql', false), { debian: 'apt-get install -y mariadb-server', macos: 'brew install mariadb' });
      assert.deepEqual(installCommands('redis', true), { debian: 'sudo apt-get install -y redis-server', macos: 'brew install redis' });
    });
  });

  describe('when a server answers and refuses the demo', () => {
    it('never hides it behind a private server, and gives the SQL for an account on the database used', () => {
      const result = plan({ probes: { redis: OK, mysql: REFUSED } });
      assert.deepEqual(result.use, { redis: 'external', mysql: 'external' });
      assert.equal(result.problems.length, 1);
      const line = result.problems[0] ?? '';
      assert.match(line, /^MySQL at 127\.0\.0\.1:3306 refused user "root" \(ER_ACCESS_DENIED_ERROR\)/);
      assert.ok(line.includes("CREATE USER 'datamon_demo'@'127.0.0.1' IDENTIFIED BY 'made-up-pw'; GRANT ALL PRIVILEGES ON `datamon_demo_x`.* TO 'datamon_demo'@'127.0.0.1';"), line);
      assert.match(line, /DATAMON_DEMO_MYSQL_USER=datamon_demo and DATAMON_DEMO_MYSQL_PASSWORD=made-up-pw/);
    });

    it('says a Redis password is needed', () => {
      const { problems } = plan({ probes: { redis: { state: 'refused', detail: 'NOAUTH Authentication required.' }, mysql: OK } });
      assert.match(problems[0] ?? '', /^Redis at redis:\/\/127\.0\.0\.1:6379 refused the demo \(NOAUTH.*DATAMON_DEMO_REDIS_URL/);
    });
  });

  describe('with DATAMON_DEMO_EMBEDDED=never', () => {
    it('says how to start a silent service instead of starting one', () => {
      const result = plan({ mode: 'never', probes: { redis: SILENT, mysql: SILENT } });
      assert.deepEqual(result.use, { redis: 'external', mysql: 'external' });
      assert.match(result.problems[0] ?? '', /^Redis is not reachable at .*: start it with "redis-server --daemonize yes"/);
      assert.match(result.problems[1] ?? '', /^MySQL is not reachable at .*: start it with "sudo systemctl start mariadb"/);
    });
  });

  describe('with DATAMON_DEMO_EMBEDDED=always', () => {
    it('starts private servers without asking the system ones', () => {
      assert.deepEqual(plan({ mode: 'always', probes: { redis: null, mysql: null } }).use, { redis: 'embedded', mysql: 'embedded' });
    });

    it('says how to install a missing one', () => {
      const { problems } = plan({ mode: 'always', probes: { redis: null, mysql: null }, installed: { redis: false, mysql: true } });
      assert.deepEqual(problems, ['redis-server is not installed: install it with "sudo apt-get install -y redis-server" (Debian/Ubuntu) or "brew install redis" (macOS) and datamon demo starts a private one']);
    });
  });

  it('reads DATAMON_DEMO_EMBEDDED, auto by default, and names the values it takes', () => {
    assert.equal(parseEmbeddedMode(undefined), 'auto');
    assert.equal(parseEmbeddedMode(''), 'auto');
    assert.equal(parseEmbeddedMode('Always'), 'always');
    assert.equal(parseEmbeddedMode('never'), 'never');
    assert.deepEqual(parseEmbeddedMode('yes'), { error: 'DATAMON_DEMO_EMBEDDED must be auto, always, never; got "yes"' });
  });

  it('quotes the database name in the GRANT', () => {
    assert.match(accountAdvice('datamon_demo', 'pw'), /ON `datamon_demo`\.\* TO/);
  });
});
