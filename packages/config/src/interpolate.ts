import { readFileSync } from 'node:fs';

/**
 * `${VAR}` and `${VAR:-default}` in every string of a parsed document, from the environment.
 * `${VAR}` with VAR unset but `VAR_FILE` set reads the secret from that file (Docker secrets).
 * An unset variable without a default is a problem naming the key and the variable.
 */
export function interpolate(
  value: unknown,
  env: NodeJS.ProcessEnv,
  problems: string[],
  path: string[] = [],
): unknown {
  if (typeof value === 'string') return interpolateString(value, env, problems, path.join('.'));
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, env, problems, [...path, String(index)]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = interpolate(item, env, problems, [...path, key]);
    return out;
  }
  return value;
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

function interpolateString(text: string, env: NodeJS.ProcessEnv, problems: string[], key: string): string {
  return text.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
    const direct = env[name];
    if (direct !== undefined && direct !== '') return direct;
    const file = env[`${name}_FILE`];
    if (file) {
      try {
        return readFileSync(file, 'utf8').trim();
      } catch (err) {
        problems.push(`${key}: cannot read ${name}_FILE (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
        return '';
      }
    }
    if (fallback !== undefined) return fallback;
    if (direct === '') return '';
    problems.push(`${key}: environment variable ${name} is not set (use \${${name}:-default} for an optional one)`);
    return '';
  });
}
