import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Method } from 'got';
import { createHttpClient, type HttpClient, isRequestError } from './http-client.ts';
import { maskSecrets, maskSecretsInTail } from './mask-secrets.ts';
import { OUTPUT_TAIL_BYTES, OutputTail } from './output-tail.ts';
import { processStat } from './process-stat.ts';
import { redactUrl, redactUrlsInText } from './redact-url.ts';

/** A pipeline's `recovery` (SPEC 13): an argv run without a shell, or one HTTP request. */
export type RecoveryAction =
  | { command: string[] }
  | { http: { url: string; method?: string; headers?: Record<string, string>; body?: string | Record<string, unknown> } };

/** What running a recovery action did: what goes into the incident's timeline and its Chat thread. */
export interface ActionOutcome {
  /** command: exit 0; http: a 2xx. */
  ok: boolean;
  kind: 'command' | 'http';
  exitCode: number | null;
  signal: string | null;
  httpStatus: number | null;
  durationMs: number;
  /** The last 10,000 bytes of stdout and stderr as they came (or of the HTTP response body), secrets masked. */
  output: string;
  /** Why it did not run or did not finish ("timed out after 300 s", "command not found: foo"), secrets masked. */
  error: string | null;
}

export interface RunRecoveryOptions {
  timeoutMs: number;
  /** Values masked wherever they appear in the output and the error. */
  secrets: readonly string[];
  /** Aborting stops the action as a timeout does. */
  signal?: AbortSignal;
  /** The command's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The HTTP client (default: the project's one client). */
  http?: HttpClient;
  /** Milliseconds from any origin, for the duration (default: a monotonic clock). */
  clock?: () => number;
}

/** After SIGTERM, how long a command and its children get to exit before SIGKILL. */
export const KILL_GRACE_MS = 3_000;

/**
 * After the command exits, how long its output may stay open: a child it left running in the
 * background can hold the pipes open, and is not waited for.
 */
const DRAIN_GRACE_MS = 2_000;

/**
 * Runs a recovery action once and says what happened. Never throws for the action's sake: a
 * missing executable, a non-zero exit, a timeout, an HTTP error status or a network error are
 * outcomes with `ok: false`.
 */
export async function runRecoveryAction(action: RecoveryAction, opts: RunRecoveryOptions): Promise<ActionOutcome> {
  const clock = opts.clock ?? (() => performance.now());
  const started = clock();
  const kind = 'command' in action ? 'command' : 'http';
  const finish = (outcome: Omit<ActionOutcome, 'kind' | 'durationMs'>): ActionOutcome => ({
    ...outcome,
    kind,
    durationMs: Math.max(0, Math.round(clock() - started)),
    error: outcome.error === null ? null : maskSecrets(outcome.error, opts.secrets),
  });
  if (opts.signal?.aborted) {
    return finish({ ok: false, exitCode: null, signal: null, httpStatus: null, output: '', error: 'aborted before it started' });
  }
  if ('command' in action) return finish(await runCommand(action.command, opts));
  return finish(await runHttp(action.http, opts));
}

type PartialOutcome = Omit<ActionOutcome, 'kind' | 'durationMs'>;

function tailText(tail: OutputTail, secrets: readonly string[]): string {
  return tail.truncated ? maskSecretsInTail(tail.toString(), secrets) : maskSecrets(tail.toString(), secrets);
}

function describeTimeout(timeoutMs: number): string {
  return `timed out after ${Number((timeoutMs / 1000).toFixed(3))} s`;
}

function describeSpawnError(err: NodeJS.ErrnoException, executable: string): string {
  if (err.code === 'ENOENT') return `command not found: ${executable}`;
  if (err.code === 'EACCES') return `permission denied: ${executable}`;
  return `cannot run ${executable}: ${err.message}`;
}

/** Signals a whole process group (the command and whatever it started); gone already is fine. */
function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether any process of the group still runs. A killed child whose parent died first stays a
 * zombie until an init process reaps it, which a container without one never does: on Linux,
 * zombies are not counted.
 */
function groupIsRunning(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  try {
    return readdirSync('/proc').some((entry) => {
      if (!/^\d+$/.test(entry)) return false;
      const stat = processStat(entry);
      return stat !== null && stat.pgrp === pgid && stat.state !== 'Z';
    });
  } catch {
    return true;
  }
}

/** SIGTERM to the group; SIGKILL to whatever of it is still there after the grace period. */
async function stopGroup(pgid: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  if (await groupEnded(pgid, KILL_GRACE_MS)) return;
  signalGroup(pgid, 'SIGKILL');
  // SIGKILL is not refused, but dying takes a moment: the caller learns of it once it is done.
  await groupEnded(pgid, 1_000);
}

async function groupEnded(pgid: number, withinMs: number): Promise<boolean> {
  const deadline = performance.now() + withinMs;
  while (performance.now() < deadline) {
    await sleep(50);
    if (!groupIsRunning(pgid)) return true;
  }
  return false;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function runCommand(argv: readonly string[], opts: RunRecoveryOptions): Promise<PartialOutcome> {
  const failed = (error: string): PartialOutcome => ({ ok: false, exitCode: null, signal: null, httpStatus: null, output: '', error });
  const executable = argv[0];
  if (!Array.isArray(argv) || executable === undefined || executable === '' || argv.some((arg) => typeof arg !== 'string')) {
    return Promise.resolve(failed('the command must be a non-empty list of strings (argv)'));
  }
  if (opts.cwd !== undefined) {
    // spawn reports a missing working directory as a missing executable: say which it is.
    if (!isDirectory(opts.cwd)) return Promise.resolve(failed(`working directory not found: ${opts.cwd}`));
  }

  return new Promise((resolve) => {
    const tail = new OutputTail(OUTPUT_TAIL_BYTES);
    // Its own process group (detached), so stopping it reaches the children it started.
    const child = spawn(executable, argv.slice(1), {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      shell: false,
      windowsHide: true,
    });
    let settled = false;
    let stopReason: string | null = null;
    let stopping: Promise<void> = Promise.resolve();
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let drainTimer: NodeJS.Timeout | undefined;

    const stop = (reason: string) => {
      if (stopReason !== null || exit !== null || child.pid === undefined) return;
      stopReason = reason;
      stopping = stopGroup(child.pid);
    };
    const timer = setTimeout(() => stop(describeTimeout(opts.timeoutMs)), opts.timeoutMs);
    const onAbort = () => stop('aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const settle = (outcome: PartialOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(drainTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve(outcome);
    };
    const settleExited = () => {
      if (settled || exit === null) return;
      const { code, signal } = exit;
      void stopping.then(() =>
        settle({
          ok: stopReason === null && code === 0,
          exitCode: code,
          signal,
          httpStatus: null,
          output: tailText(tail, opts.secrets),
          error: stopReason,
        }),
      );
    };

    child.stdout?.on('data', (chunk: Buffer) => tail.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));
    child.on('error', (err: NodeJS.ErrnoException) => {
      // Failing to start is an outcome; an error after it started (a failed kill) changes nothing.
      if (child.pid === undefined) settle(failed(describeSpawnError(err, executable)));
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      clearTimeout(timer);
      drainTimer = setTimeout(settleExited, DRAIN_GRACE_MS);
    });
    child.once('close', () => settleExited());
  });
}

/** An HTTP action: any status is an outcome; a 2xx is a success. */
async function runHttp(request: Extract<RecoveryAction, { http: unknown }>['http'], opts: RunRecoveryOptions): Promise<PartialOutcome> {
  const http = opts.http ?? createHttpClient({ timeoutMs: opts.timeoutMs });
  const failed = (error: string): PartialOutcome => ({ ok: false, exitCode: null, signal: null, httpStatus: null, output: '', error });
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return failed(`not a URL: ${redactUrl(request.url)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return failed(`not an http(s) URL: ${redactUrl(request.url)}`);
  const method = (request.method ?? 'POST').toUpperCase();
  const body = request.body;
  try {
    const response = await http(url, {
      method: method as Method,
      headers: request.headers ?? {},
      ...(body === undefined ? {} : typeof body === 'string' ? { body } : { json: body }),
      throwHttpErrors: false,
      timeout: { request: opts.timeoutMs },
      signal: opts.signal,
    });
    const tail = new OutputTail(OUTPUT_TAIL_BYTES);
    tail.push(response.rawBody);
    const status = response.statusCode;
    return {
      ok: status >= 200 && status < 300,
      exitCode: null,
      signal: null,
      httpStatus: status,
      output: tailText(tail, opts.secrets),
      error: null,
    };
  } catch (err) {
    return failed(describeHttpFailure(err, method, url, opts));
  }
}

function describeHttpFailure(err: unknown, method: string, url: URL, opts: RunRecoveryOptions): string {
  if (opts.signal?.aborted) return 'aborted';
  const where = `${method} ${redactUrl(url)}`;
  if (isRequestError(err)) {
    if (err.code === 'ETIMEDOUT' || err.name === 'TimeoutError') return `${describeTimeout(opts.timeoutMs)} (${where})`;
    return `${where} failed: ${err.code ? `${err.code}: ` : ''}${redactUrlsInText(err.message)}`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return `${where} failed: ${redactUrlsInText(message)}`;
}

/**
 * A run's outcome in words, as the timeline and the Chat card say it: `exit 0 in 2.1 s`,
 * `HTTP 503 in 0.4 s`, `timed out after 300 s`, `command not found: rerun-etl`.
 */
export function describeActionOutcome(outcome: ActionOutcome): string {
  const took = `in ${Number((outcome.durationMs / 1000).toFixed(1))} s`;
  if (outcome.error !== null) return outcome.httpStatus !== null ? `HTTP ${outcome.httpStatus}: ${outcome.error} ${took}` : `${outcome.error} (${took})`;
  if (outcome.kind === 'http') return `HTTP ${outcome.httpStatus ?? '?'} ${took}`;
  if (outcome.signal !== null) return `killed by ${outcome.signal} ${took}`;
  return `exit ${outcome.exitCode ?? '?'} ${took}`;
}

/** What the action is, for people: the argv as written, or `POST https://host/path` (no query). */
export function describeAction(action: RecoveryAction, secrets: readonly string[]): string {
  if ('command' in action) return maskSecrets(action.command.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg))).join(' '), secrets);
  return `${(action.http.method ?? 'POST').toUpperCase()} ${redactUrl(action.http.url)}`;
}
