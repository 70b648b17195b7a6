import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ancestors,
  blockedBy,
  blockingNow,
  blockingRoot,
  type CheckResult,
  dependencyGraph,
  dependencyInput,
  dependencyNeighbourhood,
  dependencyProblems,
  descendants,
  evaluateIncident,
  type IncidentNotification,
  type IncidentRecord,
  incidentSettings,
  packParts,
  type Status,
  UNBLOCK_WAIT_MS,
} from '../src/index.ts';

/**
 * Dependencies (README "Dependencies"): the graph, the blocking decision, and rows R29-R37 of the
 * incident rule, played over several pipelines the way the alert worker applies them: results of
 * a round are stored first, then each pipeline's event is applied with what
 * {@link dependencyInput} says about its upstreams and downstreams.
 */

const T0 = Date.parse('2026-03-30T07:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();

const DEFAULTS = [
  { id: 'etl_calls', name: 'ETL Calls', depends_on: [] },
  { id: 'first_calls', name: 'First Calls', depends_on: ['etl_calls'] },
  { id: 'call_volume', name: 'Call Volume', depends_on: ['etl_calls'] },
  { id: 'operators', name: 'Operators', depends_on: [] },
];

describe('the dependency graph', () => {
  const chain = [
    { id: 'extract', depends_on: [] },
    { id: 'load', depends_on: ['extract'] },
    { id: 'report', depends_on: ['load'] },
    { id: 'side', depends_on: [] },
  ];

  it('lists what a pipeline depends on and what depends on it, nearest first', () => {
    const graph = dependencyGraph(chain);
    assert.deepEqual(ancestors(graph, 'report'), ['load', 'extract']);
    assert.deepEqual(descendants(graph, 'extract'), ['load', 'report']);
    assert.deepEqual(ancestors(graph, 'side'), []);
    assert.equal(graph.any, true);
    assert.equal(dependencyGraph([{ id: 'a' }, { id: 'b' }]).any, false);
  });

  it('names the most upstream CRITICAL pipeline as the root, and only a CRITICAL one blocks', () => {
    const graph = dependencyGraph(chain);
    const statuses: Record<string, Status> = { extract: 'CRITICAL', load: 'CRITICAL', report: 'WARNING' };
    assert.equal(blockingRoot(graph, 'report', (id) => statuses[id] ?? null), 'extract');
    assert.equal(blockingRoot(graph, 'load', (id) => statuses[id] ?? null), 'extract');
    const warningAbove: Record<string, Status> = { extract: 'WARNING', load: 'CRITICAL', report: 'CRITICAL' };
    assert.equal(blockingRoot(graph, 'report', (id) => warningAbove[id] ?? null), 'load');
    const onlyWarning: Record<string, Status> = { extract: 'WARNING', report: 'CRITICAL' };
    assert.equal(blockingRoot(graph, 'report', (id) => onlyWarning[id] ?? null), null);
  });

  it('says which failing pipelines a root blocks: those whose root it is', () => {
    const graph = dependencyGraph(chain);
    const statuses: Record<string, Status> = { extract: 'CRITICAL', load: 'CRITICAL', report: 'WARNING' };
    assert.deepEqual(blockedBy(graph, 'extract', (id) => statuses[id] ?? null), ['load', 'report']);
    assert.deepEqual(blockedBy(graph, 'load', (id) => statuses[id] ?? null), []);
    const okBelow: Record<string, Status> = { extract: 'CRITICAL', load: 'OK', report: 'PENDING' };
    assert.deepEqual(blockedBy(graph, 'extract', (id) => okBelow[id] ?? null), []);
  });

  it('reads every pipeline around one: its upstreams, downstreams and their other upstreams', () => {
    const graph = dependencyGraph([
      { id: 'a', depends_on: [] },
      { id: 'b', depends_on: [] },
      { id: 'c', depends_on: ['a', 'b'] },
      { id: 'd', depends_on: [] },
    ]);
    assert.deepEqual(new Set(dependencyNeighbourhood(graph, 'a')), new Set(['a', 'c', 'b']));
    assert.deepEqual(dependencyNeighbourhood(graph, 'd'), ['d']);
  });

  it('keeps pipelines that depend on each other in one part of the quick check', () => {
    const graph = dependencyGraph(DEFAULTS);
    const parts = packParts(graph, ['etl_calls', 'operators', 'first_calls', 'call_volume'], 2);
    assert.deepEqual(parts, [['etl_calls', 'first_calls', 'call_volume'], ['operators']]);
    assert.deepEqual(packParts(dependencyGraph([{ id: 'a' }, { id: 'b' }, { id: 'c' }]), ['a', 'b', 'c'], 2), [['a', 'b'], ['c']]);
  });
});

describe('depends_on in the config', () => {
  const path = (index: number) => `pipelines[${index}]`;

  it('refuses an unknown id, naming the key and the known ids', () => {
    const problems = dependencyProblems([{ id: 'a', depends_on: ['nope'] }, { id: 'b' }], path);
    assert.deepEqual(problems, ['pipelines[0].depends_on: unknown pipeline "nope" (known: a, b)']);
  });

  it('refuses a pipeline depending on itself', () => {
    assert.deepEqual(dependencyProblems([{ id: 'a', depends_on: ['a'] }], path), ['pipelines[0].depends_on: "a" is the pipeline itself']);
  });

  it('refuses a cycle once, naming it', () => {
    const problems = dependencyProblems(
      [
        { id: 'a', depends_on: ['c'] },
        { id: 'b', depends_on: ['a'] },
        { id: 'c', depends_on: ['b'] },
      ],
      path,
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0] as string, /^pipelines\[0\]\.depends_on: a cycle \(a -> c -> b -> a\)/);
  });

  it('accepts a diamond', () => {
    const diamond = [
      { id: 'a', depends_on: [] },
      { id: 'b', depends_on: ['a'] },
      { id: 'c', depends_on: ['a'] },
      { id: 'd', depends_on: ['b', 'c'] },
    ];
    assert.deepEqual(dependencyProblems(diamond, path), []);
  });
});

describe('blocking while the root recovers', () => {
  const graph = dependencyGraph(DEFAULTS);
  const state = (status: Status, since: number) => ({ status, since: iso(since) });

  it('stays blocked by the old root until a result checked since its recovery arrives', () => {
    const states: Record<string, { status: Status; since: string }> = { etl_calls: state('OK', 30), call_volume: state('WARNING', 0) };
    const stateOf = (id: string) => states[id] ?? null;
    assert.equal(blockingNow(graph, 'call_volume', stateOf, 'etl_calls', null, at(31)), 'etl_calls', 'a tick before the recheck');
    assert.equal(blockingNow(graph, 'call_volume', stateOf, 'etl_calls', iso(20), at(31)), 'etl_calls', 'a result from before the fix');
    assert.equal(blockingNow(graph, 'call_volume', stateOf, 'etl_calls', iso(30), at(31)), null, 'a result checked with the fix');
  });

  it('is unblocked anyway once the wait for its own check is over', () => {
    const states: Record<string, { status: Status; since: string }> = { etl_calls: state('OK', 30) };
    const later = new Date(at(30).getTime() + UNBLOCK_WAIT_MS);
    assert.equal(blockingNow(graph, 'call_volume', (id) => states[id] ?? null, 'etl_calls', null, later), null);
  });
});

// ---------------------------------------------------------------- the rule over several pipelines

const SETTINGS = incidentSettings({ escalation: { after_minutes: 60, repeat_minutes: 0, send_resolved: true } });

/** Plays the check and alert workers over the default pipelines (see packages/jobs incidents.ts). */
class Warehouse {
  readonly graph = dependencyGraph(DEFAULTS);
  readonly latest = new Map<string, { status: Status; since: string; checkedAt: string }>();
  readonly incidents = new Map<string, IncidentRecord>();
  readonly sent: IncidentNotification[] = [];

  /** A round: every result stored first, then each pipeline's evaluation in `order`. */
  round(minutes: number, statuses: Record<string, Status>, order = Object.keys(statuses)): IncidentNotification[] {
    for (const [id, status] of Object.entries(statuses)) this.store(id, status, minutes);
    return order.flatMap((id) => this.apply(id, { type: 'result', result: this.result(id, statuses[id] as Status, minutes) }, minutes));
  }

  tick(minutes: number): IncidentNotification[] {
    return [...this.incidents.keys()].flatMap((id) => this.apply(id, { type: 'tick' }, minutes));
  }

  private store(id: string, status: Status, minutes: number): void {
    const previous = this.latest.get(id);
    const since = previous && previous.status === status ? previous.since : iso(minutes);
    this.latest.set(id, { status, since, checkedAt: iso(minutes) });
  }

  private result(id: string, status: Status, minutes: number): CheckResult {
    return { pipelineId: id, status, value: status === 'OK' ? 100 : 0, message: `${id} ${status}`, checkedAt: iso(minutes), details: {}, durationMs: 1 };
  }

  private apply(id: string, event: Parameters<typeof evaluateIncident>[1]['event'], minutes: number): IncidentNotification[] {
    const previous = this.incidents.get(id) ?? null;
    const open = previous && previous.closedAt === null ? previous : null;
    const stateOf = (candidate: string) => this.latest.get(candidate) ?? null;
    const checkedAt = event.type === 'result' ? event.result.checkedAt : null;
    const { blockedBy: root, affects } = dependencyInput(this.graph, id, stateOf, open?.blockedBy ?? null, checkedAt, at(minutes));
    const name = DEFAULTS.find((pipeline) => pipeline.id === id)?.name ?? id;
    const decision = evaluateIncident(previous, { pipeline: { id, name }, silencedUntil: null, blockedBy: root, affects, event }, at(minutes), SETTINGS);
    if (decision.next) this.incidents.set(id, decision.next);
    this.sent.push(...decision.notifications);
    return decision.notifications;
  }
}

const said = (sent: readonly IncidentNotification[]) => sent.map((n) => `${n.pipelineId} ${n.kind}:${n.channel}${n.reason === 'unblocked' ? ' (unblocked)' : ''}`);

describe('the incident rule with dependencies', () => {
  describe('R29 and R37 when the ETL and what it feeds fail in the same round', () => {
    it('sends one alert, from the root, listing the others; they open blocked and send nothing', () => {
      const w = new Warehouse();
      const sent = w.round(0, { first_calls: 'CRITICAL', call_volume: 'WARNING', etl_calls: 'CRITICAL' });
      assert.deepEqual(said(sent), ['etl_calls critical:chat', 'etl_calls critical:email']);
      assert.deepEqual(sent[0]?.incident.affects, ['first_calls', 'call_volume']);
      assert.equal(w.incidents.get('call_volume')?.blockedBy, 'etl_calls');
      assert.equal(w.incidents.get('call_volume')?.held, 'blocked');
      assert.equal(w.incidents.get('first_calls')?.blockedBy, 'etl_calls');
    });
  });

  describe('R29 when the root failed first and a downstream fails later', () => {
    it('opens the downstream blocked, sends nothing, and lists it in the root\'s escalation', () => {
      const w = new Warehouse();
      w.round(0, { etl_calls: 'CRITICAL', call_volume: 'OK' });
      assert.deepEqual(said(w.round(10, { etl_calls: 'CRITICAL', call_volume: 'WARNING' })), []);
      assert.equal(w.incidents.get('call_volume')?.blockedBy, 'etl_calls');
      assert.deepEqual(w.incidents.get('etl_calls')?.affects, ['call_volume']);
      const escalation = w.tick(60);
      assert.deepEqual(said(escalation), ['etl_calls escalation:chat', 'etl_calls escalation:email']);
      assert.deepEqual(escalation[0]?.incident.affects, ['call_volume']);
    });
  });

  describe('R30 when a downstream alerted first and its upstream turns CRITICAL later', () => {
    it('blocks the downstream without a second alert, and the root\'s card lists it', () => {
      const w = new Warehouse();
      assert.deepEqual(said(w.round(0, { etl_calls: 'OK', call_volume: 'WARNING' })), ['call_volume warning:chat']);
      const sent = w.round(5, { etl_calls: 'CRITICAL', call_volume: 'WARNING' }, ['call_volume', 'etl_calls']);
      assert.deepEqual(said(sent), ['etl_calls critical:chat', 'etl_calls critical:email']);
      assert.deepEqual(sent[0]?.incident.affects, ['call_volume']);
      assert.equal(w.incidents.get('call_volume')?.blockedBy, 'etl_calls');
      assert.equal(w.incidents.get('call_volume')?.held, null, 'it was told: nothing is due, nothing held');
    });
  });

  describe('R31 and R34 while blocked', () => {
    it('tracks a worsening without a message and never escalates on its own', () => {
      const w = new Warehouse();
      w.round(0, { etl_calls: 'CRITICAL', first_calls: 'WARNING' });
      assert.deepEqual(said(w.round(5, { etl_calls: 'CRITICAL', first_calls: 'CRITICAL' })), []);
      assert.equal(w.incidents.get('first_calls')?.status, 'CRITICAL');
      w.round(6, { etl_calls: 'CRITICAL', first_calls: 'CRITICAL' });
      const later = w.tick(200);
      assert.deepEqual(said(later).filter((line) => line.startsWith('first_calls')), []);
      assert.deepEqual(said(later), ['etl_calls escalation:chat', 'etl_calls escalation:email']);
    });
  });

  describe('R32 when the root recovers and a downstream is still failing', () => {
    it('waits for the downstream\'s own check, then alerts once, saying it is no longer blocked', () => {
      const w = new Warehouse();
      w.round(0, { etl_calls: 'CRITICAL', call_volume: 'WARNING' });
      const fixed = w.round(30, { etl_calls: 'OK' });
      assert.deepEqual(said(fixed), ['etl_calls resolved:chat', 'etl_calls resolved:email']);
      assert.deepEqual(fixed[0]?.incident.affects, ['call_volume'], 'the resolved message lists what it blocked');
      assert.deepEqual(said(w.tick(30)), [], 'a tick before the recheck sends nothing on an old result');
      const recheck = w.round(31, { call_volume: 'WARNING' });
      assert.deepEqual(said(recheck), ['call_volume warning:chat (unblocked)']);
      assert.equal(recheck[0]?.incident.unblockedFrom, 'etl_calls');
      assert.deepEqual(said(w.round(40, { etl_calls: 'OK', call_volume: 'WARNING' })), [], 'once');
    });

    it('sends its own CRITICAL by chat and email', () => {
      const w = new Warehouse();
      w.round(0, { etl_calls: 'CRITICAL', first_calls: 'CRITICAL' });
      w.round(30, { etl_calls: 'OK' });
      assert.deepEqual(said(w.round(31, { first_calls: 'CRITICAL' })), ['first_calls critical:chat (unblocked)', 'first_calls critical:email (unblocked)']);
    });
  });

  describe('R33 when the root recovers and the downstream with it', () => {
    it('closes the downstream without a message: nothing was said of it on its own', () => {
      const w = new Warehouse();
      w.round(0, { etl_calls: 'CRITICAL', call_volume: 'WARNING' });
      const sent = w.round(30, { etl_calls: 'OK', call_volume: 'OK' }, ['call_volume', 'etl_calls']);
      assert.deepEqual(said(sent), ['etl_calls resolved:chat', 'etl_calls resolved:email']);
      assert.notEqual(w.incidents.get('call_volume')?.closedAt, null);
    });
  });

  describe('R35 when a downstream told before it was blocked recovers', () => {
    it('sends its resolved message: people were told of it', () => {
      const w = new Warehouse();
      w.round(0, { etl_calls: 'OK', call_volume: 'WARNING' });
      w.round(5, { etl_calls: 'CRITICAL', call_volume: 'WARNING' });
      const sent = w.round(10, { etl_calls: 'CRITICAL', call_volume: 'OK' });
      assert.deepEqual(said(sent), ['call_volume resolved:chat']);
    });
  });

  describe('R36 when a downstream told before it was blocked is unblocked still failing', () => {
    it('re-sends nothing', () => {
      const w = new Warehouse();
      w.round(0, { etl_calls: 'OK', call_volume: 'WARNING' });
      w.round(5, { etl_calls: 'CRITICAL', call_volume: 'WARNING' });
      w.round(30, { etl_calls: 'OK' });
      assert.deepEqual(said(w.round(31, { call_volume: 'WARNING' })), []);
      assert.equal(w.incidents.get('call_volume')?.blockedBy, null);
    });
  });

  describe('when the root flaps', () => {
    it('never lets the downstream send on its own while the root keeps failing again', () => {
      const w = new Warehouse();
      w.round(0, { etl_calls: 'CRITICAL', call_volume: 'WARNING' });
      w.round(5, { etl_calls: 'OK' });
      // The root fails again before the downstream's own check: still one failure.
      w.round(6, { etl_calls: 'CRITICAL' });
      const sent = w.round(7, { etl_calls: 'CRITICAL', call_volume: 'WARNING' });
      assert.deepEqual(said(sent).filter((line) => line.startsWith('call_volume')), []);
      assert.equal(w.incidents.get('call_volume')?.blockedBy, 'etl_calls');
      assert.ok(w.incidents.get('etl_calls')?.affects?.includes('call_volume'), 'the re-opened root lists it');
    });
  });

  describe('when only a WARNING is upstream', () => {
    it('does not block: each alerts on its own', () => {
      const w = new Warehouse();
      const sent = w.round(0, { etl_calls: 'WARNING', first_calls: 'CRITICAL' });
      assert.deepEqual(said(sent), ['etl_calls warning:chat', 'first_calls critical:chat', 'first_calls critical:email']);
    });
  });
});
