import { CONFIG_SCHEMA, type DatamonConfig } from '@datamon/core';

export const MASK = '********';

/** A URL with its credentials and every query value masked: the webhook's key and token. */
export function maskUrl(url: string): string {
  if (!url) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = MASK;
    for (const key of [...parsed.searchParams.keys()]) parsed.searchParams.set(key, MASK);
    return decodeURI(parsed.toString());
  } catch {
    return MASK;
  }
}

const maskValue = (value: string): string => (value ? MASK : '');

interface Leaf {
  sensitive?: boolean;
  doc?: string;
  default?: unknown;
}

const isLeaf = (node: unknown): node is Leaf => typeof node === 'object' && node !== null && 'doc' in node && 'default' in node;

/** The paths of every secret key, from the schema's `sensitive` marks (one place decides what is secret). */
function sensitivePaths(node: Record<string, unknown> = CONFIG_SCHEMA, prefix: string[] = []): string[][] {
  return Object.entries(node).flatMap(([key, child]) => {
    if (isLeaf(child)) return child.sensitive ? [[...prefix, key]] : [];
    return typeof child === 'object' && child !== null ? sensitivePaths(child as Record<string, unknown>, [...prefix, key]) : [];
  });
}

const SENSITIVE = sensitivePaths();
const isUrlKey = (path: readonly string[]) => /url$/.test(path.at(-1) ?? '');

/** A named token (`{name, token}`, README "HTTP API") keeps its name; only the token is secret. */
const isNamedToken = (value: unknown): value is { name: string; token: string } => typeof value === 'object' && value !== null && 'token' in value;

/** What a secret is written as: its mask by default, or a `${VAR}` placeholder (`configDocument`). */
export type SecretReplacer = (path: readonly string[], value: string) => string;

/** The mask: `********`, or for a URL its credentials and query values masked (its host stays). */
const maskSecret: SecretReplacer = (path, value) => (isUrlKey(path) ? maskUrl(value) : maskValue(value));

function maskOne(path: readonly string[], value: unknown, replace: SecretReplacer): unknown {
  if (Array.isArray(value)) {
    return value.map((item, index) =>
      isNamedToken(item) ? { ...item, token: replace([...path, String(index), 'token'], item.token) || MASK } : replace([...path, String(index)], String(item)) || MASK,
    );
  }
  if (typeof value !== 'string' || value === '') return value;
  return replace(path, value);
}

/**
 * The effective config with every secret replaced (each key the schema marks sensitive, and the
 * headers of HTTP recovery actions): masked by default, what `config check` prints and logs may show.
 */
export function maskConfig(config: DatamonConfig, replace: SecretReplacer = maskSecret): DatamonConfig {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  for (const path of SENSITIVE) {
    let parent: Record<string, unknown> | undefined = copy;
    for (const key of path.slice(0, -1)) parent = parent?.[key] as Record<string, unknown> | undefined;
    const last = path.at(-1) as string;
    if (parent && last in parent) parent[last] = maskOne(path, parent[last], replace);
  }
  // A recovery request's headers carry its credentials (README "Tickets and recovery").
  for (const pipeline of (copy as unknown as DatamonConfig).pipelines ?? []) {
    if (!pipeline.recovery || !('http' in pipeline.recovery)) continue;
    const headers = pipeline.recovery.http.headers;
    for (const name of Object.keys(headers)) headers[name] = maskOne(['pipelines', pipeline.id, 'recovery', 'headers', name], headers[name] ?? '', replace) as string;
  }
  return copy as unknown as DatamonConfig;
}

/** Every secret value in a config (and a URL secret's credentials and query values), to assert none appears in output. */
export function secretValues(config: DatamonConfig): string[] {
  const values: string[] = [];
  for (const path of SENSITIVE) {
    let node: unknown = config;
    for (const key of path) node = (node as Record<string, unknown> | undefined)?.[key];
    for (const item of Array.isArray(node) ? node : [node]) {
      const value = isNamedToken(item) ? item.token : item;
      if (typeof value !== 'string' || !value) continue;
      if (!isUrlKey(path)) {
        values.push(value);
        continue;
      }
      try {
        // A URL's secrets are its password and query values; its host may be shown.
        const url = new URL(value);
        values.push(...url.searchParams.values());
        if (url.password) values.push(decodeURIComponent(url.password));
      } catch {
        values.push(value);
      }
    }
  }
  for (const headers of recoveryHeaders(config)) values.push(...Object.values(headers));
  return values.filter((value) => value.length >= 4);
}

/** The headers of every pipeline's HTTP recovery action. */
function recoveryHeaders(config: DatamonConfig): Record<string, string>[] {
  return (config.pipelines ?? []).flatMap((pipeline) => (pipeline.recovery && 'http' in pipeline.recovery ? [pipeline.recovery.http.headers] : []));
}
