import { Command, CommanderError } from 'commander';
import { type CliContext, CONFIG_OPTION, createCliContext, describeFailure } from './context.ts';
import { DATAMON_VERSION } from './version.ts';

type Register = (program: Command, ctx: CliContext) => void;

/**
 * Every command: the words that run it and where it lives (`commands/<name>.ts`, one
 * `register` each), in the order they are registered (`demo seed` before the rest of `demo`).
 * Loaded on demand, so a process loads only the command it runs: `datamon start --role checks`
 * does not carry the demo's seeder, the report or the notifiers' test.
 */
const COMMANDS: readonly { name: string; load: () => Promise<{ register: Register }> }[] = [
  { name: 'config', load: () => import('./commands/config.ts') },
  { name: 'start', load: () => import('./commands/start.ts') },
  { name: 'check', load: () => import('./commands/check.ts') },
  { name: 'demo', load: () => import('./commands/demo-seed.ts') },
  { name: 'notify', load: () => import('./commands/notify.ts') },
  { name: 'demo', load: () => import('./commands/demo.ts') },
  { name: 'checkin', load: () => import('./commands/checkin.ts') },
  { name: 'run', load: () => import('./commands/run.ts') },
  { name: 'report', load: () => import('./commands/report.ts') },
];

/** The command the arguments name (their first word), or null: then every command is loaded (help, a typo). */
export function commandOf(args: readonly string[]): string | null {
  const word = args.find((arg) => !arg.startsWith('-'));
  return word !== undefined && COMMANDS.some((command) => command.name === word) ? word : null;
}

/**
 * The datamon binary (README "Command line"). Each command lives in `commands/<name>.ts` and
 * registers itself; `only` loads just the one command a run needs.
 */
export async function buildProgram(ctx = createCliContext(), only: string | null = null): Promise<Command> {
  const program = new Command('datamon')
    .description('datamon: data-pipeline monitor with check-ins, deadlines, escalation and a live dashboard')
    .version(DATAMON_VERSION, '-V, --version', 'print the version and exit')
    .option(...CONFIG_OPTION)
    .showHelpAfterError()
    .exitOverride();
  for (const command of COMMANDS) {
    if (only === null || command.name === only) (await command.load()).register(program, ctx);
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const ctx = createCliContext();
  const program = await buildProgram(ctx, commandOf(argv.slice(2)));
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are successes; a usage mistake is a failure to run (3).
      return err.exitCode === 0 ? 0 : 3;
    }
    const failure = describeFailure(err);
    ctx.err.write(`${failure.message}\n`);
    return failure.exitCode;
  }
}

const code = await main(process.argv);
process.exitCode = code;
