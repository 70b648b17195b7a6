import type { DatamonConfig } from './config-schema.ts';

/**
 * What a config reload changes (README "Reloading the config"), pure: the pipelines added,
 * removed and changed (by id), the check-ins likewise, the other settings that changed (by key
 * path), and those that only a restart can apply.
 */

export interface ConfigDiff {
  added: string[];
  removed: string[];
  changed: string[];
  checkins: { added: string[]; removed: string[]; changed: string[] };
  /** Other keys whose value changed (`thresholds`, `escalation.after_minutes`...). */
  settings: string[];
  /** Changed keys a running process cannot take: where Redis is, where the API listens, where logs go. */
  restartOnly: string[];
}

/** Keys (and sections) that only a restart applies. */
export const RESTART_ONLY_KEYS: readonly string[] = ['redis', 'dashboard.host', 'dashboard.port', 'monitoring.log_directory'];

/** Keys compared item by item above, or that describe where the config came from. */
const ITEMISED = new Set(['pipelines', 'checkins', 'source', 'more_pipelines']);

type Config = Pick<DatamonConfig, 'pipelines' | 'checkins'> & Record<string, unknown>;

export function configDiff(before: Config, after: Config): ConfigDiff {
  const byId = <T extends { id: string }>(items: readonly T[]) => new Map(items.map((item) => [item.id, JSON.stringify(item)]));
  const compare = (old: Map<string, string>, next: Map<string, string>) => ({
    added: [...next.keys()].filter((id) => !old.has(id)),
    removed: [...old.keys()].filter((id) => !next.has(id)),
    changed: [...next.keys()].filter((id) => old.has(id) && old.get(id) !== next.get(id)),
  });
  const pipelines = compare(byId(before.pipelines), byId(after.pipelines));
  const checkins = compare(byId(before.checkins), byId(after.checkins));
  const settings = changedKeys(before, after, '').filter((key) => !ITEMISED.has(key.split('.')[0] ?? ''));
  const restartOnly = settings.filter((key) => RESTART_ONLY_KEYS.some((prefix) => key === prefix || key.startsWith(`${prefix}.`)));
  return { ...pipelines, checkins, settings, restartOnly };
}

/** Leaf key paths whose values differ; arrays and the free-form sections compare whole. */
function changedKeys(before: unknown, after: unknown, path: string): string[] {
  const isSection = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (isSection(before) && isSection(after) && path.split('.').length < 3) {
    const keys = new Set([...Object.keys(before as object), ...Object.keys(after as object)]);
    return [...keys].flatMap((key) => changedKeys((before as Record<string, unknown>)[key], (after as Record<string, unknown>)[key], path ? `${path}.${key}` : key));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [path];
}
