import {
  type CheckinDefinition,
  type CountWindow,
  type DatamonConfig,
  type PipelineDefinition,
  PIPELINE_KINDS,
  isHHMM,
  isValidId,
} from '@datamon/core';
import { cronProblem, dailyTimeOf } from './cron.ts';
import { DEFAULT_ACTIONS, DEFAULT_CHECKINS, GENERIC_ACTION, defaultPipelines } from './defaults.ts';

/**
 * Item-by-item validation of the free-form subtrees convict cannot describe: `pipelines`,
 * `schedule.checkins` and `google_sheets.sheets`. Every problem is collected, none thrown.
 */

type Raw = Record<string, unknown>;
type Base = Omit<DatamonConfig, 'pipelines' | 'checkins' | 'source'>;

const COMMON_KEYS = ['id', 'name', 'kind', 'action', 'not_before', 'quick_check'];
const KIND_KEYS: Record<string, string[]> = {
  mysql_freshness: ['table', 'column', 'filters', 'warning_hours', 'critical_hours'],
  mysql_count: ['table', 'column', 'window', 'filters', 'critical_below', 'warning_below'],
  file_arrival: ['directory', 'pattern', 'expected', 'deadline', 'header_rows'],
  sheet_updated: ['sheet', 'warning_minutes', 'critical_minutes', 'range'],
};

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

  optionalNumber(key: string, fallback: number | null): number | null {
    const value = this.raw[key];
    if (value === undefined) return fallback;
    if (value === null) return null;
    return this.number(key);
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

  filters(key: string): Record<string, string | number | boolean | null> {
    const value = this.raw[key];
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.fail(key, 'must be a mapping of column to value (no SQL)');
      return {};
    }
    const out: Record<string, string | number | boolean | null> = {};
    for (const [column, item] of Object.entries(value as Raw)) {
      if (item !== null && !['string', 'number', 'boolean'].includes(typeof item)) {
        this.fail(`${key}.${column}`, 'must be a plain value (string, number, true/false or null)');
        continue;
      }
      out[column] = item as string | number | boolean | null;
    }
    return out;
  }

  unknownKeys(allowed: string[]): void {
    for (const key of Object.keys(this.raw)) {
      if (!allowed.includes(key)) this.fail(key, `unknown key for this pipeline kind (allowed: ${allowed.join(', ')})`);
    }
  }
}

function readPipeline(raw: unknown, index: number, base: Base, problems: string[]): PipelineDefinition | null {
  const path = `pipelines[${index}]`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${path}: must be a mapping with id, name, kind and the kind's fields`);
    return null;
  }
  const item = raw as Raw;
  const read = new ItemReader(item, path, problems);
  const id = read.string('id');
  if (id && !isValidId(id)) problems.push(`${path}.id: "${id}" must be lower-case letters, digits, _ or - (at most 64)`);
  const kind = item.kind;
  if (typeof kind !== 'string' || !(PIPELINE_KINDS as readonly string[]).includes(kind)) {
    problems.push(`${path}.kind: unknown pipeline kind ${JSON.stringify(kind)} (known: ${PIPELINE_KINDS.join(', ')})`);
    return null;
  }
  read.unknownKeys([...COMMON_KEYS, ...(KIND_KEYS[kind] ?? [])]);
  const common = {
    id,
    name: read.string('name', id),
    action: read.string('action', DEFAULT_ACTIONS[id] ?? GENERIC_ACTION),
    not_before: read.time('not_before', null),
    quick_check: read.boolean('quick_check', true),
  };
  switch (kind) {
    case 'mysql_freshness':
      return {
        ...common,
        kind,
        table: read.string('table'),
        column: read.string('column'),
        filters: read.filters('filters'),
        warning_hours: read.number('warning_hours', base.thresholds.warning_hours),
        critical_hours: read.number('critical_hours', base.thresholds.data_stale_hours),
      };
    case 'mysql_count': {
      const window = read.string('window', 'all');
      if (!['all', 'today', 'yesterday'].includes(window)) problems.push(`${path}.window: must be all, today or yesterday, got "${window}"`);
      const column = read.optionalString('column');
      if (window !== 'all' && !column) problems.push(`${path}.column: is required when window is ${window}`);
      return {
        ...common,
        kind,
        table: read.string('table'),
        column,
        window: window as CountWindow,
        filters: read.filters('filters'),
        critical_below: read.number('critical_below', 1),
        warning_below: read.optionalNumber('warning_below', null),
      };
    }
    case 'file_arrival': {
      const pipeline = {
        ...common,
        kind,
        directory: read.string('directory', base.monitoring.csv_directory),
        pattern: read.string('pattern'),
        expected: read.time('expected') ?? '00:00',
        deadline: read.time('deadline') ?? '23:59',
        header_rows: read.number('header_rows', 1, { integer: true }),
      } as const;
      if (pipeline.deadline < pipeline.expected) problems.push(`${path}.deadline: ${pipeline.deadline} is before expected ${pipeline.expected}`);
      return pipeline;
    }
    case 'sheet_updated': {
      const sheet = read.string('sheet');
      const configured = base.google_sheets.sheets[sheet];
      if (sheet && !configured) {
        problems.push(`${path}.sheet: "${sheet}" is not configured under google_sheets.sheets`);
      }
      const critical = read.number('critical_minutes', configured?.max_age_minutes ?? 120);
      return {
        ...common,
        kind,
        sheet,
        critical_minutes: critical,
        warning_minutes: read.number('warning_minutes', Math.round(critical / 2)),
        range: read.optionalString('range'),
      };
    }
    default:
      return null;
  }
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

export function readPipelines(raw: unknown[], base: Base, problems: string[]): PipelineDefinition[] {
  if (raw.length === 0) return defaultPipelines(base);
  const pipelines: PipelineDefinition[] = [];
  const seen = new Set<string>();
  raw.forEach((item, index) => {
    const pipeline = readPipeline(item, index, base, problems);
    if (!pipeline) return;
    if (seen.has(pipeline.id)) {
      problems.push(`pipelines[${index}].id: duplicate pipeline id "${pipeline.id}"`);
      return;
    }
    seen.add(pipeline.id);
    pipelines.push(pipeline);
  });
  return pipelines;
}

/**
 * SPEC 4's check-ins, changed or extended by `schedule.checkins.<id>`. A default check-in keeps
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
    read.unknownKeys(['cron', 'label', 'pipelines', 'enabled']);
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
    byId.set(id, { id, cron, label: read.string('label', existing?.label ?? id), pipelines: list, time: dailyTimeOf(cron) });
  }
  return [...byId.values()];
}
