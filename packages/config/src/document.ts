import type { DatamonConfig } from '@datamon/core';
import { DEFAULT_CHECKINS } from './defaults.ts';
import { maskConfig } from './mask.ts';

/**
 * The effective config as a file that loads again (`datamon config check`, README "Command
 * line"): every key with its value, the check-ins under `schedule.checkins`, the pipelines as one
 * explicit list, the Redis topology not in use left out, and each secret written as a `${VAR}`
 * placeholder (named after its key) so the file carries none and loads once they are set.
 */
export interface ConfigDocument {
  document: Record<string, unknown>;
  /** The variables the placeholders name, in order: set them (or `<VAR>_FILE`) to load the document. */
  variables: string[];
}

/** `dashboard.auth.tokens.0` -> `DATAMON_DASHBOARD_AUTH_TOKENS_0`. */
export function secretVariable(path: readonly string[]): string {
  return `DATAMON_${path.join('_').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()}`;
}

export function configDocument(config: DatamonConfig): ConfigDocument {
  const variables: string[] = [];
  const placeheld = maskConfig(config, (path, value) => {
    // A URL without credentials or a query (a plain redis:// address) holds no secret.
    if (/url$/.test(path.at(-1) ?? '') && isPlainUrl(value)) return value;
    const name = secretVariable(path);
    variables.push(name);
    return `\${${name}}`;
  });
  const { source: _source, warnings: _warnings, checkins, schedule, pipelines, redis, ...rest } = placeheld as DatamonConfig & { warnings?: string[] };
  const { sentinel, cluster, ...redisRest } = redis;
  return {
    document: {
      ...rest,
      redis: {
        ...redisRest,
        ...(sentinel.nodes.length > 0 ? { sentinel } : {}),
        ...(cluster.nodes.length > 0 ? { cluster } : {}),
      },
      schedule: {
        ...schedule,
        checkins: {
          ...Object.fromEntries(checkins.map(({ id, cron, label, pipelines: ids, days }) => [id, { cron, label, pipelines: ids, days }])),
          // A default check-in the config turned off stays off.
          ...Object.fromEntries(DEFAULT_CHECKINS.filter(({ id }) => !checkins.some((checkin) => checkin.id === id)).map(({ id }) => [id, { enabled: false }])),
        },
      },
      // The kind decides a pipeline's group; `recovery: null` is the same as none.
      pipelines: pipelines.map(({ group: _group, recovery, ...pipeline }) => (recovery ? { ...pipeline, recovery } : pipeline)),
    },
    variables,
  };
}

function isPlainUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.password === '' && url.username === '' && url.search === '';
  } catch {
    return false;
  }
}
