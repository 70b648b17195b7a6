import type { DatamonConfig } from '@datamon/core';
import { createLogger, type Logger } from '@datamon/io';
import type { RoleDeps, RoleHandle, RoleStarter } from '@datamon/workers';
import closeWithGrace from 'close-with-grace';
import { type Command, InvalidArgumentError } from 'commander';
import { type CliContext, CommandError, CONFIG_OPTION, configPathOf } from '../context.ts';
import { stopWhenNpmExits } from '../launcher.ts';
import { type Reloader, startReloader } from '../reloader.ts';
import { checkStateBeforeStart, exitOnStateRefusal } from '../state-guard.ts';

/** The roles of `datamon start` (README "Command line"). */
export const ROLE_NAMES = ['scheduler', 'checks', 'alerts', 'api'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

/** Loads a role's starter. Lazily, so a process loads only its own roles' code (a check worker
 * does not carry the web server, which roughly halves its memory). */
export type RoleLoader = () => Promise<RoleStarter>;

/**
 * The role table: what each `--role` runs. Adding a role is one line here and one name in
 * ROLE_NAMES.
 */
export const ROLE_TABLE: Record<RoleName, RoleLoader> = {
  scheduler: async () => (await import('@datamon/workers')).startScheduler,
  checks: async () => (await import('@datamon/workers')).startCheckWorker,
  alerts: async () => (await import('@datamon/workers')).startAlertWorker,
  api: async () => {
    const { startServer } = await import('@datamon/server');
    return async ({ config, logger }) => startServer({ config, logger });
  },
};

/**
 * Start order: consumers before producers, so nothing produced waits for a consumer that is
 * still starting. Stopping goes the other way: the API and the scheduler stop producing first,
 * then the check workers finish their jobs (which produce alert jobs), then the alert worker.
 */
const START_ORDER: readonly RoleName[] = ['alerts', 'checks', 'scheduler', 'api'];

/** A stop takes at most this long (README "Running it": exit within 10 s); past it the process exits 1. */
const STOP_DEADLINE_MS = 9_500;

/** `--role` values, repeated or comma-separated; `all` means every role. */
export function parseRoleOption(value: string, previous: RoleName[] = []): RoleName[] {
  const roles = [...previous];
  for (const part of value.split(',').map((item) => item.trim()).filter(Boolean)) {
    if (part === 'all') roles.push(...ROLE_NAMES);
    else if ((ROLE_NAMES as readonly string[]).includes(part)) roles.push(part as RoleName);
    else throw new InvalidArgumentError(`"${part}" is not a role: choose all, ${ROLE_NAMES.join(', ')}`);
  }
  return roles;
}

/** The roles to run, in start order, each once; none chosen means all. */
export function selectRoles(chosen: readonly RoleName[] | undefined): RoleName[] {
  const wanted = new Set(chosen && chosen.length > 0 ? chosen : ROLE_NAMES);
  return START_ORDER.filter((role) => wanted.has(role));
}

/** `datamon start [--role all|scheduler|checks|alerts|api]...`: runs the roles until SIGTERM/SIGINT. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('run datamon: the scheduler, check workers, alert worker and API (all by default, or those named with --role)')
    .option('--role <role>', 'a role to run: all, scheduler, checks, alerts or api (repeat to run several)', parseRoleOption)
    .option(...CONFIG_OPTION)
    .addHelpText(
      'after',
      [
        '',
        'Roles share one Redis: run them in one process (the default) or one per process, and start',
        'more `--role checks` processes to share the checking. SIGTERM/SIGINT stops taking work,',
        'finishes what is running and exits 0 within 10 s.',
        '',
        'Environment: DATAMON_CHECK_CONCURRENCY (jobs per check worker, default 8),',
        'DATAMON_QUICK_CHECK_CHUNK (pipelines per quick-check part, default 100),',
        'DATAMON_LOCK_DURATION_MS / DATAMON_STALLED_INTERVAL_MS (default 30000: how soon a dead',
        "worker's job runs elsewhere), DATAMON_SHUTDOWN_GRACE_MS (default 7000).",
      ].join('\n'),
    )
    .action(async (options: { role?: RoleName[]; config?: string }, command: Command) => {
      const config = ctx.loadConfig(configPathOf(command));
      await runRoles(config, selectRoles(options.role));
    });
}

/**
 * Starts the roles and stops them in order on SIGTERM/SIGINT (or a crash), then exits. SIGHUP,
 * or a reload announced on Redis, restarts them in place with the config file read again.
 */
export async function runRoles(config: DatamonConfig, selected: RoleName[], afterStop: () => Promise<void> = async () => undefined): Promise<void> {
  const logDirectory = config.monitoring.log_directory || undefined;
  const label = selected.length === ROLE_NAMES.length ? 'all' : selected.join('+');
  const supervisor = createLogger({ role: label, logDirectory });
  const running: RoleHandle[] = [];
  let current = config;
  let stopping = false;
  let reloader: Reloader | null = null;
  // Under `npx datamon start`, npm exits on SIGTERM without passing it on: stop with it.
  const stopWatchingNpm = stopWhenNpmExits(() => {
    supervisor.warn('npm, which started datamon, has exited: stopping');
    process.kill(process.pid, 'SIGTERM');
  });

  const grace = closeWithGrace(
    {
      delay: STOP_DEADLINE_MS,
      // SIGHUP reloads the config (README "Reloading the config"); it never stops the process.
      skip: ['SIGHUP'],
      logger: { error: (message: unknown) => supervisor.error({ detail: String(message) }, 'stopping failed') },
      onSecondSignal: (signal) => {
        supervisor.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      },
    },
    async ({ signal, err }) => {
      stopping = true;
      stopWatchingNpm();
      if (err) supervisor.error({ err }, 'unexpected error: stopping');
      else supervisor.info({ signal: signal ?? null }, 'stopping: finishing running work');
      await reloader?.close().catch(() => undefined);
      await stopAll(running, supervisor);
      await afterStop();
      supervisor.info('stopped');
    },
  );

  // Redis holding a newer state layout (README "Versions and upgrades") stops the process, exit 3.
  const stateGuard = exitOnStateRefusal({
    logger: supervisor,
    async stop() {
      grace.uninstall();
      stopping = true;
      await reloader?.close().catch(() => undefined);
      await stopAll(running, supervisor);
    },
  });
  try {
    await checkStateBeforeStart(current);
    running.push(...(await startAll(current, selected, logDirectory)));
  } catch (err) {
    grace.uninstall();
    throw err;
  }
  stateGuard.watch(running);
  reloader = await startReloader({
    config: () => current,
    stopping: () => stopping,
    label,
    logger: supervisor,
    async apply(plan) {
      await stopAll(running.splice(0), supervisor);
      try {
        running.push(...(await startAll(plan.config, selected, logDirectory)));
        stateGuard.watch(running);
        current = plan.config;
      } catch (err) {
        // The new config would not start (a port taken, a pool refused): back to the old one.
        supervisor.error({ err }, 'the new config would not start; running the previous one again');
        running.push(...(await startAll(current, selected, logDirectory)));
        throw err;
      }
    },
  });
  supervisor.info({ roles: running.map((handle) => handle.name), config: config.source, pid: process.pid }, 'datamon started');
}

/**
 * Starts the roles in order, each with a logger of its own (its name on every line, its own
 * file in the log directory). A role that cannot start (a bad DATAMON_* variable, a port in use)
 * stops those already started, and the error names it.
 */
async function startAll(config: DatamonConfig, selected: readonly RoleName[], logDirectory: string | undefined): Promise<RoleHandle[]> {
  const started: RoleHandle[] = [];
  for (const role of selected) {
    try {
      const start = await ROLE_TABLE[role]();
      const logger: Logger = createLogger({ role, logDirectory });
      const deps: RoleDeps = { config, logger };
      started.push(await start(deps));
    } catch (err) {
      await stopAll(started, createLogger({ role, logDirectory }));
      throw new CommandError(`could not start the ${role} role: ${(err as Error).message}`);
    }
  }
  return started;
}

/** Stops the roles, last started first (see START_ORDER). */
async function stopAll(running: RoleHandle[], supervisor: Logger): Promise<void> {
  for (const handle of [...running].reverse()) {
    try {
      await handle.close();
    } catch (err) {
      supervisor.warn({ err, role: handle.name }, 'role did not stop cleanly');
    }
  }
}
