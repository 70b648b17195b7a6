import convict from 'convict';
import { CONFIG_SCHEMA, isValidTimeZone } from '@datamon/core';
import { cronProblem } from '@datamon/core';

/**
 * convict over the one config schema (README "Configuration", `CONFIG_SCHEMA` in core), with the formats it
 * names. Free-form subtrees (`pipelines`, `schedule.checkins`, `google_sheets.sheets`) are
 * checked item by item in `pipelines.ts`.
 */

convict.addFormat({
  name: 'timezone',
  validate(value: unknown) {
    if (typeof value !== 'string' || !isValidTimeZone(value)) throw new Error('must be an IANA time zone such as Europe/London');
  },
});

convict.addFormat({
  name: 'cron',
  validate(value: unknown) {
    if (typeof value !== 'string') throw new Error('must be a cron pattern string');
    const problem = cronProblem(value);
    if (problem) throw new Error(problem);
  },
});

convict.addFormat({
  name: 'string-list',
  validate(value: unknown) {
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw new Error('must be a list of strings');
  },
});

convict.addFormat({
  name: 'token-list',
  validate(value: unknown) {
    const named = (item: unknown) =>
      typeof item === 'object' && item !== null && !Array.isArray(item) && Object.keys(item).every((key) => key === 'name' || key === 'token') &&
      typeof (item as Record<string, unknown>).token === 'string' && typeof (item as Record<string, unknown>).name === 'string' && ((item as Record<string, unknown>).name as string).trim() !== '';
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' && !named(item))) throw new Error('must be a list of tokens, each a string or {name, token}');
  },
});

convict.addFormat({
  name: 'positive-int',
  validate(value: unknown) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error('must be a whole number, 0 or more');
  },
  coerce: (value: unknown) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
});

convict.addFormat({
  name: 'number-value',
  validate(value: unknown) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error('must be a number, 0 or more');
  },
  coerce: (value: unknown) => (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value),
});

convict.addFormat({
  name: 'bool',
  validate(value: unknown) {
    if (typeof value !== 'boolean') throw new Error('must be true or false');
  },
  coerce: (value: unknown) => (value === 'true' ? true : value === 'false' ? false : value),
});

convict.addFormat({
  name: 'free-object',
  validate(value: unknown) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('must be a mapping of names to settings');
  },
});

convict.addFormat({
  name: 'free-list',
  validate(value: unknown) {
    if (!Array.isArray(value)) throw new Error('must be a list');
  },
});

/** The schema itself is core's `CONFIG_SCHEMA`, from which `DatamonConfig` is derived. */
export const schema = CONFIG_SCHEMA;

export function createConvict() {
  return convict(schema);
}

/** Dotted keys of the schema's `sensitive` leaves: their values are never quoted back. */
export function sensitiveKeys(node: object = schema, prefix = ''): string[] {
  const keys: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (!value || typeof value !== 'object') continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (!('default' in value)) keys.push(...sensitiveKeys(value as Record<string, unknown>, path));
    else if ((value as { sensitive?: unknown }).sensitive === true) keys.push(path);
  }
  return keys;
}

/** Dotted keys of the schema's leaves, for "did you mean" hints. */
export function schemaKeys(node: object = schema, prefix = ''): string[] {
  const keys: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object' && !('default' in value)) keys.push(path, ...schemaKeys(value as Record<string, unknown>, path));
    else keys.push(path);
  }
  return keys;
}
