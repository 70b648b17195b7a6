/** sysexits.h EX_CONFIG: what every datamon command exits with on a configuration error. */
export const EXIT_CONFIG = 78;

/**
 * Every problem found in a config file, one line each, naming the key (or variable) and the
 * file. Thrown once with all of them, so a user fixes a file in one pass.
 */
export class ConfigError extends Error {
  readonly problems: string[];
  readonly file: string;
  readonly exitCode = EXIT_CONFIG;

  constructor(file: string, problems: string[]) {
    super(problems.map((problem) => `${file}: ${problem}`).join('\n'));
    this.name = 'ConfigError';
    this.file = file;
    this.problems = problems;
  }
}
