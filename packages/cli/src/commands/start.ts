import type { DatamonConfig } from '@datamon/core';
import { createLogger, type Logger } from '@datamon/io';
import { startServer } from '@datamon/server';
import { type RoleDeps, type RoleHandle, type RoleStarter, runtimeSettings, startAlertWorker, startCheckWorker, startScheduler } from '@datamon/workers';
import closeWithGrace from 'close-with-grace';
import { type Command, InvalidArgumentError } from 'commander';
import { CommandError, type CliContext } from '../context.ts';

/** The roles of `datamon start` (SPEC 7). */
export const ROLE_NAMES = ['scheduler', 'checks', 'alerts', 'api'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

/** A role whose module is not written yet: `datamon start` says so instead of faking it. */
export interface UnwiredRole {
  unwired: string;
}

/**
 * The role table: what each `--role` runs. A role is a `RoleStarter` from its package; adding a
 * role is one line here and one name in ROLE_NAMES.
 */
export const ROLE_TABLE: Record<RoleName, RoleStarter | UnwiredRole> = {
  scheduler: startScheduler,
  checks: startCheckWorker,
  alerts: startAlertWorker,
  api: async ({ config, logger }) => startServer({ config, logger }),
};

/**
 * Start order: consumers before producers, so nothing produced waits for a consumer that is
 * still starting. Stopping goes the other way: the API and the scheduler stop producing first,
 * then the check workers finish their jobs (which produce alert jobs), then the alert worker.
 */
const START_ORDER: readonly RoleName[] = ['alerts', 'checks', 'scheduler', 'api'];

/** A stop takes at most this long (SPEC: exit within 10 s); past it the process exits 1. */
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
    .option('--config <path>', 'config file (default: $DATAMON_CONFIG or config/monitoring_config.yaml)')
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
      const config = ctx.loadConfig(options.config ?? command.optsWithGlobals<{ config?: string }>().config);
      try {
        runtimeSettings();
      } catch (err) {
        throw new CommandError((err as Error).message);
      }
      const explicit = options.role !== undefined && options.role.length > 0;
      const selected = selectRoles(options.role);
      const unwiredAsked = selected.filter((role) => isUnwired(ROLE_TABLE[role]));
      if (explicit && unwiredAsked.length > 0) {
        throw new CommandError(unwiredAsked.map((role) => `--role ${role}: ${(ROLE_TABLE[role] as UnwiredRole).unwired}`).join('; '));
      }
      await runRoles(config, selected);
    });
}

/**
 * Starts the roles, each with a logger of its own (its name on every line, its own file in the
 * log directory), and stops them in order on SIGTERM/SIGINT (or a crash), then exits.
 */
export async function runRoles(config: DatamonConfig, selected: RoleName[]): Promise<void> {
  const logDirectory = config.monitoring.log_directory || undefined;
  const label = selected.length === ROLE_NAMES.length ? 'all' : selected.join('+');
  const supervisor = createLogger({ role: label, logDirectory });
  const running: RoleHandle[] = [];

  closeWithGrace(
    {
      delay: STOP_DEADLINE_MS,
      logger: { error: (message: unknown) => supervisor.error({ detail: String(message) }, 'stopping failed') },
      onSecondSignal: (signal) => {
        supervisor.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      },
    },
    async ({ signal, err }) => {
      if (err) supervisor.error({ err }, 'unexpected error: stopping');
      else supervisor.info({ signal: signal ?? null }, 'stopping: finishing running work');
      // Last started, first stopped (see START_ORDER).
      for (const handle of [...running].reverse()) {
        try {
          await handle.close();
        } catch (closeErr) {
          supervisor.warn({ err: closeErr, role: handle.name }, 'role did not stop cleanly');
        }
      }
      supervisor.info('stopped');
    },
  );

  for (const role of selected) {
    const entry = ROLE_TABLE[role];
    if (isUnwired(entry)) {
      supervisor.warn({ role }, `not starting the ${role} role: ${entry.unwired}`);
      continue;
    }
    const logger: Logger = createLogger({ role, logDirectory });
    const deps: RoleDeps = { config, logger };
    running.push(await entry(deps));
  }
  supervisor.info({ roles: running.map((handle) => handle.name), config: config.source, pid: process.pid }, 'datamon started');
}

function isUnwired(entry: RoleStarter | UnwiredRole): entry is UnwiredRole {
  return typeof entry !== 'function';
}
