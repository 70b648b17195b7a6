import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { relative } from 'node:path';
import type { Command } from 'commander';
import { createQueues } from '@datamon/jobs';
import { createRedisConnection, DatamonStore, describeRedis } from '@datamon/store';
import { stringify } from 'yaml';
import { type CliContext, CommandError } from '../context.ts';
import { demoConfigDocument, type DemoSettings, demoSettingsFromEnv } from '../demo/demo-config.ts';
import { embeddedLayout, startedLine } from '../demo/embedded-commands.ts';
import { EmbeddedServices, findServerPrograms, stopOrphanedServers } from '../demo/embedded.ts';
import { probeMysql, probeRedis } from '../demo/preflight.ts';
import { resetDemo } from '../demo/reset.ts';
import { accountAdvice, type EmbeddedMode, parseEmbeddedMode, planServices, type ServiceMessageContext } from '../demo/service-plan.ts';
import { seedDemo } from './demo-seed.ts';
import { ROLE_NAMES, runRoles } from './start.ts';

/**
 * `datamon demo`: seeds the demo warehouse and CSV folder on the local MySQL, writes a demo
 * config beside them (`.datamon-demo/`), starts every role on the local Redis under the prefix
 * `datamon-demo`, runs a first quick check at once and prints the dashboard URL and credentials.
 * Where nothing answers for Redis or MySQL and the server is installed, it runs a private one
 * (`demo/embedded.ts`). Ctrl-C stops it all cleanly. The ETL data is made stale on purpose, so an
 * incident shows. `--reset` removes what it made.
 */
export function register(program: Command, ctx: CliContext): void {
  const demo = program.commands.find((command) => command.name() === 'demo') ?? program.command('demo');
  demo
    .description('create the demo warehouse and CSV folder on the local MySQL (or a private one) and run everything (`demo seed`: only create them)')
    .option('--reset', 'drop the demo database, delete its Redis keys and its folder (private servers\' data included), then exit')
    .addHelpText(
      'after',
      [
        '',
        'Environment: DATAMON_DEMO_MYSQL_HOST (127.0.0.1), DATAMON_DEMO_MYSQL_PORT (3306),',
        'DATAMON_DEMO_MYSQL_USER (root), DATAMON_DEMO_MYSQL_PASSWORD (empty),',
        'DATAMON_DEMO_REDIS_URL (redis://127.0.0.1:6379), DATAMON_DEMO_PORT (5000),',
        'DATAMON_DEMO_DATABASE (datamon_demo: also names the Redis prefix, datamon-demo),',
        'DATAMON_DEMO_EMBEDDED (auto: where nothing answers, start a private redis-server or',
        'MariaDB if installed; always: private ones whatever answers; never).',
        'Files go to .datamon-demo/ (.<prefix>/) in the current folder; private servers keep',
        'their data in .datamon-demo/services/ and stop with the demo.',
      ].join('\n'),
    )
    .action(async (options: { reset?: boolean }) => {
      const settings = demoSettingsFromEnv(process.env, process.cwd(), new Date());
      const mode = parseEmbeddedMode(process.env.DATAMON_DEMO_EMBEDDED);
      if (typeof mode !== 'string') throw new CommandError(mode.error);
      const messages = messageContext(settings);
      if (options.reset) {
        const outcome = await resetDemo({ settings, mode, temporaryDirectory: tmpdir(), messages });
        ctx.out.write(outcome.removed.map((line) => `datamon demo --reset: ${line}\n`).join(''));
        if (outcome.problems.length > 0) throw new CommandError(outcome.problems.join('\n'));
        return;
      }
      await runDemo(ctx, settings, mode, messages);
    });
}

async function runDemo(ctx: CliContext, requested: DemoSettings, mode: EmbeddedMode, messages: ServiceMessageContext): Promise<void> {
  const services = new EmbeddedServices(embeddedLayout(requested.directory, tmpdir()));
  // Until the roles run (and their own handler takes over), Ctrl-C stops the private servers here.
  const interrupted = () => {
    ctx.err.write('datamon demo: interrupted: stopping\n');
    void services.stop().finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  // A last resort for an exit that skips the stop (a stop past its deadline, a second Ctrl-C):
  // the servers still get their SIGTERM, so none runs on unowned.
  process.once('exit', () => services.signalNow());
  let roles = false;
  try {
    const settings = await chooseServices(ctx, requested, mode, messages, services);
    const { configFile, password, config } = await prepare(ctx, settings, messages);
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await runRoles(config, [...ROLE_NAMES], () => services.stop());
    roles = true;

    // A fresh demo: the first quick check at once.
    const redis = createRedisConnection(config.redis);
    const queues = createQueues(config, { connection: redis });
    await queues.checks.add('quick-check', { scheduledFor: new Date().toISOString() });
    await queues.close();
    redis.disconnect();

    const privateServers = services.started ? [`  the private servers (data in ${shortPath(services.layout.root)}) stop with it.`] : [];
    ctx.out.write(
      [
        '',
        `datamon demo is running: ${config.dashboard.public_url}`,
        `  sign in (run now, acknowledge, silence, Bull Board at /admin/queues): user "demo", password "${password}"`,
        `  config: ${configFile}`,
        '  Google Chat and email are not configured: notifications are recorded as skipped.',
        ...privateServers,
        '  Ctrl-C stops it.',
        '',
      ].join('\n'),
    );
  } catch (err) {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    // Once the roles run, their stop (Ctrl-C) takes the servers down after them.
    if (!roles) await services.stop();
    throw err;
  }
}

/**
 * The Redis and MySQL the demo uses: those at its addresses when they answer, else private ones
 * (`service-plan.ts` decides; one line for each started). Nothing starts when one service can be
 * had neither way: the error has a line for each.
 */
async function chooseServices(
  ctx: CliContext,
  settings: DemoSettings,
  mode: EmbeddedMode,
  messages: ServiceMessageContext,
  services: EmbeddedServices,
): Promise<DemoSettings> {
  const [redisProbe, mysqlProbe] = mode === 'always' ? [null, null] : await Promise.all([probeRedis(settings.redisUrl), probeMysql(settings.mysql)]);
  const wanted = mode === 'always' || (mode === 'auto' && (redisProbe?.state === 'silent' || mysqlProbe?.state === 'silent'));
  const programs = wanted ? await findServerPrograms(process.env.PATH) : { redis: null, mysql: null };
  const plan = planServices({
    ...messages,
    mode,
    probes: { redis: redisProbe, mysql: mysqlProbe },
    installed: { redis: programs.redis !== null, mysql: programs.mysql !== null },
  });
  if (plan.problems.length > 0) throw new CommandError(plan.problems.join('\n'));
  if (plan.use.redis === 'external' && plan.use.mysql === 'external') return settings;

  for (const line of await stopOrphanedServers(services.layout)) ctx.err.write(`datamon demo: ${line}\n`);
  const reason = (address: string) => (mode === 'always' ? 'DATAMON_DEMO_EMBEDDED=always' : `nothing answers at ${address}`);
  const [redis, mysql] = await Promise.all([
    plan.use.redis === 'embedded' && programs.redis ? services.startRedis(programs.redis) : null,
    plan.use.mysql === 'embedded' && programs.mysql ? services.startMysql(programs.mysql) : null,
  ]);
  if (redis) {
    ctx.err.write(`datamon demo: ${startedLine({ label: 'Redis', port: redis.port, pid: redis.pid, reason: reason(messages.redisAddress), storage: 'in memory only' })}\n`);
  }
  if (mysql && programs.mysql) {
    const label = programs.mysql.flavour === 'mariadb' ? 'MariaDB' : 'MySQL';
    const data = shortPath(services.layout.mysql.directory);
    const storage = `${mysql.initialised ? `data created in ${data}` : `data kept in ${data}`}, up in ${(mysql.ms / 1000).toFixed(1)} s`;
    ctx.err.write(`datamon demo: ${startedLine({ label, port: mysql.port, pid: mysql.pid, reason: reason(messages.mysqlAddress), storage })}\n`);
  }
  return { ...settings, redisUrl: redis?.url ?? settings.redisUrl, mysql: mysql?.account ?? settings.mysql };
}

/** Writes the config, seeds the warehouse and CSV folder, and clears the previous run's Redis state. */
async function prepare(ctx: CliContext, settings: DemoSettings, messages: ServiceMessageContext) {
  await mkdir(settings.directory, { recursive: true });
  const { document, password } = demoConfigDocument(settings);
  const configFile = `${settings.directory}/monitoring_config.yaml`;
  await writeFile(configFile, `# Written by datamon demo; rewritten at each run.\n${stringify(document)}`, { mode: 0o600 });
  const config = ctx.loadConfig(configFile);

  let seeded: Awaited<ReturnType<typeof seedDemo>>;
  try {
    seeded = await seedDemo({ config, databaseName: settings.name, staleEtl: true, onProgress: (step) => ctx.err.write(`datamon demo: ${step}...\n`) });
  } catch (err) {
    throw databaseError(err, settings, messages);
  }
  ctx.err.write(`datamon demo: warehouse ${seeded.database} ready (${seeded.calls.toLocaleString('en-GB')} calls) in ${(seeded.durationMs / 1000).toFixed(1)} s\n`);

  // A fresh demo: the previous run's results, incidents and queues go.
  const redis = createRedisConnection(config.redis);
  await new DatamonStore(redis, { prefix: config.redis.prefix, historyDays: 90 }).clear();
  redis.disconnect();
  return { configFile, password, config };
}

/** A seed failure, naming the database and server; a refused grant comes with the SQL that fixes it. */
function databaseError(err: unknown, settings: DemoSettings, messages: ServiceMessageContext): Error {
  if (err instanceof CommandError) return err;
  const e = err as { code?: string; sqlMessage?: string; message?: string };
  const where = `${settings.mysql.host}:${settings.mysql.port}`;
  const reason = `${e.code ? `${e.code}: ` : ''}${e.sqlMessage ?? e.message ?? String(err)}`;
  const advice = /DENIED/.test(e.code ?? '') ? `; ${accountAdvice(settings.name, messages.suggestedPassword)}` : '';
  return new CommandError(`cannot create the demo database ${settings.name} on ${where} as user "${settings.mysql.user}" (${reason})${advice}`);
}

function messageContext(settings: DemoSettings): ServiceMessageContext {
  return {
    redisAddress: describeRedis(settings.redisUrl),
    mysqlAddress: `${settings.mysql.host}:${settings.mysql.port}`,
    database: settings.name,
    mysqlUser: settings.mysql.user,
    suggestedPassword: randomBytes(12).toString('base64url'),
    needsSudo: process.getuid?.() !== 0,
  };
}

/** A path under the current folder as `.datamon-demo/...`, any other as it is. */
function shortPath(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside && !inside.startsWith('..') ? inside : path;
}
