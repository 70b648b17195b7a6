import type { AnyCheckKind } from './check-kind.ts';
import { DuplicateCheckKindError, UnknownCheckKindError } from './errors/index.ts';
import { fileArrival } from './kinds/file-arrival.ts';
import { heartbeat } from './kinds/heartbeat.ts';
import { mysqlCount } from './kinds/mysql-count.ts';
import { mysqlFreshness } from './kinds/mysql-freshness.ts';
import { sheetUpdated } from './kinds/sheet-updated.ts';

/**
 * Every check kind, one line each: adding a kind is adding a file in `kinds/` (its fields schema
 * and its check) and a line here. The config loader reads each kind's fields from here.
 */
export const CHECK_KINDS: readonly AnyCheckKind[] = [mysqlFreshness, mysqlCount, fileArrival, sheetUpdated, heartbeat] as readonly AnyCheckKind[];

export interface CheckRegistry {
  /** The kind's implementation; throws `UnknownCheckKindError` for a kind nobody implements. */
  get(kind: string): AnyCheckKind;
  /** The kind, or undefined (the config loader reports an unknown kind itself). */
  find(kind: string): AnyCheckKind | undefined;
  kinds(): string[];
}

/**
 * A registry over `kinds`. Throws `DuplicateCheckKindError` when two claim the same name, so a
 * copy-paste slip fails at start-up rather than silently shadowing a kind.
 */
export function createRegistry(kinds: readonly AnyCheckKind[]): CheckRegistry {
  const byName = new Map<string, AnyCheckKind>();
  for (const kind of kinds) {
    if (byName.has(kind.kind)) throw new DuplicateCheckKindError(kind.kind);
    byName.set(kind.kind, kind);
  }
  return {
    get(kind) {
      const found = byName.get(kind);
      if (!found) throw new UnknownCheckKindError(kind, [...byName.keys()]);
      return found;
    },
    find: (kind) => byName.get(kind),
    kinds: () => [...byName.keys()],
  };
}

/** The registry of the built-in kinds. */
export const checkRegistry: CheckRegistry = createRegistry(CHECK_KINDS);
