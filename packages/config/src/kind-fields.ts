import type { TSchema } from 'typebox';
import { Default, Errors } from 'typebox/value';

/**
 * A kind's fields, validated with its schema: the schema's own defaults, then every problem as
 * one line naming the key (`pipelines[2].expected: must be a local time "HH:MM" (00:00-23:59),
 * got "11.31"`). A schema piece's `expect` says in words what a value must be.
 */
export function readFields(schema: TSchema, item: Record<string, unknown>, path: string, problems: string[]): Record<string, unknown> {
  const value = Default(schema, structuredClone(item)) as Record<string, unknown>;
  const seen = new Set<string>();
  for (const error of Errors(schema, value) as Iterable<ValueError>) {
    // One line per key: a union's branches each complain about the same value.
    const lines = describe(schema, value, error, path);
    for (const line of lines) {
      const key = line.slice(0, line.indexOf(': '));
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(line);
    }
  }
  return value;
}

interface ValueError {
  keyword: string;
  schemaPath: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

function describe(schema: TSchema, value: unknown, error: ValueError, path: string): string[] {
  const key = error.instancePath.split('/').filter(Boolean).join('.');
  const where = key ? `${path}.${key}` : path;
  switch (error.keyword) {
    case 'required':
      return ((error.params.requiredProperties as string[] | undefined) ?? []).map((name) => `${path}.${name}: is required`);
    case 'additionalProperties': {
      // A nested object's own keys (`anomaly.colour`), or the kind's fields at the top.
      const parts = error.schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean).slice(0, -1);
      const owner = schemaAt(schema, parts) ?? schema;
      const allowed = Object.keys((owner as { properties?: object }).properties ?? {});
      const what = key ? `${key} takes` : 'its fields:';
      return ((error.params.additionalProperties as string[] | undefined) ?? []).map(
        (name) => `${where}.${name}: unknown key for this pipeline kind (${what} ${allowed.join(', ')})`,
      );
    }
    case 'boolean':
      // The twin of additionalProperties, reported above.
      return [];
    default: {
      const expect = nearestExpect(schema, error.schemaPath);
      const got = JSON.stringify(valueAt(value, error.instancePath));
      return [`${where}: must be ${expect ?? error.message.replace(/^must (be )?/, '')}, got ${got}`];
    }
  }
}

/** The `expect` of the schema at a path, or of the nearest schema around it that has one. */
function nearestExpect(schema: unknown, pointer: string): string | undefined {
  const parts = pointer.replace(/^#\/?/, '').split('/').filter(Boolean);
  for (let length = parts.length; length >= 0; length -= 1) {
    const expect = schemaAt(schema, parts.slice(0, length))?.expect;
    if (typeof expect === 'string') return expect;
  }
  return undefined;
}

function schemaAt(schema: unknown, parts: readonly string[]): Record<string, unknown> | undefined {
  let node = schema;
  for (const part of parts) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return node && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

function valueAt(value: unknown, pointer: string): unknown {
  let node = value;
  for (const part of pointer.split('/').filter(Boolean)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}
