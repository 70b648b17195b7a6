import { Command, CommanderError } from 'commander';
import { CONFIG_OPTION, createCliContext, describeFailure } from './context.ts';
import { register as registerConfig } from './commands/config.ts';
import { register as registerStart } from './commands/start.ts';
import { register as registerCheck } from './commands/check.ts';
import { register as registerDemoSeed } from './commands/demo-seed.ts';
import { register as registerNotify } from './commands/notify.ts';
import { register as registerDemo } from './commands/demo.ts';
import { register as registerCheckin } from './commands/checkin.ts';
import { register as registerRun } from './commands/run.ts';
import { register as registerReport } from './commands/report.ts';
import { DATAMON_VERSION } from './version.ts';

/**
 * The datamon binary (README "Command line"). Each command lives in `commands/<name>.ts` and registers itself
 * here with one line.
 */
export function buildProgram(ctx = createCliContext()): Command {
  const program = new Command('datamon')
    .description('datamon: data-pipeline monitor with check-ins, deadlines, escalation and a live dashboard')
    .version(DATAMON_VERSION, '-V, --version', 'print the version and exit')
    .option(...CONFIG_OPTION)
    .showHelpAfterError()
    .exitOverride();
  registerConfig(program, ctx);
  registerStart(program, ctx);
  registerCheck(program, ctx);
  registerDemoSeed(program, ctx);
  registerNotify(program, ctx);
  registerDemo(program, ctx);
  registerCheckin(program, ctx);
  registerRun(program, ctx);
  registerReport(program, ctx);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const ctx = createCliContext();
  const program = buildProgram(ctx);
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
