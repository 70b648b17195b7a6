import { ConfigError, EXIT_CONFIG, loadConfig } from '@datamon/config';
import type { Command } from 'commander';
import type { DatamonConfig } from '@datamon/core';
import { createLogger, type Logger } from '@datamon/io';

/** Exit codes of every datamon command (README "Command line"). */
export const EXIT = {
  ok: 0,
  warning: 1,
  critical: 2,
  failed: 3,
  config: EXIT_CONFIG,
} as const;

/** `--config`, declared by every command that reads the config (and by `datamon` itself). */
export const CONFIG_OPTION = ['--config <path>', 'config file (default: $DATAMON_CONFIG or config/monitoring_config.yaml)'] as const;

/** The `--config` a command was given: its own, else the one given before it to `datamon`. */
export function configPathOf(command: Command): string | undefined {
  return command.opts<{ config?: string }>().config ?? command.optsWithGlobals<{ config?: string }>().config;
}

/** A failure that ends a command with a one-line reason and an exit code. */
export class CommandError extends Error {
  readonly exitCode: number;
  /** What went wrong, for programs (`error` of a command's JSON error document). */
  readonly code: string;
  constructor(message: string, exitCode: number = EXIT.failed, code = 'could_not_run') {
    super(message);
    this.name = 'CommandError';
    this.exitCode = exitCode;
    this.code = code;
  }
}

/** What every command gets: config loading and a logger, both built the same way everywhere. */
export interface CliContext {
  /** Loads `--config PATH` / DATAMON_CONFIG / the default file; a problem ends the command with 78. */
  loadConfig(path: string | undefined): DatamonConfig;
  /** Logs to stderr (stdout carries command output), and to the log directory when configured. */
  logger(role: string, config?: DatamonConfig): Logger;
  /** Where command output goes (a test seam). */
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

export function createCliContext(): CliContext {
  return {
    loadConfig(path) {
      return loadConfig({ path });
    },
    logger(role, config) {
      return createLogger({ role, stream: 'stderr', logDirectory: config?.monitoring.log_directory || undefined });
    },
    out: process.stdout,
    err: process.stderr,
  };
}

/** How a command failed: for people (`message`, printed on stderr) and for programs (`code`). */
export interface CommandFailure {
  exitCode: number;
  /** The line(s) printed on stderr. */
  message: string;
  /** What went wrong, e.g. `config_error`, `unknown_pipeline`, `could_not_run`. */
  code: string;
  /** The message without the `datamon: ` it is printed with. */
  reason: string;
}

/** The exit code and one-line message for anything a command threw. */
export function describeFailure(err: unknown): CommandFailure {
  if (err instanceof ConfigError) return { exitCode: EXIT.config, message: err.message, code: 'config_error', reason: err.message };
  if (err instanceof CommandError) return { exitCode: err.exitCode, message: `datamon: ${err.message}`, code: err.code, reason: err.message };
  const reason = err instanceof Error ? err.message : String(err);
  return { exitCode: EXIT.failed, message: `datamon: ${reason}`, code: 'could_not_run', reason };
}

/**
 * The document a `--json` command prints on stdout when it cannot run (README "Command line"):
 * `{"error": code, "message": reason}`, so `> file` never leaves an empty or half-written file.
 */
export function failureDocument(failure: Pick<CommandFailure, 'code' | 'reason'>): string {
  return `${JSON.stringify({ error: failure.code, message: failure.reason }, null, 2)}\n`;
}
