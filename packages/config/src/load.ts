import { accessSync, constants, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CheckRegistry } from '@datamon/checks/kinds';
import { type CalendarSettings, calendarProblems, type DatamonConfig, DEFAULT_CALENDAR, readMaintenance } from '@datamon/core';
import { parseHostPort } from '@datamon/core';
import { ticketSettingsProblems } from '@datamon/notifiers/tickets';
import { parseDocument } from 'yaml';
import { ConfigError } from './config-error.ts';
import { maskUrl } from './mask.ts';
import { interpolate } from './interpolate.ts';
import { configWarnings, heartbeatProblems, readCheckins, readDependencies, readPipelines, readSheets } from './pipelines.ts';
import { createConvict, schemaKeys, sensitiveKeys } from './schema.ts';

export const DEFAULT_CONFIG_PATH = 'config/monitoring_config.yaml';

export interface LoadOptions {
  /** `--config PATH`; else `DATAMON_CONFIG`; else `config/monitoring_config.yaml`. */
  path?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The pipeline kinds the file may use; the built-in check registry by default. */
  kinds?: CheckRegistry;
}

/** The path as the user gave it (what messages show): `--config`, then `DATAMON_CONFIG`, then the default. */
function chosenPath(options: LoadOptions): string {
  return options.path ?? (options.env ?? process.env).DATAMON_CONFIG ?? DEFAULT_CONFIG_PATH;
}

/** Which file a command reads: `--config`, then `DATAMON_CONFIG`, then the default path. */
export function configPath(options: LoadOptions = {}): string {
  return resolve(options.cwd ?? process.cwd(), chosenPath(options));
}

/**
 * Reads, interpolates and validates the config file (README "Configuration"). Throws one `ConfigError` listing
 * every problem; the caller exits 78.
 */
export function loadConfig(options: LoadOptions = {}): DatamonConfig {
  const file = configPath(options);
  const shown = chosenPath(options);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code})`;
    throw new ConfigError(shown, [`${why} (choose a file with --config PATH or DATAMON_CONFIG)`]);
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      shown,
      document.errors.map((error) => {
        const line = error.linePos?.[0];
        const where = line ? `line ${line.line}, column ${line.col}` : 'somewhere';
        const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
        return `YAML syntax error at ${where}: ${message}`;
      }),
    );
  }
  const raw = document.toJS() ?? {};
  return resolveConfig(raw, { source: shown, env: options.env, kinds: options.kinds });
}

/** Validates an in-memory config document (what `loadConfig` does after parsing). */
export function resolveConfig(raw: unknown, options: { source: string; env?: NodeJS.ProcessEnv | undefined; kinds?: CheckRegistry | undefined }): DatamonConfig {
  const source = options.source;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(source, ['the file must be a mapping of sections (database:, email:, ...)']);
  }
  const problems: string[] = [];
  const interpolated = interpolate(raw, options.env ?? process.env, problems) as Record<string, unknown>;
  // convict cannot describe maps of user-named items: those are taken out and read item by item.
  const freeForm = takeFreeForm(interpolated);
  dropEmptyRedisSections(interpolated);
  const settings = createConvict();
  try {
    settings.load(interpolated);
  } catch (err) {
    problems.push((err as Error).message);
  }
  try {
    settings.validate({ allowed: 'strict', output: () => undefined });
  } catch (err) {
    const lines = (err as Error).message.split('\n').filter(Boolean);
    problems.push(...new Set(lines.map((line) => rephraseConvict(line, interpolated))));
  }
  // Carry on even after problems: the free-form parts are read too, so one run reports them all.

  const base = settings.getProperties() as unknown as Omit<DatamonConfig, 'pipelines' | 'checkins' | 'source'>;
  base.google_sheets = { ...base.google_sheets, sheets: readSheets(freeForm.sheets, problems) };
  if (!base.email.user) base.email.user = base.email.sender;
  problems.push(...credentialProblems(base));
  const redisChosen = redisKeysGiven(interpolated);
  problems.push(...redisProblems(base.redis, redisChosen));
  problems.push(...ticketSettingsProblems(base.tickets));
  // Only the address in use shows (`config check`, logs): a default URL beside a cluster would mislead.
  if (redisChosen.includes('sentinel') || redisChosen.includes('cluster')) base.redis.url = '';
  // Links in cards and emails point where the dashboard really listens unless told otherwise.
  if (valueAt(interpolated, 'dashboard.public_url') === undefined) base.dashboard.public_url = defaultPublicUrl(base.dashboard);
  const { pipelines, pathOf } = readPipelines(freeForm.pipelines, freeForm.morePipelines, base, problems, options.kinds);
  readDependencies(pipelines, pathOf, problems);
  problems.push(...heartbeatProblems(pipelines, pathOf));
  const checkins = readCheckins(freeForm.checkins, pipelines, problems);
  const calendarIssues = calendarProblems(freeForm.calendar);
  problems.push(...calendarIssues);
  const calendar = calendarIssues.length === 0 ? calendarSettings(freeForm.calendar) : { ...DEFAULT_CALENDAR };
  const maintenance = readMaintenance(freeForm.maintenance, pipelines.map((pipeline) => pipeline.id));
  problems.push(...maintenance.problems);
  if (problems.length > 0) throw new ConfigError(source, problems);
  // Read into `pipelines` above: not a section of the effective config.
  const { more_pipelines: _more, ...effective } = base as typeof base & { more_pipelines?: unknown };
  return {
    ...effective,
    source,
    pipelines,
    checkins,
    calendar,
    maintenance: maintenance.windows,
    warnings: configWarnings(freeForm.pipelines.length > 0, checkins, pipelines, base),
  };
}

interface FreeForm {
  pipelines: unknown[];
  morePipelines: unknown[];
  calendar: unknown;
  maintenance: unknown;
  checkins: unknown;
  sheets: unknown;
}

function takeFreeForm(document: Record<string, unknown>): FreeForm {
  const take = (section: string, key: string): unknown => {
    const parent = document[section];
    if (parent === null || typeof parent !== 'object' || Array.isArray(parent)) return undefined;
    const value = (parent as Record<string, unknown>)[key];
    delete (parent as Record<string, unknown>)[key];
    return value;
  };
  const section = (key: string): unknown => {
    const value = document[key];
    delete document[key];
    return value;
  };
  const list = (key: string): unknown[] => {
    const value = document[key];
    delete document[key];
    return Array.isArray(value) ? value : value == null ? [] : [value];
  };
  return {
    pipelines: list('pipelines'),
    morePipelines: list('more_pipelines'),
    calendar: section('calendar'),
    maintenance: section('maintenance'),
    checkins: take('schedule', 'checkins') ?? {},
    sheets: take('google_sheets', 'sheets') ?? {},
  };
}

const KNOWN_KEYS = schemaKeys();
const SENSITIVE_KEYS = new Set(sensitiveKeys());

/** Turns convict's messages into "key: what is wrong" lines, with a hint for a misspelt key. */
function rephraseConvict(line: string, document: Record<string, unknown>): string {
  const undeclared = /configuration param '([^']+)' not declared in the schema/.exec(line);
  if (undeclared) {
    const full = undeclared[1] as string;
    // An unknown section (`databse`, `redis.sentinal`) is named once, not once per key inside it.
    const parts = full.split('.');
    const depth = parts.findIndex((_, index) => !KNOWN_KEYS.includes(parts.slice(0, index + 1).join('.')));
    const key = depth === -1 ? full : parts.slice(0, depth + 1).join('.');
    const hint = closestKey(key);
    return `${key}: unknown key${hint ? ` (did you mean "${hint}"?)` : ''}`;
  }
  const invalid = /^([\w.]+): (.*?)(?:: value was .*)?$/.exec(line);
  if (invalid) {
    const [, key = '', problem = ''] = invalid;
    // convict leaves a sensitive key's value out of its message; so does this (a YAML password
    // of digits is a number, and "must be of type String" must not quote it).
    if (SENSITIVE_KEYS.has(key)) return `${key}: ${problem}`;
    const value = JSON.stringify(valueAt(document, key));
    return `${key}: ${problem}${value !== undefined && !problem.includes(value) ? `, got ${value}` : ''}`;
  }
  return line;
}

/** Credentials this short can be guessed: every dashboard password and token has at least this many characters. */
export const MIN_SECRET_LENGTH = 16;

/** Dashboard credentials that are too short, one problem each, never quoting them. */
function credentialProblems(base: Pick<DatamonConfig, 'dashboard' | 'metrics' | 'heartbeats'>): string[] {
  const { auth } = base.dashboard;
  const problems: string[] = [];
  const tooShort = (key: string, value: string) => {
    if (value.length > 0 && value.length < MIN_SECRET_LENGTH) problems.push(`${key}: must be at least ${MIN_SECRET_LENGTH} characters (it has ${value.length}); a longer one cannot be guessed`);
  };
  tooShort('dashboard.auth.password', auth.password);
  // Items of the wrong shape were named by the schema already; a named one's key is its `.token`.
  const tokenProblems = (key: string, items: unknown) =>
    (Array.isArray(items) ? items : []).forEach((item: unknown, index) => {
      if (typeof item === 'string') tooShort(`${key}[${index}]`, item);
      else if (typeof (item as { token?: unknown } | null)?.token === 'string') tooShort(`${key}[${index}].token`, (item as { token: string }).token);
    });
  tokenProblems('dashboard.auth.tokens', auth.tokens);
  tokenProblems('dashboard.auth.admin_tokens', auth.admin_tokens);
  tooShort('metrics.token', base.metrics.token);
  tooShort('heartbeats.ping_key', base.heartbeats.ping_key);
  if (auth.password && !auth.username) problems.push('dashboard.auth.username: is required with dashboard.auth.password');
  for (const user of auth.admin_users) {
    if (user !== auth.username) problems.push(`dashboard.auth.admin_users: "${user}" is not dashboard.auth.username`);
  }
  return problems;
}

/** The calendar a valid `calendar:` section describes, the defaults filling what it leaves out. */
function calendarSettings(raw: unknown): CalendarSettings {
  const value = (raw ?? {}) as Partial<CalendarSettings>;
  return {
    workdays: value.workdays ?? [...DEFAULT_CALENDAR.workdays],
    holidays: value.holidays ?? DEFAULT_CALENDAR.holidays,
    extra_holidays: value.extra_holidays ?? [],
    extra_workdays: value.extra_workdays ?? [],
  };
}

/** `redis:` (or `redis.sentinel:`, `cluster:`, `tls:`) with nothing under it, its keys commented out, is left out rather than refused. */
function dropEmptyRedisSections(document: Record<string, unknown>): void {
  const redis = document.redis;
  if (redis === null) delete document.redis;
  if (redis === null || typeof redis !== 'object' || Array.isArray(redis)) return;
  for (const key of ['sentinel', 'cluster', 'tls']) {
    if ((redis as Record<string, unknown>)[key] === null) delete (redis as Record<string, unknown>)[key];
  }
}

/** Which of `redis.url`, `redis.sentinel` and `redis.cluster` the file gives (an empty or null one is not given). */
function redisKeysGiven(document: Record<string, unknown>): ('url' | 'sentinel' | 'cluster')[] {
  return (['url', 'sentinel', 'cluster'] as const).filter((key) => {
    const value = valueAt(document, `redis.${key}`);
    return value !== undefined && value !== null && value !== '';
  });
}

/**
 * Where Redis is (README "Running it"): exactly one of `redis.url`, `redis.sentinel` and
 * `redis.cluster`, each well formed, and TLS files only where TLS is in use.
 */
function redisProblems(redis: DatamonConfig['redis'] | null, chosen: readonly ('url' | 'sentinel' | 'cluster')[]): string[] {
  const problems: string[] = [];
  // A value of the wrong type was reported by convict already; what it holds is not checked again.
  if (redis === null || typeof redis !== 'object') return problems;
  if (chosen.length > 1) {
    problems.push(`${chosen.map((key) => `redis.${key}`).join(' and ')}: give only one of redis.url, redis.sentinel and redis.cluster`);
  }
  const nodeProblems = (key: string, nodes: readonly string[]) => {
    if (!Array.isArray(nodes)) return;
    if (nodes.length === 0) problems.push(`${key}: at least one "host:port" is needed`);
    nodes.forEach((node, index) => {
      if (!parseHostPort(node)) problems.push(`${key}[${index}]: ${JSON.stringify(node)} is not "host:port" (e.g. 10.0.0.5:26379)`);
    });
  };
  if (chosen.includes('sentinel')) {
    if (!redis.sentinel.name) problems.push('redis.sentinel.name: is required with redis.sentinel (the master name the sentinels watch)');
    nodeProblems('redis.sentinel.nodes', redis.sentinel.nodes);
  }
  if (chosen.includes('cluster')) {
    nodeProblems('redis.cluster.nodes', redis.cluster.nodes);
    // `{}` is no hash tag: each key would hash whole, to a slot of its own.
    if (!redis.prefix) problems.push('redis.prefix: must not be empty with redis.cluster (it is the hash tag that keeps every key on one slot)');
  }
  const onUrl = !chosen.includes('sentinel') && !chosen.includes('cluster');
  if (onUrl && typeof redis.url === 'string' && !/^rediss?:\/\/[^/?#]/i.test(redis.url)) problems.push(`redis.url: must start with redis:// or rediss:// and name a host, got ${JSON.stringify(maskUrl(redis.url))}`);
  const tlsOn = onUrl ? /^rediss:/i.test(redis.url) : redis.tls.enabled === true;
  if (onUrl && redis.tls.enabled === true && !tlsOn) problems.push('redis.tls.enabled: with redis.url, write rediss:// to use TLS (redis.tls.enabled is for redis.sentinel and redis.cluster)');
  for (const key of ['ca_file', 'cert_file', 'key_file'] as const) {
    const file = redis.tls[key];
    if (!file || typeof file !== 'string') continue;
    if (!tlsOn) {
      problems.push(`redis.tls.${key}: TLS is not in use (use a rediss:// URL, or redis.tls.enabled with redis.sentinel or redis.cluster)`);
      continue;
    }
    try {
      accessSync(file, constants.R_OK);
    } catch (err) {
      problems.push(`redis.tls.${key}: ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  if (Boolean(redis.tls.cert_file) !== Boolean(redis.tls.key_file)) problems.push('redis.tls.cert_file and redis.tls.key_file: give both or neither');
  return problems;
}

/** `http://<host>:<port>` of `dashboard.host`/`port` (`localhost` for an any-address host). */
export function defaultPublicUrl(dashboard: { host: string; port: number }): string {
  const host = ['0.0.0.0', '::', '', '127.0.0.1', '::1'].includes(dashboard.host) ? 'localhost' : dashboard.host.includes(':') ? `[${dashboard.host}]` : dashboard.host;
  return `http://${host}:${dashboard.port}`;
}

function valueAt(document: Record<string, unknown>, key: string): unknown {
  let node: unknown = document;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function closestKey(key: string): string | null {
  let best: { key: string; distance: number } | null = null;
  for (const candidate of KNOWN_KEYS) {
    const distance = editDistance(key, candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key ?? null;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const current = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}
