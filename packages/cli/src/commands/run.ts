import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { ConfigError } from '@datamon/config';
import type { DatamonConfig } from '@datamon/core';
import { createHttpClient, type HttpClient, OUTPUT_TAIL_BYTES, OutputTail, redactUrl } from '@datamon/io';
import { type CliContext, CommandError, CONFIG_OPTION, configPathOf, EXIT } from '../context.ts';

/** A heartbeat pipeline's slug (SPEC 9). */
export const SLUG_PATTERN = /^[a-z0-9_-]{1,64}$/;

/** Each ping gets this long: a monitor that is slow must not hold up the job it watches. */
export const PING_TIMEOUT_MS = 3_000;
export const PING_ATTEMPTS = 2;
const PING_RETRY_PAUSE_MS = 500;

/** Shell conventions: the command could not be found, or found but not run. */
export const EXIT_NOT_FOUND = 127;
export const EXIT_CANNOT_RUN = 126;

/** After the command exits, how long a child it left in the background may hold its output open. */
const DRAIN_GRACE_MS = 2_000;

/** The signals `datamon run` passes on to the command. */
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Where a run's pings go. */
export interface PingTarget {
  /** The monitor's base URL (`heartbeats.ping_url`, else `dashboard.public_url`). */
  base: URL;
  key: string;
  slug: string;
  /** Pairs the start with its finish (duration). */
  rid: string;
}

/** The pings' target from the config, or why there is none (never naming the key). */
export function pingTarget(config: Pick<DatamonConfig, 'heartbeats' | 'dashboard'>, slug: string, rid: string): PingTarget | { problem: string } {
  const key = config.heartbeats.ping_key;
  if (!key) return { problem: 'no ping key is configured (set heartbeats.ping_key, the same as on the monitor)' };
  const fromKey = config.heartbeats.ping_url ? 'heartbeats.ping_url' : 'dashboard.public_url';
  const raw = config.heartbeats.ping_url || config.dashboard.public_url;
  let base: URL;
  try {
    base = new URL(raw);
  } catch {
    return { problem: `${fromKey} is not a URL: "${redactUrl(raw)}"` };
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') return { problem: `${fromKey} is not an http(s) URL: "${redactUrl(raw)}"` };
  return { base, key, slug, rid };
}

/** `{base}/ping/{key}/{slug}/{what}?rid={rid}`; with `shown`, the key is left out (for messages). */
export function pingUrl(target: PingTarget, what: string, shown = false): string {
  const url = new URL(target.base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/ping/${shown ? '[redacted]' : encodeURIComponent(target.key)}/${target.slug}/${what}`;
  url.search = `?rid=${encodeURIComponent(target.rid)}`;
  url.hash = '';
  if (shown) {
    url.username = '';
    url.password = '';
  }
  return url.toString();
}

/** What a ping's answer means to the person running the job. */
function describeAnswer(status: number, slug: string): string {
  if (status === 404) return `the monitor answered 404: wrong ping key, or no heartbeat pipeline has the slug "${slug}"`;
  if (status === 403) return 'the monitor answered 403: it has no ping key configured (heartbeats.ping_key on the monitor)';
  return `the monitor answered ${status}`;
}

/**
 * Sends one ping, trying twice when the monitor is unreachable or fails (5xx, 429). Returns why
 * it could not be reported, or null when the monitor answered 200. Never throws.
 */
export async function sendPing(http: HttpClient, target: PingTarget, what: string, body?: string): Promise<string | null> {
  let problem = '';
  for (let attempt = 1; attempt <= PING_ATTEMPTS; attempt += 1) {
    let retry: boolean;
    try {
      const response = await http(pingUrl(target, what), {
        method: body === undefined ? 'GET' : 'POST',
        ...(body === undefined ? {} : { body, headers: { 'content-type': 'text/plain; charset=utf-8' } }),
        throwHttpErrors: false,
        timeout: { request: PING_TIMEOUT_MS },
      });
      if (response.statusCode === 200) return null;
      problem = describeAnswer(response.statusCode, target.slug);
      retry = response.statusCode >= 500 || response.statusCode === 429;
    } catch (err) {
      const error = err as NodeJS.ErrnoException;
      const code = error.code && !error.message.includes(error.code) ? `${error.code}: ` : '';
      problem = error.name === 'TimeoutError' ? `no answer within ${PING_TIMEOUT_MS / 1000} s` : `${code}${error.message}`;
      retry = true;
    }
    if (!retry || attempt === PING_ATTEMPTS) break;
    await sleep(PING_RETRY_PAUSE_MS);
  }
  const where = pingUrl(target, what, true);
  // The key is never printed, however an error message came to hold it.
  return `${what === 'start' ? 'start' : 'finish'} ping to ${where}: ${problem.split(target.key).join('[redacted]')}`;
}

/** How the command ended, as `datamon run` reports it. */
export interface CommandEnd {
  /** What `datamon run` exits with: the command's code, 128 + signal number, 127 not found. */
  exitCode: number;
  signal: NodeJS.Signals | null;
  /** Why it could not be started, if it could not. */
  startError: string | null;
  output: OutputTail;
}

/** The ping that reports an end, and its body (at most 10,000 bytes: what the monitor keeps). */
export function finishPing(end: CommandEnd): { what: string; body: string } {
  if (end.startError !== null) return { what: 'fail', body: `datamon run: ${end.startError}\n` };
  if (end.signal !== null) {
    // The exit code alone cannot say a signal ended it: the last line of the body does.
    const tail = new OutputTail(OUTPUT_TAIL_BYTES);
    tail.push(end.output.bytes());
    tail.push(`\ndatamon run: killed by ${end.signal} (exit code ${end.exitCode})\n`);
    return { what: 'fail', body: tail.toString() };
  }
  return { what: String(end.exitCode), body: end.output.toString() };
}

function signalNumber(signal: NodeJS.Signals): number {
  return (osConstants.signals as Record<string, number | undefined>)[signal] ?? 0;
}

function describeSpawnError(err: NodeJS.ErrnoException, executable: string): { message: string; exitCode: number } {
  if (err.code === 'ENOENT') return { message: `command not found: ${executable}`, exitCode: EXIT_NOT_FOUND };
  if (err.code === 'EACCES') return { message: `permission denied: ${executable}`, exitCode: EXIT_CANNOT_RUN };
  return { message: `cannot run ${executable}: ${err.message}`, exitCode: EXIT_CANNOT_RUN };
}

/** Copies a child's output to one of ours, keeping up with how fast ours drains. */
function passThrough(from: NodeJS.ReadableStream, to: NodeJS.WritableStream, tail: OutputTail): void {
  let broken = false;
  // Our own output closed (`datamon run ... | head`): keep capturing, stop copying.
  const onError = () => {
    broken = true;
  };
  to.on('error', onError);
  from.on('data', (chunk: Buffer) => {
    tail.push(chunk);
    if (broken) return;
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
  from.on('close', () => to.removeListener('error', onError));
}

/**
 * Runs the command without a shell, on our stdin, copying its stdout and stderr to ours as they
 * come and keeping the last 10,000 bytes of both. SIGINT and SIGTERM sent to datamon are passed on.
 */
export function runCommandPassingThrough(argv: readonly string[], io: Pick<CliContext, 'out' | 'err'>): Promise<CommandEnd> {
  const executable = argv[0] as string;
  const output = new OutputTail(OUTPUT_TAIL_BYTES);
  return new Promise((resolve) => {
    const child = spawn(executable, argv.slice(1), { stdio: ['inherit', 'pipe', 'pipe'], shell: false });
    let settled = false;
    let drainTimer: NodeJS.Timeout | undefined;
    const forward = (signal: NodeJS.Signals) => {
      child.kill(signal);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const settle = (end: Omit<CommandEnd, 'output'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(drainTimer);
      for (const signal of FORWARDED_SIGNALS) process.removeListener(signal, forward);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({ ...end, output });
    };
    let exit: Omit<CommandEnd, 'output'> | null = null;
    const settleExited = () => {
      if (exit !== null) settle(exit);
    };

    if (child.stdout) passThrough(child.stdout, io.out, output);
    if (child.stderr) passThrough(child.stderr, io.err, output);
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return;
      const failure = describeSpawnError(err, executable);
      settle({ exitCode: failure.exitCode, signal: null, startError: failure.message });
    });
    child.once('exit', (code, signal) => {
      exit = signal === null ? { exitCode: code ?? 0, signal: null, startError: null } : { exitCode: 128 + signalNumber(signal), signal, startError: null };
      drainTimer = setTimeout(settleExited, DRAIN_GRACE_MS);
    });
    child.once('close', settleExited);
  });
}

/** Reads the config for the pings; a problem is a warning, never a reason not to run the job. */
function loadPingTarget(ctx: CliContext, configPath: string | undefined, slug: string): PingTarget | { problem: string } {
  let config: DatamonConfig;
  try {
    config = ctx.loadConfig(configPath);
  } catch (err) {
    if (err instanceof ConfigError) {
      const more = err.problems.length > 1 ? ` (and ${err.problems.length - 1} more: see datamon config check)` : '';
      return { problem: `${err.file}: ${err.problems[0] ?? 'the config file is invalid'}${more}` };
    }
    return { problem: `the config could not be read: ${err instanceof Error ? err.message : String(err)}` };
  }
  return pingTarget(config, slug, randomUUID());
}

/**
 * `datamon run SLUG -- CMD [ARGS...]` (SPEC 9): pings start, runs the command, pings its exit code
 * (or fail) with the last 10,000 bytes of its output, and exits with the command's own code. The
 * monitor being away, or the config being wrong, is a warning: the job runs regardless.
 */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('run a command and report it to a heartbeat pipeline: start, then its exit code and the end of its output; exits with the command\'s code')
    .usage('[options] <slug> -- <command> [args...]')
    .argument('<slug>', 'the heartbeat pipeline\'s slug ([a-z0-9_-], 1 to 64 characters)')
    .argument('<command...>', 'the command and its arguments, after --; run without a shell')
    .option(...CONFIG_OPTION)
    .action(async (slug: string, argv: string[], _options: { config?: string }, command: Command) => {
      if (!SLUG_PATTERN.test(slug)) {
        throw new CommandError(`"${slug}" is not a heartbeat slug: use 1 to 64 of a-z, 0-9, _ and - (datamon run SLUG -- CMD [ARGS...])`, EXIT.failed);
      }
      const warn = (problem: string) => ctx.err.write(`datamon run: could not report to the monitor: ${problem}\n`);
      const target = loadPingTarget(ctx, configPathOf(command), slug);
      const http = createHttpClient({ timeoutMs: PING_TIMEOUT_MS, userAgent: 'datamon-run' });
      let started: Promise<unknown> = Promise.resolve();
      if ('problem' in target) {
        warn(target.problem);
      } else {
        // The job does not wait for the monitor; the finish is sent after the start, so they pair.
        started = sendPing(http, target, 'start').then((problem) => problem && warn(problem));
      }

      const end = await runCommandPassingThrough(argv, ctx);
      if (end.startError !== null) ctx.err.write(`datamon run: ${end.startError}\n`);

      if (!('problem' in target)) {
        await started;
        const { what, body } = finishPing(end);
        const problem = await sendPing(http, target, what, body);
        if (problem) warn(problem);
      }
      process.exitCode = end.exitCode;
    });
}
