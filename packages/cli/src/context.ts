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
  constructor(message: string, exitCode: number = EXIT.failed) {
    super(message);
    this.name = 'CommandError';
    this.exitCode = exitCode;
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

/** The exit code and one-line message for anything a command threw. */
export function describeFailure(err: unknown): { exitCode: number; message: string } {
  if (err instanceof ConfigError) return { exitCode: EXIT.config, message: err.message };
  if (err instanceof CommandError) return { exitCode: err.exitCode, message: `datamon: ${err.message}` };
  const message = err instanceof Error ? err.message : String(err);
  return { exitCode: EXIT.failed, message: `datamon: ${message}` };
}
