import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createQueues } from '@datamon/jobs';
import { createRedisConnection, DatamonStore } from '@datamon/store';
import { stringify } from 'yaml';
import { type CliContext, CommandError } from '../context.ts';
import { demoConfigDocument, demoPrefix, type DemoSettings } from '../demo/demo-config.ts';
import { preflight } from '../demo/preflight.ts';
import { DEMO_DATABASE, seedDemo } from './demo-seed.ts';
import { ROLE_NAMES, runRoles } from './start.ts';

/**
 * `datamon demo`: seeds the demo warehouse and CSV folder on the local MySQL, writes a demo
 * config beside them (`.datamon-demo/`), starts every role on the local Redis under the prefix
 * `datamon-demo`, runs a first quick check at once and prints the dashboard URL and credentials.
 * Ctrl-C stops it cleanly. The ETL data is made stale on purpose, so an incident shows.
 */
export function register(program: Command, ctx: CliContext): void {
  const demo = program.commands.find((command) => command.name() === 'demo') ?? program.command('demo');
  demo
    .description('create the demo warehouse and CSV folder on the local MySQL and run everything (`demo seed`: only create them)')
    .addHelpText(
      'after',
      [
        '',
        'Environment: DATAMON_DEMO_MYSQL_HOST (127.0.0.1), DATAMON_DEMO_MYSQL_PORT (3306),',
        'DATAMON_DEMO_MYSQL_USER (root), DATAMON_DEMO_MYSQL_PASSWORD (empty),',
        'DATAMON_DEMO_REDIS_URL (redis://127.0.0.1:6379), DATAMON_DEMO_PORT (5000),',
        'DATAMON_DEMO_DATABASE (datamon_demo: also names the Redis prefix, datamon-demo).',
        'Files go to .datamon-demo/ (.<prefix>/) in the current folder.',
      ].join('\n'),
    )
    .action(async () => {
      const env = process.env;
      const name = env.DATAMON_DEMO_DATABASE ?? DEMO_DATABASE;
      if (!/^[a-z][a-z0-9_]{0,40}$/.test(name)) throw new CommandError(`DATAMON_DEMO_DATABASE must be lower-case letters, digits and _, got "${name}"`);
      const settings: DemoSettings = {
        name,
        directory: resolve(process.cwd(), `.${demoPrefix(name)}`),
        mysql: {
          host: env.DATAMON_DEMO_MYSQL_HOST ?? '127.0.0.1',
          port: Number(env.DATAMON_DEMO_MYSQL_PORT ?? 3306),
          user: env.DATAMON_DEMO_MYSQL_USER ?? 'root',
          password: env.DATAMON_DEMO_MYSQL_PASSWORD ?? '',
        },
        redisUrl: env.DATAMON_DEMO_REDIS_URL ?? 'redis://127.0.0.1:6379',
        port: Number(env.DATAMON_DEMO_PORT ?? 5000),
        now: new Date(),
        zone: 'Europe/London',
      };
      const problems = await preflight({ redis: settings.redisUrl, mysql: settings.mysql });
      if (problems.length > 0) throw new CommandError(problems.join('\n'));

      await mkdir(settings.directory, { recursive: true });
      const { document, password } = demoConfigDocument(settings);
      const configFile = `${settings.directory}/monitoring_config.yaml`;
      await writeFile(configFile, `# Written by datamon demo; rewritten at each run.\n${stringify(document)}`, { mode: 0o600 });
      const config = ctx.loadConfig(configFile);

      const seeded = await seedDemo({ config, databaseName: name, staleEtl: true, onProgress: (step) => ctx.err.write(`datamon demo: ${step}...\n`) });
      ctx.err.write(`datamon demo: warehouse ${seeded.database} ready (${seeded.calls.toLocaleString('en-GB')} calls) in ${(seeded.durationMs / 1000).toFixed(1)} s\n`);

      // A fresh demo: the previous run's results, incidents and queues go.
      const redis = createRedisConnection(config.redis);
      await new DatamonStore(redis, { prefix: config.redis.prefix, historyDays: 90 }).clear();
      await runRoles(config, [...ROLE_NAMES]);
      const queues = createQueues(config, { connection: redis });
      await queues.checks.add('quick-check', { scheduledFor: new Date().toISOString() });
      await queues.close();
      redis.disconnect();

      ctx.out.write(
        [
          '',
          `datamon demo is running: ${config.dashboard.public_url}`,
          `  sign in (run now, acknowledge, silence, Bull Board at /admin/queues): user "demo", password "${password}"`,
          `  config: ${configFile}`,
          '  Google Chat and email are not configured: notifications are recorded as skipped.',
          '  Ctrl-C stops it.',
          '',
        ].join('\n'),
      );
    });
}
