import type { Command } from 'commander';
import { configDocument } from '@datamon/config';
import { stringify } from 'yaml';
import { type CliContext, CONFIG_OPTION, configPathOf } from '../context.ts';

/** `datamon config check`: validates and prints the effective config, secrets masked. */
export function register(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('check')
    .description('validate the config file and print the effective config, a file that loads again with each secret as ${VAR} (exit 78 on a problem)')
    .option(...CONFIG_OPTION)
    .action((_options: unknown, command: Command) => {
      const loaded = ctx.loadConfig(configPathOf(command));
      for (const warning of loaded.warnings ?? []) ctx.err.write(`${loaded.source}: warning: ${warning}\n`);
      const { document, variables } = configDocument(loaded);
      ctx.out.write(`# effective datamon config from ${loaded.source}: valid\n`);
      if (variables.length > 0) ctx.out.write(`# secrets are written as \${VAR}; to load this file, set ${variables.join(', ')} (or <VAR>_FILE)\n`);
      ctx.out.write(stringify(document, { lineWidth: 0 }));
    });
}
