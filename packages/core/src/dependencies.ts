import type { Status } from './status.ts';

/**
 * Pipelines that depend on others (README "Dependencies"): when an upstream is CRITICAL, what
 * fails below it is the same failure seen from another table, so it is told once, by the root.
 * Pure: the graph is built from the config, statuses are passed in.
 */

export interface DependencyGraph {
  /** Each pipeline's direct upstreams (`depends_on`), in the config's order. */
  readonly upstream: ReadonlyMap<string, readonly string[]>;
  /** Each pipeline's direct downstreams. */
  readonly downstream: ReadonlyMap<string, readonly string[]>;
  /** Whether any pipeline depends on another (nothing to do otherwise). */
  readonly any: boolean;
}

/** The graph of `depends_on`, ids unknown to it ignored (the config loader refuses them). */
export function dependencyGraph(pipelines: readonly { id: string; depends_on?: readonly string[] }[]): DependencyGraph {
  const known = new Set(pipelines.map((pipeline) => pipeline.id));
  const upstream = new Map<string, string[]>();
  const downstream = new Map<string, string[]>();
  for (const pipeline of pipelines) {
    const ups = (pipeline.depends_on ?? []).filter((id) => known.has(id) && id !== pipeline.id);
    upstream.set(pipeline.id, ups);
    for (const up of ups) downstream.set(up, [...(downstream.get(up) ?? []), pipeline.id]);
  }
  return { upstream, downstream, any: [...upstream.values()].some((ups) => ups.length > 0) };
}

const graphs = new WeakMap<readonly object[], DependencyGraph>();

/** {@link dependencyGraph}, built once per pipelines array (a config's list never changes). */
export function graphOf(pipelines: readonly { id: string; depends_on?: readonly string[] }[]): DependencyGraph {
  let graph = graphs.get(pipelines);
  if (!graph) {
    graph = dependencyGraph(pipelines);
    graphs.set(pipelines, graph);
  }
  return graph;
}

function walk(start: string, next: (id: string) => readonly string[]): string[] {
  const seen = new Set<string>([start]);
  const order: string[] = [];
  const queue = [...next(start)];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    order.push(id);
    queue.push(...next(id));
  }
  return order;
}

/** Every pipeline `id` depends on, directly or not, nearest first. */
export function ancestors(graph: DependencyGraph, id: string): string[] {
  return walk(id, (node) => graph.upstream.get(node) ?? []);
}

/** Every pipeline that depends on `id`, directly or not, nearest first. */
export function descendants(graph: DependencyGraph, id: string): string[] {
  return walk(id, (node) => graph.downstream.get(node) ?? []);
}

/**
 * The root that blocks `id`: among its upstreams (transitively) that are CRITICAL, the most
 * upstream one (one with no CRITICAL upstream of its own); null when none is CRITICAL. Only a
 * CRITICAL upstream blocks: a WARNING one does not.
 */
export function blockingRoot(graph: DependencyGraph, id: string, statusOf: (id: string) => Status | null): string | null {
  const critical = ancestors(graph, id).filter((ancestor) => statusOf(ancestor) === 'CRITICAL');
  if (critical.length === 0) return null;
  const isTop = (candidate: string) => !ancestors(graph, candidate).some((above) => statusOf(above) === 'CRITICAL');
  return critical.filter(isTop).at(-1) ?? critical.at(-1) ?? null;
}

/** The pipelines a root blocks now: its failing descendants whose blocking root it is. */
export function blockedBy(graph: DependencyGraph, root: string, statusOf: (id: string) => Status | null): string[] {
  if (statusOf(root) !== 'CRITICAL') return [];
  return descendants(graph, root).filter((id) => {
    const status = statusOf(id);
    return (status === 'WARNING' || status === 'CRITICAL') && blockingRoot(graph, id, statusOf) === root;
  });
}

/**
 * Config problems of `depends_on`: an unknown id, a pipeline depending on itself, a cycle; each
 * as `pipelines[i].depends_on: ...` (or the path the caller gives per pipeline).
 */
export function dependencyProblems(pipelines: readonly { id: string; depends_on?: readonly string[] }[], pathOf: (index: number) => string): string[] {
  const problems: string[] = [];
  const known = new Set(pipelines.map((pipeline) => pipeline.id));
  pipelines.forEach((pipeline, index) => {
    for (const up of pipeline.depends_on ?? []) {
      if (up === pipeline.id) problems.push(`${pathOf(index)}.depends_on: "${up}" is the pipeline itself`);
      else if (!known.has(up)) problems.push(`${pathOf(index)}.depends_on: unknown pipeline "${up}" (known: ${[...known].join(', ')})`);
    }
  });
  const graph = dependencyGraph(pipelines);
  const reported = new Set<string>();
  pipelines.forEach((pipeline, index) => {
    if (reported.has(pipeline.id)) return;
    const cycle = cycleFrom(graph, pipeline.id);
    if (!cycle) return;
    for (const id of cycle) reported.add(id);
    problems.push(`${pathOf(index)}.depends_on: a cycle (${[...cycle, cycle[0]].join(' -> ')}): a pipeline cannot wait for itself`);
  });
  return problems;
}

/** A cycle through `start` (its ids in order), or null. */
function cycleFrom(graph: DependencyGraph, start: string): string[] | null {
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (id: string): string[] | null => {
    if (onPath.has(id)) return id === start ? [...path] : null;
    if (path.length > graph.upstream.size) return null;
    path.push(id);
    onPath.add(id);
    for (const up of graph.upstream.get(id) ?? []) {
      const found = visit(up);
      if (found) return found;
    }
    path.pop();
    onPath.delete(id);
    return null;
  };
  return visit(start);
}

/** What the blocking decision reads of a pipeline: its latest status and since when it has had it. */
export interface DependencyState {
  status: Status | null;
  /** When the current status began (ISO). */
  since: string;
}

/** A pipeline whose root recovered waits at most this long for its own fresh check before it is unblocked anyway. */
export const UNBLOCK_WAIT_MS = 10 * 60_000;

/**
 * The root blocking `id` for the event being applied: the most upstream CRITICAL pipeline it
 * depends on; or, when its old root (`previous`) is no longer CRITICAL, still that root until a
 * result of `id` checked since the root recovered arrives (or {@link UNBLOCK_WAIT_MS} passed), so
 * a pipeline is never unblocked, and alerted, on a result from before the fix.
 *
 * @param stateOf - latest status of any pipeline (null when never checked)
 * @param previous - the root its incident is blocked by now, or null
 * @param resultCheckedAt - the `checkedAt` of the result being applied, null for other events
 */
export function blockingNow(
  graph: DependencyGraph,
  id: string,
  stateOf: (id: string) => DependencyState | null,
  previous: string | null,
  resultCheckedAt: string | null,
  now: Date,
): string | null {
  const root = blockingRoot(graph, id, (candidate) => stateOf(candidate)?.status ?? null);
  if (root !== null || previous === null) return root;
  const freedAt = stateOf(previous)?.since;
  if (freedAt === undefined) return null;
  if (resultCheckedAt !== null && Date.parse(resultCheckedAt) >= Date.parse(freedAt)) return null;
  return now.getTime() - Date.parse(freedAt) >= UNBLOCK_WAIT_MS ? null : previous;
}

/**
 * What the incident rule needs to know of dependencies for one event of `id`
 * (`IncidentInput.blockedBy` and `.affects`): the root blocking it, and the pipelines it blocks.
 *
 * @param stateOf - the latest state of any pipeline; for a result event, `id`'s own is that result
 * @param blockedNow - the root its open incident is blocked by now, or null
 * @param resultCheckedAt - the `checkedAt` of a result event, null for other events
 */
export function dependencyInput(
  graph: DependencyGraph,
  id: string,
  stateOf: (id: string) => DependencyState | null,
  blockedNow: string | null,
  resultCheckedAt: string | null,
  now: Date,
): { blockedBy: string | null; affects: string[] } {
  if (!graph.any) return { blockedBy: null, affects: [] };
  return {
    blockedBy: blockingNow(graph, id, stateOf, blockedNow, resultCheckedAt, now),
    affects: blockedBy(graph, id, (candidate) => stateOf(candidate)?.status ?? null),
  };
}

/** Every pipeline whose state decides what `id` is blocked by and what it blocks. */
export function dependencyNeighbourhood(graph: DependencyGraph, id: string): string[] {
  const below = descendants(graph, id);
  const out = new Set<string>([id, ...ancestors(graph, id), ...below]);
  for (const down of below) for (const up of ancestors(graph, down)) out.add(up);
  return [...out];
}

/**
 * Splits pipeline ids into parts of about `size`, never parting pipelines connected by
 * dependencies: a root and what it blocks are then checked, and judged, in one batch, so the
 * root's first alert lists them.
 */
export function packParts(graph: DependencyGraph, ids: readonly string[], size: number): string[][] {
  const wanted = new Set(ids);
  const placed = new Set<string>();
  const groups: string[][] = [];
  for (const id of ids) {
    if (placed.has(id)) continue;
    const group: string[] = [];
    const queue = [id];
    while (queue.length > 0) {
      const next = queue.shift() as string;
      if (placed.has(next) || !wanted.has(next)) continue;
      placed.add(next);
      group.push(next);
      queue.push(...(graph.upstream.get(next) ?? []), ...(graph.downstream.get(next) ?? []));
    }
    groups.push(group);
  }
  const parts: string[][] = [];
  let current: string[] = [];
  for (const group of groups) {
    if (current.length > 0 && current.length + group.length > size) {
      parts.push(current);
      current = [];
    }
    current.push(...group);
  }
  if (current.length > 0) parts.push(current);
  return parts;
}
