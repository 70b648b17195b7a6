import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { CheckResult, IncidentRecord, PipelineDefinition } from '@datamon/core';
import { type DatamonStore, RECORD_BATCH, type RecordOutcome } from '@datamon/store';
import { testStore } from '../../../test/helpers/redis.ts';

const { store, cleanup } = testStore({ historyDays: 2 });
after(cleanup);

function result(pipelineId: string, status: CheckResult['status'], checkedAt: string, message = `${status} message`): CheckResult {
  return { pipelineId, status, value: 1, message, checkedAt, details: {}, durationMs: 3 };
}

const PIPELINES: PipelineDefinition[] = [
  { id: 'etl_calls', name: 'ETL Calls', kind: 'mysql_freshness', group: 'Warehouse', action: '', not_before: null, quick_check: true, depends_on: [], days: 'every_day', table: 'FactCalls', column: 'call_start', filters: {}, warning_hours: 12, critical_hours: 24 },
  { id: 'morning_csv', name: 'Morning CSV', kind: 'file_arrival', group: 'Files', action: '', not_before: null, quick_check: true, depends_on: [], days: 'every_day', directory: '/tmp', pattern: 'x.csv', expected: '11:31', deadline: '12:00', header_rows: 1 },
];

describe('storing check results', () => {
  it('reports the previous status and keeps "since" while the status stays the same', async () => {
    const first = await store.results.record(result('etl_calls', 'OK', '2026-03-30T07:00:00Z'), { jobId: 'j1' });
    assert.deepEqual([first.stored, first.previousStatus, first.latest.since], [true, null, '2026-03-30T07:00:00Z']);
    const second = await store.results.record(result('etl_calls', 'OK', '2026-03-30T07:05:00Z'), { jobId: 'j2' });
    assert.deepEqual([second.previousStatus, second.latest.since], ['OK', '2026-03-30T07:00:00Z']);
    const third = await store.results.record(result('etl_calls', 'CRITICAL', '2026-03-30T07:10:00Z'), { jobId: 'j3' });
    assert.deepEqual([third.previousStatus, third.latest.since], ['OK', '2026-03-30T07:10:00Z']);
    const latest = await store.results.latest('etl_calls');
    assert.equal(latest?.status, 'CRITICAL');
    assert.equal(latest?.since, '2026-03-30T07:10:00Z');
  });

  it('stores a retried job\'s result once', async () => {
    const retried = await store.results.record(result('etl_calls', 'CRITICAL', '2026-03-30T07:10:30Z'), { jobId: 'j3' });
    assert.equal(retried.stored, false);
    assert.equal(retried.previousStatus, 'OK');
    const history = await store.results.history('etl_calls', new Date('2026-03-30T00:00:00Z'));
    assert.equal(history.length, 3);
  });

  it('keeps the newest result as latest when an older one arrives late', async () => {
    const late = await store.results.record(result('etl_calls', 'OK', '2026-03-30T07:01:00Z'), { jobId: 'j0' });
    assert.equal(late.previousStatus, 'OK', 'a late result must not look like a change');
    assert.equal((await store.results.latest('etl_calls'))?.status, 'CRITICAL');
  });

  it('trims history older than history_days', async () => {
    await store.results.record(result('morning_csv', 'OK', '2026-03-01T10:00:00Z'), { jobId: 'old' });
    await store.results.record(result('morning_csv', 'OK', '2026-03-10T10:00:00Z'), { jobId: 'new' });
    const history = await store.results.history('morning_csv', new Date(0));
    assert.deepEqual(history.map((entry) => entry.checkedAt), ['2026-03-10T10:00:00Z']);
  });
});

describe('storing a batch of results (recordMany)', () => {
  // Two stores fed the same results, one a result at a time (record), one a batch at a time.
  const one = testStore({ historyDays: 2 });
  const many = testStore({ historyDays: 2 });
  after(() => Promise.all([one.cleanup(), many.cleanup()]));

  const summary = (outcome: RecordOutcome) => [outcome.latest.pipelineId, outcome.stored, outcome.previousStatus, outcome.latest.since];
  async function recordOneByOne(target: DatamonStore, batch: readonly CheckResult[], jobId: string): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = [];
    for (const each of batch) outcomes.push(await target.results.record(each, { jobId }));
    return outcomes;
  }
  async function storedState(target: DatamonStore, pipelineIds: readonly string[]) {
    return Promise.all(pipelineIds.map(async (id) => [await target.results.latest(id), await target.results.history(id, new Date(0))]));
  }

  // In order: new pipelines, a status kept, a status changed, a result older than the latest
  // (late), one older than history_days (trims), and a part retried after a crash.
  const ROUNDS: { jobId: string; results: CheckResult[] }[] = [
    { jobId: 'round-1', results: [result('a', 'OK', '2026-03-28T07:00:00Z'), result('b', 'CRITICAL', '2026-03-28T07:00:00Z'), result('c', 'WARNING', '2026-03-28T07:00:00Z')] },
    { jobId: 'round-2', results: [result('a', 'OK', '2026-03-30T07:05:00Z'), result('b', 'OK', '2026-03-30T07:05:00Z'), result('c', 'WARNING', '2026-03-30T07:05:00Z')] },
    { jobId: 'round-3', results: [result('a', 'CRITICAL', '2026-03-30T07:10:00Z'), result('b', 'OK', '2026-03-30T07:10:00Z'), result('c', 'OK', '2026-03-30T07:10:00Z')] },
    { jobId: 'late', results: [result('a', 'OK', '2026-03-30T07:07:00Z'), result('d', 'OK', '2026-03-30T07:07:00Z')] },
    { jobId: 'round-3', results: [result('a', 'CRITICAL', '2026-03-30T07:10:00Z'), result('b', 'OK', '2026-03-30T07:10:00Z'), result('c', 'OK', '2026-03-30T07:10:00Z')] },
  ];

  it('reports, round after round, the same outcomes as storing each result alone, and stores the same', async () => {
    for (const { jobId, results } of ROUNDS) {
      const expected = await recordOneByOne(one.store, results, jobId);
      const got = await many.store.results.recordMany(results, { jobId });
      assert.deepEqual(got.map(summary), expected.map(summary), jobId);
      assert.deepEqual(got, expected, `${jobId}: the stored results, as returned`);
    }
    assert.deepEqual(await storedState(many.store, ['a', 'b', 'c', 'd']), await storedState(one.store, ['a', 'b', 'c', 'd']));
    const trimmed = await many.store.results.history('b', new Date(0));
    assert.deepEqual(trimmed.map((entry) => entry.checkedAt), ['2026-03-30T07:05:00Z', '2026-03-30T07:10:00Z'], 'history older than history_days is trimmed');
  });

  it('gives each result its previous status and keeps "since" while a status stays the same', async () => {
    const [a, b, c] = await many.store.results.recordMany(
      [result('a', 'CRITICAL', '2026-03-30T07:15:00Z'), result('b', 'WARNING', '2026-03-30T07:15:00Z'), result('e', 'OK', '2026-03-30T07:15:00Z')],
      { jobId: 'round-4' },
    );
    assert.deepEqual([a?.previousStatus, a?.latest.since], ['CRITICAL', '2026-03-30T07:10:00Z']);
    assert.deepEqual([b?.previousStatus, b?.latest.since], ['OK', '2026-03-30T07:15:00Z']);
    assert.deepEqual([c?.previousStatus, c?.latest.since], [null, '2026-03-30T07:15:00Z']);
    assert.deepEqual((await many.store.results.latest('b'))?.since, '2026-03-30T07:15:00Z');
  });

  it('stores a retried batch once and reports its first outcomes, also when only part of it was stored', async () => {
    const batch = [result('a', 'OK', '2026-03-30T07:20:00Z'), result('b', 'OK', '2026-03-30T07:20:00Z'), result('c', 'CRITICAL', '2026-03-30T07:20:00Z')];
    // A crash after the first result: the retry stores the other two, and the first once.
    const [partly] = await many.store.results.recordMany(batch.slice(0, 1), { jobId: 'round-5' });
    const first = await many.store.results.recordMany(batch, { jobId: 'round-5' });
    assert.deepEqual(first.map(summary), [
      ['a', false, 'CRITICAL', '2026-03-30T07:20:00Z'],
      ['b', true, 'WARNING', '2026-03-30T07:20:00Z'],
      ['c', true, 'OK', '2026-03-30T07:20:00Z'],
    ]);
    assert.equal(partly?.stored, true);
    const retried = await many.store.results.recordMany(batch, { jobId: 'round-5' });
    assert.deepEqual(retried.map((outcome) => outcome.stored), [false, false, false]);
    assert.deepEqual(retried.map((outcome) => outcome.previousStatus), ['CRITICAL', 'WARNING', 'OK'], 'the previous status of the first run, not the result itself');
    for (const id of ['a', 'b', 'c']) {
      const history = await many.store.results.history(id, new Date('2026-03-30T07:20:00Z'));
      assert.equal(history.length, 1, `${id} has one history point for round-5`);
    }
  });

  it('keeps the order of a batch larger than one pipeline of commands', async () => {
    const count = RECORD_BATCH * 2 + 7;
    const batch = Array.from({ length: count }, (_, index) => result(`big-${index}`, index % 3 === 0 ? 'CRITICAL' : 'OK', '2026-03-30T07:25:00Z'));
    const outcomes = await many.store.results.recordMany(batch, { jobId: 'big' });
    assert.deepEqual(outcomes.map((outcome) => outcome.latest.pipelineId), batch.map((each) => each.pipelineId));
    assert.ok(outcomes.every((outcome) => outcome.stored && outcome.previousStatus === null));
    const latest = await many.store.results.latestMany(batch.map((each) => each.pipelineId));
    assert.deepEqual(batch.map((each) => latest[each.pipelineId]?.status), batch.map((each) => each.status));
  });

  it('stores nothing for an empty batch', async () => {
    assert.deepEqual(await many.store.results.recordMany([], { jobId: 'empty' }), []);
  });
});

describe('the status snapshot', () => {
  it('shows each pipeline with its incident and silence, and the overall status', async () => {
    const incident: IncidentRecord = {
      id: 'etl_calls-1', pipelineId: 'etl_calls', pipelineName: 'ETL Calls', status: 'CRITICAL', worstStatus: 'CRITICAL',
      openedAt: '2026-03-30T07:10:00Z', closedAt: null, acknowledged: true, acknowledgedAt: '2026-03-30T07:20:00Z', acknowledgedBy: 'admin',
      criticalSince: '2026-03-30T07:10:00Z', escalations: 0, lastEscalatedAt: null, emailed: true, message: 'stale', value: 26, threshold: '24 h', notificationSeq: 2,
      lastStatus: 'CRITICAL', lastCheckedAt: '2026-03-30T07:10:00Z', announcedStatus: 'CRITICAL', announcedAt: '2026-03-30T07:10:00Z', held: null, reopenCount: 0, resolution: null,
    };
    await store.incidents.save(incident);
    const now = new Date('2026-03-30T07:30:00Z');
    await store.silences.silence('etl_calls', new Date('2026-03-30T08:00:00Z'));
    const snapshot = await store.refreshSnapshot({ pipelines: PIPELINES, checkins: [] }, now);
    assert.equal(snapshot.overall, 'CRITICAL');
    const etl = snapshot.pipelines.find((pipeline) => pipeline.id === 'etl_calls');
    assert.deepEqual([etl?.incident, etl?.acknowledged, etl?.silencedUntil], ['etl_calls-1', true, '2026-03-30T08:00:00.000Z']);
    assert.equal(JSON.parse((await store.snapshotJson()) ?? '{}').overall, 'CRITICAL');
  });

  it('says which of some pipelines have an open incident, without reading the others', async () => {
    assert.deepEqual([...(await store.incidents.openAmong(['morning_csv', 'etl_calls', 'unknown']))], ['etl_calls']);
    assert.deepEqual([...(await store.incidents.openAmong([]))], []);
  });

  it('closing an incident takes it off the open list but keeps it in the record', async () => {
    const open = await store.incidents.open('etl_calls');
    assert.ok(open);
    await store.incidents.save({ ...open, closedAt: '2026-03-30T09:00:00Z' });
    assert.equal(await store.incidents.open('etl_calls'), null);
    assert.equal((await store.incidents.latest('etl_calls'))?.closedAt, '2026-03-30T09:00:00Z');
    assert.equal((await store.incidents.list({ state: 'all' })).length, 1);
    assert.equal((await store.incidents.list({ state: 'open' })).length, 0);
  });
});

describe('the notification record', () => {
  it('lists newest first and updates an outcome in place', async () => {
    const base = { incidentId: 'etl_calls-1', pipelineId: 'etl_calls', kind: 'critical' as const, error: null, attempts: 1 };
    await store.notifications.record({ ...base, id: 'n1', at: '2026-03-30T07:10:00Z', channel: 'chat', outcome: 'sent' });
    await store.notifications.record({ ...base, id: 'n2', at: '2026-03-30T07:11:00Z', channel: 'email', outcome: 'retrying', error: '451 try later' });
    await store.notifications.record({ ...base, id: 'n2', at: '2026-03-30T07:12:00Z', channel: 'email', outcome: 'sent', attempts: 2 });
    const list = await store.notifications.list(10);
    assert.deepEqual(list.map((n) => [n.id, n.outcome]), [['n2', 'sent'], ['n1', 'sent']]);
    assert.equal((await store.notifications.forIncident('etl_calls-1')).length, 2);
  });
});

describe('locks', () => {
  it('serialise two read-modify-writes of the same record', async () => {
    const order: string[] = [];
    const slow = (name: string) =>
      store.withLock('pipeline:etl_calls', async () => {
        order.push(`${name}-in`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        order.push(`${name}-out`);
      });
    await Promise.all([slow('a'), slow('b')]);
    assert.ok(order[1]?.endsWith('-out'), `interleaved: ${order.join(',')}`);
  });
});
