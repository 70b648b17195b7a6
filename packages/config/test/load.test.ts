import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig, maskConfig } from '@datamon/config';

const dir = mkdtempSync(join(tmpdir(), 'datamon-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const EXAMPLE = join(import.meta.dirname, '../../../config/monitoring_config.example.yaml');
const SECRETS = { MYSQL_PASSWORD: 'db-secret-4711', EMAIL_PASSWORD: 'mail-secret-0815' };
const CLI = join(import.meta.dirname, '../../cli/bin/datamon.js');

let counter = 0;
function file(text: string): string {
  counter += 1;
  const path = join(dir, `config-${counter}.yaml`);
  writeFileSync(path, text);
  return path;
}

function problemsOf(path: string, env: NodeJS.ProcessEnv = SECRETS): string[] {
  try {
    loadConfig({ path, env });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.equal(err.exitCode, 78);
    return err.message.split('\n');
  }
  assert.fail('the config loaded but should not have');
}

function runCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('when the seed\'s original config file is loaded unchanged', () => {
  const config = loadConfig({ path: EXAMPLE, env: SECRETS });

  it("yields the six default pipelines in the README's order", () => {
    assert.deepEqual(
      config.pipelines.map((pipeline) => pipeline.id),
      ['etl_calls', 'first_calls', 'operators', 'call_volume', 'morning_csv', 'afternoon_csv'],
    );
  });

  it('derives the rules from the seed thresholds', () => {
    const etl = config.pipelines.find((pipeline) => pipeline.id === 'etl_calls');
    assert.equal(etl?.kind, 'mysql_freshness');
    assert.deepEqual(etl?.kind === 'mysql_freshness' && [etl.warning_hours, etl.critical_hours], [12, 24]);
    const operators = config.pipelines.find((pipeline) => pipeline.id === 'operators');
    assert.deepEqual(operators?.kind === 'mysql_count' && [operators.critical_below, operators.warning_below, operators.filters], [200, 237, { is_active: 1 }]);
    const volume = config.pipelines.find((pipeline) => pipeline.id === 'call_volume');
    assert.deepEqual(volume?.kind === 'mysql_count' && [volume.window, volume.critical_below, volume.warning_below], ['yesterday', 1, 1000]);
    const first = config.pipelines.find((pipeline) => pipeline.id === 'first_calls');
    assert.equal(first?.not_before, '09:00');
    const morning = config.pipelines.find((pipeline) => pipeline.id === 'morning_csv');
    assert.deepEqual(
      morning?.kind === 'file_arrival' && [morning.directory, morning.pattern, morning.expected, morning.deadline],
      ['/home/will/daily_reports', 'productivity_{YYYYMMDD}_1131.csv', '11:31', '12:00'],
    );
  });

  it('has the three check-ins at 07:30, 11:45 and 15:45 in Europe/London', () => {
    assert.deepEqual(
      config.checkins.map((checkin) => [checkin.id, checkin.time, checkin.label]),
      [
        ['morning', '07:30', 'Morning CC Data Check'],
        ['first_shift', '11:45', 'First Shift Check'],
        ['second_shift', '15:45', 'Second Shift Check'],
      ],
    );
    assert.equal(config.monitoring.timezone, 'Europe/London');
    assert.equal(config.schedule.quick_check, '*/5 * * * *');
    assert.equal(config.schedule.daily_summary, '0 18 * * *');
  });

  it('makes first_calls and call_volume depend on etl_calls', () => {
    const dependsOn = Object.fromEntries(config.pipelines.map((pipeline) => [pipeline.id, pipeline.depends_on]));
    assert.deepEqual(dependsOn, { etl_calls: [], first_calls: ['etl_calls'], operators: [], call_volume: ['etl_calls'], morning_csv: [], afternoon_csv: [] });
  });

  it('fills the added keys with their documented defaults', () => {
    assert.equal(config.database.port, 3306);
    assert.equal(config.redis.prefix, 'datamon');
    assert.equal(config.dashboard.port, 5000);
    assert.equal(config.escalation.after_minutes, 60);
    assert.equal(config.email.user, 'willpalmer@alertacall.com');
    assert.equal(config.database.password, SECRETS.MYSQL_PASSWORD);
  });
});

describe('when Google Sheets are configured', () => {
  it('adds the two Sheets pipelines, checked at their check-ins only', () => {
    const path = file(`google_sheets:\n  credentials_file: /etc/datamon/sa.json\n  sheets:\n    productivity: {spreadsheet_id: abc, max_age_minutes: 120}\n    inbound: {spreadsheet_id: def}\n`);
    const config = loadConfig({ path, env: {} });
    assert.equal(config.pipelines.length, 8);
    const upload = config.pipelines.find((pipeline) => pipeline.id === 'productivity_upload');
    assert.deepEqual(
      upload?.kind === 'sheet_updated' && [upload.sheet, upload.critical_minutes, upload.warning_minutes, upload.quick_check],
      ['productivity', 120, 60, false],
    );
    assert.deepEqual(config.checkins.find((checkin) => checkin.id === 'second_shift')?.pipelines, ['afternoon_csv', 'productivity_upload', 'inbound_sheet']);
  });
});

describe('when more_pipelines adds to the defaults', () => {
  const nightly = '{id: nightly_etl, name: Nightly ETL, kind: heartbeat, schedule: "0 2 * * *", grace_minutes: 30}';

  it('keeps the default pipelines and appends the new ones, with the defaults\' check-ins unchanged', () => {
    const config = loadConfig({ path: file(`heartbeats:\n  ping_key: a-ping-key-of-20-chars\nmore_pipelines:\n  - ${nightly}\n`), env: SECRETS });
    assert.deepEqual(config.pipelines.map((pipeline) => pipeline.id), ['etl_calls', 'first_calls', 'operators', 'call_volume', 'morning_csv', 'afternoon_csv', 'nightly_etl']);
    const added = config.pipelines.at(-1);
    assert.deepEqual(added?.kind === 'heartbeat' && [added.slug, added.schedule, added.period_minutes, added.grace_minutes, added.max_runtime_minutes, added.group], [
      'nightly_etl', '0 2 * * *', null, 30, 240, 'Jobs',
    ]);
    assert.deepEqual(config.warnings, []);
    assert.equal('more_pipelines' in config, false, 'read into pipelines, not kept as a section');
  });

  it('refuses an id that is already a pipeline, saying where', () => {
    const [problem] = problemsOf(file('more_pipelines:\n  - {id: etl_calls, kind: heartbeat, period_minutes: 60}\n'));
    assert.match(problem ?? '', /more_pipelines\[0\]\.id: "etl_calls" is already a pipeline \(in the default pipelines or earlier in more_pipelines\)/);
  });

  it('may depend on a default pipeline', () => {
    const config = loadConfig({ path: file(`more_pipelines:\n  - {id: report, kind: file_arrival, pattern: r.csv, expected: "08:00", deadline: "09:00", depends_on: [etl_calls]}\n`), env: SECRETS });
    assert.deepEqual(config.pipelines.at(-1)?.depends_on, ['etl_calls']);
  });
});

describe('a heartbeat pipeline in the config', () => {
  const wrap = (item: string, extra = '') => file(`heartbeats:\n  ping_key: a-ping-key-of-20-chars\n${extra}more_pipelines:\n  - ${item}\n`);

  it('needs schedule or period_minutes, one of them', () => {
    assert.match(problemsOf(wrap('{id: job, kind: heartbeat}'))[0] ?? '', /more_pipelines\[0\]\.schedule: give either schedule \(a cron pattern\) or period_minutes/);
    assert.match(problemsOf(wrap('{id: job, kind: heartbeat, schedule: "0 2 * * *", period_minutes: 60}'))[0] ?? '', /not both/);
  });

  it('names a bad cron pattern and a bad slug', () => {
    assert.match(problemsOf(wrap('{id: job, kind: heartbeat, schedule: "0 25 * * *"}'))[0] ?? '', /more_pipelines\[0\]\.schedule: "0 25 \* \* \*" is not a valid cron pattern/);
    assert.match(problemsOf(wrap('{id: job, kind: heartbeat, slug: "Has Spaces", period_minutes: 60}'))[0] ?? '', /more_pipelines\[0\]\.slug: must be a slug of lower-case letters/);
  });

  it('refuses two heartbeats with one slug', () => {
    const path = file('heartbeats:\n  ping_key: a-ping-key-of-20-chars\nmore_pipelines:\n  - {id: a, kind: heartbeat, slug: nightly, period_minutes: 60}\n  - {id: b, kind: heartbeat, slug: nightly, period_minutes: 60}\n');
    assert.match(problemsOf(path)[0] ?? '', /more_pipelines\[1\]\.slug: "nightly" is already the slug of a/);
  });

  it('refuses a short ping key without quoting it, and warns when there is none', () => {
    const problems = problemsOf(file('heartbeats:\n  ping_key: short-key\n'));
    assert.deepEqual(problems.map((problem) => problem.replace(/^[^:]+: /, '')), ['heartbeats.ping_key: must be at least 16 characters (it has 9); a longer one cannot be guessed']);
    const config = loadConfig({ path: file('more_pipelines:\n  - {id: job, kind: heartbeat, period_minutes: 60}\n'), env: SECRETS });
    assert.match(config.warnings?.[0] ?? '', /^heartbeats\.ping_key: is empty, so every ping is refused \(403\) and job will wait for a first ping/);
  });
});

describe('the business calendar and maintenance windows in the config', () => {
  it('changes nothing by default: every day is a working day, no window, check-ins and pipelines on workdays', () => {
    const config = loadConfig({ path: EXAMPLE, env: SECRETS });
    assert.deepEqual(config.calendar, { workdays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], holidays: 'none', extra_holidays: [], extra_workdays: [] });
    assert.deepEqual(config.maintenance, []);
    assert.equal(config.schedule.daily_summary_days, 'workdays');
    assert.ok(config.pipelines.every((pipeline) => pipeline.days === 'workdays'));
    assert.ok(config.checkins.every((checkin) => checkin.days === 'workdays'));
  });

  it('reads a Monday-to-Friday calendar, days per pipeline and check-in, and windows', () => {
    const path = file(
      [
        'calendar:',
        '  workdays: [mon, tue, wed, thu, fri]',
        '  holidays: england-and-wales',
        '  extra_holidays: ["2026-12-24"]',
        'schedule:',
        '  daily_summary_days: every_day',
        '  checkins:',
        '    morning: {days: every_day}',
        'more_pipelines:',
        '  - {id: weekend_feed, kind: file_arrival, pattern: w.csv, expected: "08:00", deadline: "09:00", days: every_day}',
        'maintenance:',
        '  - {name: nightly backup, pipelines: [etl_calls], cron: "0 1 * * *", duration_minutes: 90}',
        '  - {name: warehouse upgrade, from: "2026-12-01 22:00", to: "2026-12-02 02:00"}',
        '',
      ].join('\n'),
    );
    const config = loadConfig({ path, env: SECRETS });
    assert.deepEqual(config.calendar.workdays, ['mon', 'tue', 'wed', 'thu', 'fri']);
    assert.equal(config.calendar.holidays, 'england-and-wales');
    assert.equal(config.schedule.daily_summary_days, 'every_day');
    assert.equal(config.checkins.find((checkin) => checkin.id === 'morning')?.days, 'every_day');
    assert.equal(config.pipelines.find((pipeline) => pipeline.id === 'weekend_feed')?.days, 'every_day');
    assert.deepEqual(config.maintenance, [
      { name: 'nightly backup', pipelines: ['etl_calls'], cron: '0 1 * * *', duration_minutes: 90 },
      { name: 'warehouse upgrade', pipelines: null, from: '2026-12-01 22:00', to: '2026-12-02 02:00' },
    ]);
  });

  it('names every calendar and window mistake with its key', () => {
    const problems = problemsOf(
      file(
        [
          'calendar:',
          '  workdays: [mon, funday]',
          '  holidays: wales-only',
          '  extra_holidays: ["2026-02-30"]',
          'maintenance:',
          '  - {name: backup, pipelines: [etl_cals], cron: "0 1 * * *", duration_minutes: 90}',
          '  - {name: upgrade, from: "2026-12-02 02:00", to: "2026-12-01 22:00"}',
          'more_pipelines:',
          '  - {id: x, kind: file_arrival, pattern: x.csv, expected: "08:00", deadline: "09:00", days: weekends}',
          '',
        ].join('\n'),
      ),
    ).map((problem) => problem.replace(/^[^:]+: /, ''));
    assert.ok(problems.some((problem) => /^calendar\.workdays: "funday" is not a weekday/.test(problem)), problems.join('\n'));
    assert.ok(problems.some((problem) => /^calendar\.holidays: "wales-only" is not a holiday region/.test(problem)));
    assert.ok(problems.some((problem) => /^calendar\.extra_holidays: "2026-02-30" is not a real date/.test(problem)));
    assert.ok(problems.some((problem) => /^maintenance\[0\]\.pipelines: .*etl_cals/.test(problem)));
    assert.ok(problems.some((problem) => /^maintenance\[1\]\.to: /.test(problem)));
    assert.ok(problems.some((problem) => /^more_pipelines\[0\]\.days: must be one of workdays, every_day, got "weekends"/.test(problem)));
  });
});

describe('anomaly baselines in the config', () => {
  it('are on for call_volume and first_calls by default, with the documented settings', () => {
    const config = loadConfig({ path: EXAMPLE, env: SECRETS });
    const anomaly = (id: string) => (config.pipelines.find((pipeline) => pipeline.id === id) as { anomaly?: unknown } | undefined)?.anomaly;
    assert.deepEqual(anomaly('call_volume'), { enabled: true, weeks: 8, sensitivity: 3, min_points: 4, min_change_percent: 20 });
    assert.deepEqual(anomaly('first_calls'), { enabled: true, weeks: 8, sensitivity: 3, min_points: 4, min_change_percent: 20 });
    assert.equal((anomaly('operators') as { enabled: boolean }).enabled, false);
  });

  it('needs a day window, and names a bad setting', () => {
    const item = (anomaly: string, window = 'yesterday') => `  - {id: x, kind: mysql_count, table: T, column: c, window: ${window}, anomaly: ${anomaly}}\n`;
    assert.match(problemsOf(file(`more_pipelines:\n${item('{enabled: true}', 'all')}`))[0] ?? '', /more_pipelines\[0\]\.anomaly\.enabled: needs a day window/);
    assert.match(problemsOf(file(`more_pipelines:\n${item('{enabled: true, weeks: 0}')}`))[0] ?? '', /more_pipelines\[0\]\.anomaly\.weeks: must be a whole number of weeks, 1-52, got 0/);
    assert.match(problemsOf(file(`more_pipelines:\n${item('{enabled: true, colour: red}')}`))[0] ?? '', /more_pipelines\[0\]\.anomaly.*colour/);
  });
});

describe('when a value comes from the environment', () => {
  it('replaces ${VAR} and falls back to ${VAR:-default}', () => {
    const path = file('database:\n  host: ${DB_HOST}\n  user: ${DB_USER:-reader}\n');
    const config = loadConfig({ path, env: { DB_HOST: 'warehouse.internal' } });
    assert.equal(config.database.host, 'warehouse.internal');
    assert.equal(config.database.user, 'reader');
  });

  it('reads ${VAR} from VAR_FILE when only that is set', () => {
    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, 'from-a-file\n');
    const config = loadConfig({ path: file('database:\n  password: ${DB_PASS}\n'), env: { DB_PASS_FILE: secret } });
    assert.equal(config.database.password, 'from-a-file');
  });
});

describe('when the config is wrong', () => {
  it('names a missing file', () => {
    const problems = problemsOf(join(dir, 'nope.yaml'));
    assert.match(problems[0] ?? '', /nope\.yaml: file not found/);
  });

  it('names the file it looked for, chosen from the environment it was given', () => {
    const saved = process.env.DATAMON_CONFIG;
    process.env.DATAMON_CONFIG = 'from-the-process.yaml';
    try {
      assert.throws(() => loadConfig({ env: {}, cwd: dir }), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.file, 'config/monitoring_config.yaml');
        return true;
      });
    } finally {
      if (saved === undefined) delete process.env.DATAMON_CONFIG;
      else process.env.DATAMON_CONFIG = saved;
    }
  });

  it('shows the line of a YAML syntax error', () => {
    const path = file('database:\n  host: x\n  user: [a, b\nemail:\n  sender: y\n');
    const [problem] = problemsOf(path);
    assert.match(problem ?? '', new RegExp(`${path}: YAML syntax error at line \\d+`));
  });

  it('names an unknown key and suggests the right one', () => {
    const [problem] = problemsOf(file('databse:\n  host: x\n'));
    assert.match(problem ?? '', /config-\d+\.yaml: databse: unknown key \(did you mean "database"\?\)/);
  });

  it('names a value of the wrong type', () => {
    const [problem] = problemsOf(file('email:\n  smtp_port: abc\n'));
    assert.match(problem ?? '', /email\.smtp_port: .*"abc"/);
  });

  it('names a secret of the wrong type without quoting it', () => {
    const problems = problemsOf(file('database:\n  password: 40714711\ndashboard:\n  auth:\n    tokens: [90817263]\n'));
    assert.match(problems.join('\n'), /database\.password: must be of type String/);
    assert.match(problems.join('\n'), /dashboard\.auth\.tokens: must be a list of tokens, each a string or \{name, token\}/);
    assert.ok(!problems.join('\n').includes('40714711') && !problems.join('\n').includes('90817263'));
  });

  it('takes named tokens, checks their length and masks only the token', () => {
    const config = loadConfig({ path: file('dashboard:\n  auth:\n    tokens:\n      - {name: ana, token: ana-token-0123456789}\n      - plain-token-0123456789\n'), env: SECRETS });
    assert.deepEqual(maskConfig(config).dashboard.auth.tokens, [{ name: 'ana', token: '********' }, '********']);
    const problems = problemsOf(file('dashboard:\n  auth:\n    tokens:\n      - {name: ana, token: short}\n      - {token: no-name-0123456789}\n'));
    assert.match(problems.join('\n'), /dashboard\.auth\.tokens: must be a list of tokens, each a string or \{name, token\}/);
    assert.deepEqual(problemsOf(file('dashboard:\n  auth:\n    tokens:\n      - {name: ana, token: short-one}\n')), [
      `${dir}/config-${counter}.yaml: dashboard.auth.tokens[0].token: must be at least 16 characters (it has 9); a longer one cannot be guessed`,
    ]);
  });

  it('reads a pipeline\'s recovery action and names what is wrong with one', () => {
    const base = 'more_pipelines:\n  - {id: etl_rerun, kind: mysql_freshness, table: FactCalls, column: call_start}\n';
    const config = loadConfig({ path: file(`${base.replace('}', ', recovery: {command: [/opt/etl/rerun, --today]}}')}`), env: SECRETS });
    assert.deepEqual(config.pipelines.find((pipeline) => pipeline.id === 'etl_rerun')?.recovery, { command: ['/opt/etl/rerun', '--today'], max_attempts: 1, timeout_seconds: 300, recheck_after_minutes: 10 });
    const http = loadConfig({ path: file(base.replace('}', ', recovery: {http: {url: "https://etl.example.com/run", headers: {Authorization: Bearer-secret-0042}}}}')), env: SECRETS });
    assert.equal(JSON.stringify(maskConfig(http)).includes('Bearer-secret-0042'), false);
    assert.match(problemsOf(file(base.replace('}', ', recovery: {command: "rerun --today"}}'))).join('\n'), /pipelines\[0\]\.recovery\.command: must be a list of strings, the program first \(no shell/);
    assert.match(problemsOf(file(base.replace('}', ', recovery: {max_attempts: 2}}'))).join('\n'), /pipelines\[0\]\.recovery: needs exactly one of command/);
  });

  it('names an unset variable and the key that uses it, without any secret', () => {
    const problems = problemsOf(EXAMPLE, { EMAIL_PASSWORD: SECRETS.EMAIL_PASSWORD });
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /monitoring_config\.example\.yaml: database\.password: environment variable MYSQL_PASSWORD is not set/);
    assert.ok(!problems.join('\n').includes(SECRETS.EMAIL_PASSWORD));
  });

  it('names an unknown time zone', () => {
    const [problem] = problemsOf(file('monitoring:\n  timezone: Europe/Londn\n'));
    assert.match(problem ?? '', /monitoring\.timezone: must be an IANA time zone.*"Europe\/Londn"/);
  });

  it('rejects a cron step wider than its field', () => {
    const [problem] = problemsOf(file('schedule:\n  quick_check: "*/61 * * * *"\n'));
    assert.match(problem ?? '', /schedule\.quick_check: "\*\/61 \* \* \* \*" is not a valid cron pattern/);
  });

  it('names a pipeline of unknown kind', () => {
    const [problem] = problemsOf(file('pipelines:\n  - {id: x, name: X, kind: ftp_poll}\n'));
    assert.match(problem ?? '', /pipelines\[0\]\.kind: unknown pipeline kind "ftp_poll"/);
  });

  it('names a duplicate pipeline id', () => {
    const item = '{id: dup, name: D, kind: file_arrival, pattern: a.csv, expected: "10:00", deadline: "11:00"}';
    const [problem] = problemsOf(file(`pipelines:\n  - ${item}\n  - ${item}\n`));
    assert.match(problem ?? '', /pipelines\[1\]\.id: duplicate pipeline id "dup"/);
  });

  it('names a check-in that lists an unknown pipeline', () => {
    const [problem] = problemsOf(file('schedule:\n  checkins:\n    morning:\n      pipelines: [etl_calls, etl_cals]\n'));
    assert.match(problem ?? '', /schedule\.checkins\.morning\.pipelines: unknown pipeline "etl_cals"/);
  });

  it('names a depends_on of an unknown pipeline and a cycle, with the file', () => {
    const item = (id: string, deps: string) => `  - {id: ${id}, kind: file_arrival, pattern: ${id}.csv, expected: "10:00", deadline: "11:00", depends_on: [${deps}]}`;
    const path = file(`pipelines:\n${item('load', 'extrct')}\n${item('a', 'b')}\n${item('b', 'a')}\nschedule:\n  checkins: {morning: {enabled: false}, first_shift: {enabled: false}, second_shift: {pipelines: [load]}}\n`);
    const problems = problemsOf(path);
    assert.ok(problems.every((problem) => problem.startsWith(path)), problems.join('\n'));
    assert.match(problems[0] ?? '', /pipelines\[0\]\.depends_on: unknown pipeline "extrct" \(known: load, a, b\)/);
    assert.match(problems[1] ?? '', /pipelines\[1\]\.depends_on: a cycle \(a -> b -> a\)/);
    assert.equal(problems.length, 2);
  });

  it('refuses a depends_on that is not a list of ids', () => {
    const [problem] = problemsOf(file('pipelines:\n  - {id: x, kind: file_arrival, pattern: x.csv, expected: "10:00", deadline: "11:00", depends_on: etl_calls}\nschedule:\n  checkins: {morning: {enabled: false}, first_shift: {enabled: false}, second_shift: {pipelines: [x]}}\n'));
    assert.match(problem ?? '', /pipelines\[0\]\.depends_on: /);
  });

  it('reports every problem at once, one line each', () => {
    const problems = problemsOf(file('databse: {}\nmonitoring:\n  timezone: Mars/Base\npipelines:\n  - {id: x, kind: nope}\n'));
    // The unknown key, the zone, the kind, and the three default check-ins left with nothing to report.
    assert.equal(problems.length, 6, problems.join('\n'));
  });

  it('refuses a check-in with no pipelines, naming it and the fix', () => {
    const problems = problemsOf(file('pipelines:\n  - {id: nightly, kind: file_arrival, pattern: x.csv, expected: "01:00", deadline: "02:00"}\nschedule:\n  checkins:\n    nightly_check: {cron: "0 3 * * *", pipelines: [nightly]}\n'));
    assert.deepEqual(
      problems.map((problem) => problem.replace(/^[^:]+: /, '')),
      ['morning', 'first_shift', 'second_shift'].map(
        (id) => `schedule.checkins.${id}: has no pipelines (none of its default pipelines (${
          { morning: 'etl_calls, operators, call_volume', first_shift: 'morning_csv, first_calls, productivity_upload', second_shift: 'afternoon_csv, productivity_upload, inbound_sheet' }[id]
        }) is configured): list the ones it reports with schedule.checkins.${id}.pipelines, or turn it off with schedule.checkins.${id}.enabled: false`,
      ),
    );
    const fixed = file(
      'pipelines:\n  - {id: nightly, kind: file_arrival, pattern: x.csv, expected: "01:00", deadline: "02:00"}\nschedule:\n  checkins:\n    morning: {enabled: false}\n    first_shift: {enabled: false}\n    second_shift: {pipelines: [nightly]}\n',
    );
    assert.deepEqual(loadConfig({ path: fixed, env: SECRETS }).checkins.map((checkin) => [checkin.id, checkin.pipelines]), [['second_shift', ['nightly']]]);
  });
});

describe('datamon config check', () => {
  it('warns on stderr when pipelines: replaces the default pipelines', () => {
    const path = file('pipelines:\n  - {id: nightly, kind: file_arrival, pattern: x.csv, expected: "01:00", deadline: "02:00"}\nschedule:\n  checkins:\n    morning: {enabled: false}\n    first_shift: {enabled: false}\n    second_shift: {pipelines: [nightly]}\n');
    const run = runCli(['config', 'check', '--config', path], SECRETS);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /warning: pipelines: this list replaces the default pipelines \(etl_calls, first_calls, .*\); to add to them, use more_pipelines; the default check-ins second_shift still run/);
    assert.doesNotMatch(run.stdout, /warning:/);
  });

  it('prints the effective config with every secret masked and exits 0', () => {
    const webhook = 'https://chat.googleapis.com/v1/spaces/AAA/messages?key=webhook-key-123&token=webhook-token-456';
    const path = file(
      `database:\n  password: \${MYSQL_PASSWORD}\ngoogle_chat:\n  webhook_url: "${webhook}"\nemail:\n  password: \${EMAIL_PASSWORD}\ndashboard:\n  auth:\n    username: admin\n    password: dash-pass-999-long-enough\n    tokens: [bearer-token-abcdef]\n`,
    );
    const run = runCli(['config', 'check', '--config', path], SECRETS);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /morning_csv/);
    assert.match(run.stdout, /id: call_volume[\s\S]*?depends_on:\n\s+- etl_calls/, 'config check shows the dependencies');
    assert.match(run.stdout, /webhook_url: \$\{DATAMON_GOOGLE_CHAT_WEBHOOK_URL\}/, 'a secret is a placeholder');
    for (const secret of [...Object.values(SECRETS), 'webhook-key-123', 'webhook-token-456', 'dash-pass-999-long-enough', 'bearer-token-abcdef']) {
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), `secret ${secret} was printed`);
    }
  });

  it('prints a file that loads again to the same config once the secrets it names are set', () => {
    const path = file(
      `database:\n  password: \${MYSQL_PASSWORD}\nemail:\n  password: \${EMAIL_PASSWORD}\ndashboard:\n  auth:\n    tokens: [{name: ana, token: ana-token-0123456789}]\nschedule:\n  checkins:\n    second_shift: {enabled: false}\nmore_pipelines:\n  - {id: rerun, kind: mysql_freshness, table: FactCalls, column: call_start, recovery: {http: {url: "https://etl.example.com/run", headers: {Authorization: Bearer-etl-0042}}}}\n`,
    );
    const run = runCli(['config', 'check', '--config', path], SECRETS);
    assert.equal(run.code, 0, run.stderr);
    const variables = /set (.*) \(or <VAR>_FILE\)/.exec(run.stdout)?.[1]?.split(', ') ?? [];
    assert.deepEqual(variables.sort(), ['DATAMON_DASHBOARD_AUTH_TOKENS_0_TOKEN', 'DATAMON_DATABASE_PASSWORD', 'DATAMON_EMAIL_PASSWORD', 'DATAMON_PIPELINES_RERUN_RECOVERY_HEADERS_AUTHORIZATION']);
    assert.ok(!run.stdout.includes('Bearer-etl-0042') && !run.stdout.includes('ana-token-0123456789'));
    const printed = join(dir, 'printed.yaml');
    writeFileSync(printed, run.stdout);
    const env = {
      DATAMON_DATABASE_PASSWORD: SECRETS.MYSQL_PASSWORD,
      DATAMON_EMAIL_PASSWORD: SECRETS.EMAIL_PASSWORD,
      DATAMON_DASHBOARD_AUTH_TOKENS_0_TOKEN: 'ana-token-0123456789',
      DATAMON_PIPELINES_RERUN_RECOVERY_HEADERS_AUTHORIZATION: 'Bearer-etl-0042',
    };
    const { source: _a, warnings: _b, ...again } = loadConfig({ path: printed, env });
    const { source: _c, warnings: _d, ...first } = loadConfig({ path, env: SECRETS });
    assert.deepEqual(again, first);
  });

  it('exits 78 with one line per problem on stderr', () => {
    const run = runCli(['config', 'check', '--config', file('databse: {}\nemail:\n  smtp_port: abc\n')]);
    assert.equal(run.code, 78);
    assert.equal(run.stderr.trim().split('\n').length, 2);
    assert.equal(run.stdout, '');
  });

  it('masks secrets in the structure it returns to other code too', () => {
    const config = loadConfig({ path: EXAMPLE, env: SECRETS });
    const masked = JSON.stringify(maskConfig(config));
    assert.ok(!masked.includes(SECRETS.MYSQL_PASSWORD) && !masked.includes(SECRETS.EMAIL_PASSWORD));
  });
});
