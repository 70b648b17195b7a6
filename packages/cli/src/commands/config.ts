import type { Command } from 'commander';
import { maskConfig } from '@datamon/config';
import { stringify } from 'yaml';
import { type CliContext, CONFIG_OPTION, configPathOf } from '../context.ts';

/** `datamon config check`: validates and prints the effective config, secrets masked. */
export function register(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('check')
    .description('validate the config file and print the effective config, secrets masked (exit 78 on a problem)')
    .option(...CONFIG_OPTION)
    .action((_options: unknown, command: Command) => {
      const loaded = ctx.loadConfig(configPathOf(command));
      const { source, warnings = [], ...effective } = maskConfig(loaded);
      for (const warning of warnings) ctx.err.write(`${source}: warning: ${warning}\n`);
      ctx.out.write(`# effective datamon config from ${source}: valid\n`);
      ctx.out.write(stringify(effective, { lineWidth: 0 }));
    });
}
