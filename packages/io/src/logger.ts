import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { redactUrlsInText } from './redact-url.ts';

export type { Logger } from 'pino';

const require = createRequire(import.meta.url);

/**
 * Paths pino censors wherever they appear in a log object. Secrets also never reach a logger
 * knowingly; this is the net under that rule.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'webhook_url',
  '*.webhook_url',
  '*.*.webhook_url',
  'token',
  '*.token',
  'tokens',
  '*.tokens',
  '*.*.tokens',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'credentials',
  '*.credentials',
  'private_key',
  '*.private_key',
  'auth.pass',
  '*.auth.pass',
];

export interface LoggerSettings {
  /** The process role, e.g. `all`, `scheduler`, `cli`: names the log file. */
  role: string;
  level?: string;
  /** `monitoring.log_directory`: JSON lines are also appended to `datamon-<role>.log` there. */
  logDirectory?: string;
  /** Where human/JSON lines go; stdout by default, stderr for commands whose stdout is data. */
  stream?: 'stdout' | 'stderr';
  /** Force pretty or JSON output; by default pretty exactly when the stream is a TTY. */
  pretty?: boolean;
  /** A test seam: capture every line. */
  destination?: DestinationStream;
}

/** Serialises errors without leaking URLs' query strings (got errors quote the webhook URL). */
function errSerializer(err: unknown): unknown {
  const serialized = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  for (const key of ['message', 'stack']) {
    const value = serialized[key];
    if (typeof value === 'string') serialized[key] = redactUrlsInText(value);
  }
  for (const key of ['options', 'request', 'response', 'config']) delete serialized[key];
  return serialized;
}

/**
 * The one logger factory: JSON when the stream is not a TTY, pretty when it is (never keyed on
 * NODE_ENV), secrets redacted, and a copy of the JSON lines in the log directory when it can be
 * written (else one warning on stderr and the process carries on).
 */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? logLevelFromEnv(),
    base: { role: settings.role },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: errSerializer, error: errSerializer },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (settings.destination) return pino(options, settings.destination);

  const fd = settings.stream === 'stderr' ? 2 : 1;
  const isTty = fd === 1 ? process.stdout.isTTY : process.stderr.isTTY;
  const pretty = settings.pretty ?? Boolean(isTty);
  const streams: pino.StreamEntry[] = [];
  // Each stream takes every line the logger lets through (its own default would drop debug).
  if (pretty) {
    // pino-pretty as a stream in this thread: a worker-thread transport would outlive SIGTERM.
    streams.push({ level: 'trace', stream: loadPretty(fd) });
  } else {
    streams.push({ level: 'trace', stream: pino.destination({ fd, sync: false }) });
  }
  const file = openLogFile(settings);
  if (file) streams.push({ level: 'trace', stream: file });
  return pino(options, pino.multistream(streams));
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** `DATAMON_LOG_LEVEL` (info by default); a value pino does not know is named, not ignored. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const level = env.DATAMON_LOG_LEVEL?.trim().toLowerCase();
  if (!level) return 'info';
  if (!LEVELS.includes(level)) throw new Error(`DATAMON_LOG_LEVEL="${env.DATAMON_LOG_LEVEL}" is not a log level (choose ${LEVELS.join(', ')})`);
  return level;
}

function loadPretty(fd: number): DestinationStream {
  const pretty = require('pino-pretty') as (opts: Record<string, unknown>) => DestinationStream;
  return pretty({ destination: fd, colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', sync: false });
}

function openLogFile(settings: LoggerSettings): DestinationStream | null {
  if (!settings.logDirectory) return null;
  const path = join(settings.logDirectory, `datamon-${settings.role}.log`);
  try {
    mkdirSync(settings.logDirectory, { recursive: true });
    const file = pino.destination({ dest: path, append: true, sync: true });
    return file;
  } catch (err) {
    process.stderr.write(
      `datamon: warning: cannot write logs to ${path} (${(err as Error).message}); logging to the console only\n`,
    );
    return null;
  }
}

/** The logging a library part needs: a pino logger or Fastify's (which is pino) both fit. */
export type LogSink = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
