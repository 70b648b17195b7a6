import { checkRegistry, type CheckRegistry } from '@datamon/checks/kinds';
import {
  type CheckinDefinition,
  type DatamonConfig,
  dependencyProblems,
  EXPECTED_DAYS,
  type PipelineDefinition,
  isHHMM,
  isValidId,
  RECOVERY_DEFAULTS,
  type RecoveryHttp,
  type RecoverySettings,
} from '@datamon/core';
import { cronProblem, dailyTimeOf } from '@datamon/core';
import { DEFAULT_ACTIONS, DEFAULT_CHECKINS, DEFAULT_PIPELINE_IDS, GENERIC_ACTION, defaultPipelineItems } from './defaults.ts';
import { readFields } from './kind-fields.ts';

/**
 * Item-by-item validation of the free-form subtrees convict cannot describe: `pipelines`,
 * `schedule.checkins` and `google_sheets.sheets`. A pipeline's common fields are read here, its
 * kind's fields with the kind's own schema (the check registry). Every problem is collected,
 * none thrown.
 */

type Raw = Record<string, unknown>;
type Base = Omit<DatamonConfig, 'pipelines' | 'checkins' | 'source'>;

const COMMON_KEYS = ['id', 'name', 'kind', 'action', 'not_before', 'quick_check', 'depends_on', 'days', 'recovery'];

class ItemReader {
  constructor(
    private readonly raw: Raw,
    private readonly path: string,
    private readonly problems: string[],
  ) {}

  private fail(key: string, message: string): void {
    this.problems.push(`${this.path}.${key}: ${message}`);
  }

  string(key: string, fallback?: string): string {
    const value = this.raw[key];
    if (value === undefined || value === null) {
      if (fallback === undefined) this.fail(key, 'is required');
      return fallback ?? '';
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.fail(key, `must be a non-empty string, got ${JSON.stringify(value)}`);
      return fallback ?? '';
    }
    return value;
  }

  optionalString(key: string): string | null {
    const value = this.raw[key];
    if (value === undefined || value === null || value === '') return null;
    return this.string(key);
  }

  number(key: string, fallback?: number, opts: { integer?: boolean } = {}): number {
    const value = this.raw[key];
    if (value === undefined || value === null) {
      if (fallback === undefined) this.fail(key, 'is required');
      return fallback ?? 0;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (opts.integer && !Number.isInteger(value))) {
      this.fail(key, `must be ${opts.integer ? 'a whole number' : 'a number'}, 0 or more, got ${JSON.stringify(value)}`);
      return fallback ?? 0;
    }
    return value;
  }

  /** A list of ids (strings); [] when absent. */
  ids(key: string): string[] {
    const value = this.raw[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) {
      this.fail(key, `must be a list of pipeline ids, got ${JSON.stringify(value)}`);
      return [];
    }
    return value as string[];
  }

  /** One of `values`; `fallback` when absent. */
  oneOf<T extends string>(key: string, values: readonly T[], fallback: T): T {
    const value = this.raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string' || !values.includes(value as T)) {
      this.fail(key, `must be one of ${values.join(', ')}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value as T;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') {
      this.fail(key, `must be true or false, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value;
  }

  time(key: string, fallback?: string | null): string | null {
    const value = this.raw[key];
    if (value === undefined || value === null) {
      if (fallback === undefined) this.fail(key, 'is required (HH:MM)');
      return fallback ?? null;
    }
    if (typeof value !== 'string' || !isHHMM(value)) {
      this.fail(key, `must be a local time "HH:MM" (00:00-23:59), got ${JSON.stringify(value)}`);
      return fallback ?? null;
    }
    return value;
  }

  unknownKeys(allowed: string[]): void {
    for (const key of Object.keys(this.raw)) {
      if (!allowed.includes(key)) this.fail(key, `unknown key for this pipeline kind (allowed: ${allowed.join(', ')})`);
    }
  }
}

function readPipeline(raw: unknown, path: string, base: Base, problems: string[], kinds: CheckRegistry): PipelineDefinition | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${path}: must be a mapping with id, name, kind and the kind's fields`);
    return null;
  }
  const item = raw as Raw;
  const read = new ItemReader(item, path, problems);
  const id = read.string('id');
  if (id && !isValidId(id)) problems.push(`${path}.id: "${id}" must be lower-case letters, digits, _ or - (at most 64)`);
  const spec = typeof item.kind === 'string' ? kinds.find(item.kind) : undefined;
  if (!spec) {
    problems.push(`${path}.kind: unknown pipeline kind ${JSON.stringify(item.kind)} (known: ${kinds.kinds().join(', ')})`);
    return null;
  }
  const common = {
    id,
    name: read.string('name', id),
    kind: spec.kind,
    group: spec.group,
    action: read.string('action', DEFAULT_ACTIONS[id] ?? GENERIC_ACTION),
    not_before: read.time('not_before', null),
    quick_check: read.boolean('quick_check', true),
    depends_on: read.ids('depends_on'),
    days: read.oneOf('days', EXPECTED_DAYS, 'workdays'),
    recovery: readRecovery(item.recovery, `${path}.recovery`, problems),
  };
  const own = Object.fromEntries(Object.entries(item).filter(([key]) => !COMMON_KEYS.includes(key)));
  const before = problems.length;
  const fields = readFields(spec.fields, { ...spec.defaults?.(base, item), ...own }, path, problems);
  const pipeline = { ...fields, ...common } as PipelineDefinition;
  // Cross-field rules only make sense once every field is of its type.
  if (problems.length === before) for (const problem of spec.validate?.(pipeline as never, base) ?? []) problems.push(`${path}.${problem}`);
  return pipeline;
}

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * A pipeline's `recovery` (README "Tickets and recovery"): `{command: [argv...]}` or
 * `{http: {url, method, headers, body}}`, with `max_attempts`, `timeout_seconds` and
 * `recheck_after_minutes`; null when absent.
 */
function readRecovery(raw: unknown, path: string, problems: string[]): RecoverySettings | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${path}: must be a mapping with command: [argv...] or http: {url, method, headers, body}`);
    return null;
  }
  const item = raw as Raw;
  const read = new ItemReader(item, path, problems);
  read.unknownKeys(['command', 'http', 'max_attempts', 'timeout_seconds', 'recheck_after_minutes']);
  const limits = {
    max_attempts: read.number('max_attempts', RECOVERY_DEFAULTS.max_attempts, { integer: true }),
    timeout_seconds: read.number('timeout_seconds', RECOVERY_DEFAULTS.timeout_seconds),
    recheck_after_minutes: read.number('recheck_after_minutes', RECOVERY_DEFAULTS.recheck_after_minutes),
  };
  if (limits.timeout_seconds <= 0) problems.push(`${path}.timeout_seconds: must be more than 0`);
  const before = problems.length;
  if ((item.command === undefined) === (item.http === undefined)) {
    problems.push(`${path}: needs exactly one of command: [argv...] (run without a shell) or http: {url, ...}`);
    return null;
  }
  if (item.command !== undefined) {
    const argv = item.command;
    if (!Array.isArray(argv) || argv.length === 0 || argv.some((arg) => typeof arg !== 'string') || (argv[0] as string).trim() === '') {
      problems.push(`${path}.command: must be a list of strings, the program first (no shell: write ["/opt/etl/rerun", "--today"], not one string), got ${JSON.stringify(argv)}`);
    }
    return problems.length === before ? { command: argv as string[], ...limits } : null;
  }
  const http = item.http;
  if (http === null || typeof http !== 'object' || Array.isArray(http)) {
    problems.push(`${path}.http: must be a mapping with url, and optionally method, headers, body`);
    return null;
  }
  const readHttp = new ItemReader(http as Raw, `${path}.http`, problems);
  readHttp.unknownKeys(['url', 'method', 'headers', 'body']);
  const url = readHttp.string('url');
  if (url && !/^https?:\/\/[^\s]+$/i.test(url)) problems.push(`${path}.http.url: must be an http(s) URL`);
  const method = readHttp.string('method', 'POST').toUpperCase();
  if (!HTTP_METHODS.includes(method)) problems.push(`${path}.http.method: must be one of ${HTTP_METHODS.join(', ')}, got ${JSON.stringify(method)}`);
  const { headers = {}, body = null } = http as Raw;
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers) || Object.values(headers).some((value) => typeof value !== 'string')) {
    problems.push(`${path}.http.headers: must be a mapping of header names to strings`);
  }
  if (body !== null && typeof body !== 'string' && (typeof body !== 'object' || Array.isArray(body))) problems.push(`${path}.http.body: must be a string or a mapping (sent as JSON)`);
  if (problems.length > before) return null;
  return { http: { url, method, headers: headers as Record<string, string>, body: body as RecoveryHttp['body'] }, ...limits };
}

export function readSheets(raw: unknown, problems: string[]): DatamonConfig['google_sheets']['sheets'] {
  const sheets: DatamonConfig['google_sheets']['sheets'] = {};
  for (const [name, value] of Object.entries((raw ?? {}) as Raw)) {
    const path = `google_sheets.sheets.${name}`;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${path}: must be a mapping with spreadsheet_id and max_age_minutes`);
      continue;
    }
    const read = new ItemReader(value as Raw, path, problems);
    read.unknownKeys(['spreadsheet_id', 'max_age_minutes']);
    sheets[name] = {
      spreadsheet_id: read.string('spreadsheet_id'),
      max_age_minutes: read.number('max_age_minutes', 120),
    };
  }
  return sheets;
}

/**
 * The effective pipelines: the defaults, or the file's `pipelines:` list, then `more_pipelines`
 * (README "Pipeline kinds and adding a pipeline"); with the key path of each, for later messages.
 */
export function readPipelines(
  raw: unknown[],
  more: unknown[],
  base: Base,
  problems: string[],
  kinds: CheckRegistry = checkRegistry,
): { pipelines: PipelineDefinition[]; pathOf: (index: number) => string } {
  const pipelines: PipelineDefinition[] = [];
  const paths: string[] = [];
  const seen = new Set<string>();
  const add = (item: unknown, path: string, duplicate: (id: string) => string) => {
    const pipeline = readPipeline(item, path, base, problems, kinds);
    if (!pipeline) return;
    if (seen.has(pipeline.id)) {
      problems.push(`${path}.id: ${duplicate(pipeline.id)}`);
      return;
    }
    seen.add(pipeline.id);
    pipelines.push(pipeline);
    paths.push(path);
  };
  if (raw.length === 0) {
    // The defaults go through the same reader as a user's list, so they get the same defaults.
    for (const item of defaultPipelineItems(base)) add(item, `default pipeline ${String(item.id)}`, (id) => `duplicate pipeline id "${id}"`);
  } else {
    raw.forEach((item, index) => add(item, `pipelines[${index}]`, (id) => `duplicate pipeline id "${id}"`));
  }
  const before = raw.length === 0 ? 'the default pipelines' : 'pipelines:';
  more.forEach((item, index) =>
    add(item, `more_pipelines[${index}]`, (id) => `"${id}" is already a pipeline (in ${before} or earlier in more_pipelines): change it there, or give this one another id`),
  );
  return { pipelines, pathOf: (index) => paths[index] ?? `pipelines[${index}]` };
}

/** `depends_on` of the effective pipelines: unknown ids and cycles, each naming its key. */
export function readDependencies(pipelines: readonly PipelineDefinition[], pathOf: (index: number) => string, problems: string[]): void {
  problems.push(...dependencyProblems(pipelines, pathOf));
}

/**
 * The README's check-ins ("Check-ins and the schedule"), changed or extended by `schedule.checkins.<id>`. A default check-in keeps
 * only the default pipelines that exist (the Sheets ones need `google_sheets.sheets`); a list the
 * user wrote must name existing pipelines. `enabled: false` removes a check-in.
 */
export function readCheckins(raw: unknown, pipelines: PipelineDefinition[], problems: string[]): CheckinDefinition[] {
  const known = new Set(pipelines.map((pipeline) => pipeline.id));
  const byId = new Map<string, CheckinDefinition>(
    DEFAULT_CHECKINS.map((checkin) => [checkin.id, { ...checkin, pipelines: checkin.pipelines.filter((id) => known.has(id)) }]),
  );
  for (const [id, value] of Object.entries((raw ?? {}) as Raw)) {
    const path = `schedule.checkins.${id}`;
    if (!isValidId(id)) problems.push(`${path}: check-in id must be lower-case letters, digits, _ or -`);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${path}: must be a mapping with cron, label and pipelines`);
      continue;
    }
    const item = value as Raw;
    const read = new ItemReader(item, path, problems);
    read.unknownKeys(['cron', 'label', 'pipelines', 'enabled', 'days']);
    if (!read.boolean('enabled', true)) {
      byId.delete(id);
      continue;
    }
    const existing = byId.get(id);
    const cron = read.string('cron', existing?.cron);
    const cronError = cron ? cronProblem(cron) : null;
    if (cronError) problems.push(`${path}.cron: ${cronError}`);
    let list = existing?.pipelines ?? [];
    if (item.pipelines !== undefined) {
      if (!Array.isArray(item.pipelines) || item.pipelines.some((entry) => typeof entry !== 'string')) {
        problems.push(`${path}.pipelines: must be a list of pipeline ids`);
      } else {
        list = item.pipelines as string[];
        for (const pipelineId of list) {
          if (!known.has(pipelineId)) problems.push(`${path}.pipelines: unknown pipeline "${pipelineId}" (known: ${[...known].join(', ')})`);
        }
      }
    } else if (!existing) {
      problems.push(`${path}.pipelines: is required for a new check-in`);
    }
    const days = read.oneOf('days', EXPECTED_DAYS, existing?.days ?? 'workdays');
    byId.set(id, { id, cron, label: read.string('label', existing?.label ?? id), pipelines: list, time: dailyTimeOf(cron), days });
  }
  // A check-in with nothing to check would send an empty "OK" card every day: a mistake, most
  // often default check-ins left on after `pipelines:` replaced the default pipelines.
  for (const checkin of byId.values()) {
    if (checkin.pipelines.length > 0) continue;
    const path = `schedule.checkins.${checkin.id}`;
    const defaults = DEFAULT_CHECKINS.find((candidate) => candidate.id === checkin.id)?.pipelines;
    const why = defaults ? `none of its default pipelines (${defaults.join(', ')}) is configured` : 'its pipelines list is empty';
    problems.push(`${path}: has no pipelines (${why}): list the ones it reports with ${path}.pipelines, or turn it off with ${path}.enabled: false`);
  }
  return [...byId.values()];
}

/**
 * What is worth saying about a valid config (`datamon config check` prints it): settings that
 * are allowed but often not what was meant.
 */
export function configWarnings(explicitPipelines: boolean, checkins: readonly CheckinDefinition[], pipelines: readonly PipelineDefinition[], base: Pick<Base, 'heartbeats'>): string[] {
  const warnings: string[] = [];
  if (explicitPipelines) {
    const kept = DEFAULT_CHECKINS.filter((defaults) => checkins.some((checkin) => checkin.id === defaults.id)).map((checkin) => checkin.id);
    warnings.push(
      `pipelines: this list replaces the default pipelines (${DEFAULT_PIPELINE_IDS.join(', ')}); to add to them, use more_pipelines` +
        (kept.length > 0 ? `; the default check-ins ${kept.join(', ')} still run, with the pipelines of yours they list` : ''),
    );
  }
  const heartbeats = pipelines.filter((pipeline) => pipeline.kind === 'heartbeat').map((pipeline) => pipeline.id);
  if (heartbeats.length > 0 && !base.heartbeats.ping_key) {
    warnings.push(`heartbeats.ping_key: is empty, so every ping is refused (403) and ${heartbeats.join(', ')} will wait for a first ping; set it to a secret of 16 characters or more`);
  }
  return warnings;
}

/** Two heartbeat pipelines cannot share a slug: a ping must name one pipeline. */
export function heartbeatProblems(pipelines: readonly PipelineDefinition[], pathOf: (index: number) => string): string[] {
  const bySlug = new Map<string, string>();
  const problems: string[] = [];
  pipelines.forEach((pipeline, index) => {
    if (pipeline.kind !== 'heartbeat') return;
    const slug = (pipeline as { slug?: string }).slug ?? pipeline.id;
    const other = bySlug.get(slug);
    if (other) problems.push(`${pathOf(index)}.slug: "${slug}" is already the slug of ${other}; each heartbeat needs its own`);
    else bySlug.set(slug, pipeline.id);
  });
  return problems;
}
