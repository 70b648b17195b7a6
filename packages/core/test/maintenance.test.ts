import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  activeMaintenance,
  type AdHocWindow,
  type MaintenanceConfig,
  type MaintenanceOccurrence,
  maintenanceOccurrences,
  maintenanceUntil,
  readMaintenance,
} from '../src/maintenance.ts';

const LONDON = 'Europe/London';
const NIGHTLY: MaintenanceConfig = { name: 'nightly backup', pipelines: ['etl_calls'], cron: '0 1 * * *', duration_minutes: 90 };
const KNOWN = ['etl_calls', 'first_calls', 'operators'];

function at(iso: string): Date {
  return new Date(iso);
}

function ms(iso: string): number {
  return Date.parse(iso);
}

function list(config: readonly MaintenanceConfig[], now: string, extra: { adHoc?: AdHocWindow[]; endedEarly?: Record<string, string>; days?: number } = {}) {
  return maintenanceOccurrences({ config, adHoc: extra.adHoc ?? [], endedEarly: extra.endedEarly, now: at(now), zone: LONDON, days: extra.days });
}

function spans(occurrences: readonly MaintenanceOccurrence[]): string[] {
  return occurrences.map((occurrence) => `${occurrence.start} -> ${occurrence.end}`);
}

function activeAt(config: readonly MaintenanceConfig[], now: string, extra: Parameters<typeof list>[2] = {}) {
  return activeMaintenance(list(config, now, extra), at(now));
}

function adHoc(overrides: Partial<AdHocWindow> = {}): AdHocWindow {
  return {
    id: 'mw-1',
    name: 'warehouse restart',
    pipelines: ['operators'],
    from: '2026-06-10T09:00:00.000Z',
    to: '2026-06-10T10:00:00.000Z',
    createdBy: 'ops',
    ...overrides,
  };
}

describe('a nightly window (01:00 local for 90 minutes)', () => {
  it('is active from exactly its start, and lists the occurrence with a config id', () => {
    const active = activeAt([NIGHTLY], '2026-06-10T00:00:00.000Z');
    assert.deepEqual(active, [
      {
        id: `cfg-0-${ms('2026-06-10T00:00:00.000Z')}`,
        name: 'nightly backup',
        pipelines: ['etl_calls'],
        start: '2026-06-10T00:00:00.000Z',
        end: '2026-06-10T01:30:00.000Z',
        source: 'config',
        createdBy: null,
      },
    ]);
  });

  it('is active a millisecond before its end, and over exactly at its end', () => {
    assert.equal(activeAt([NIGHTLY], '2026-06-10T01:29:59.999Z').length, 1);
    assert.deepEqual(activeAt([NIGHTLY], '2026-06-10T01:30:00.000Z'), []);
    assert.equal(list([NIGHTLY], '2026-06-10T01:30:00.000Z')[0]?.start, '2026-06-11T00:00:00.000Z');
  });

  it('is not active a millisecond before its start', () => {
    assert.deepEqual(activeAt([NIGHTLY], '2026-06-09T23:59:59.999Z'), []);
  });

  it('gives an occurrence the same id whenever and however often it is listed', () => {
    const id = `cfg-0-${ms('2026-06-12T00:00:00.000Z')}`;
    const early = list([NIGHTLY], '2026-06-09T12:00:00.000Z').find((occurrence) => occurrence.start === '2026-06-12T00:00:00.000Z');
    const during = list([NIGHTLY], '2026-06-12T00:45:00.000Z', { days: 0 });
    assert.equal(early?.id, id);
    assert.equal(during[0]?.id, id);
    assert.deepEqual(list([NIGHTLY], '2026-06-09T12:00:00.000Z'), list([NIGHTLY], '2026-06-09T12:00:00.000Z'));
  });

  it('uses the index of the window in the config list in its id', () => {
    const other: MaintenanceConfig = { name: 'other', pipelines: null, cron: '0 3 * * *', duration_minutes: 10 };
    const [first, second] = list([other, NIGHTLY], '2026-06-09T23:30:00.000Z', { days: 0.5 });
    assert.equal(first?.id, `cfg-1-${ms('2026-06-10T00:00:00.000Z')}`);
    assert.equal(second?.id, `cfg-0-${ms('2026-06-10T02:00:00.000Z')}`);
  });
});

describe('a nightly 01:00-02:30 window across the 2026 UK clock changes', () => {
  describe('on the spring change night (29 March: 01:00 GMT becomes 02:00 BST)', () => {
    it('starts when the schedule fires, at 02:00 BST (01:00 UTC), and lasts 90 minutes', () => {
      assert.deepEqual(spans(list([NIGHTLY], '2026-03-27T12:00:00.000Z', { days: 4 })), [
        '2026-03-28T01:00:00.000Z -> 2026-03-28T02:30:00.000Z',
        '2026-03-29T01:00:00.000Z -> 2026-03-29T02:30:00.000Z',
        '2026-03-30T00:00:00.000Z -> 2026-03-30T01:30:00.000Z',
        '2026-03-31T00:00:00.000Z -> 2026-03-31T01:30:00.000Z',
      ]);
    });

    it('is active through to 03:30 BST and over at 03:30 BST', () => {
      const id = `cfg-0-${ms('2026-03-29T01:00:00.000Z')}`;
      assert.deepEqual(
        activeAt([NIGHTLY], '2026-03-29T01:00:00.000Z').map((occurrence) => occurrence.id),
        [id],
      );
      assert.deepEqual(
        activeAt([NIGHTLY], '2026-03-29T02:29:59.999Z').map((occurrence) => occurrence.id),
        [id],
      );
      assert.deepEqual(activeAt([NIGHTLY], '2026-03-29T02:30:00.000Z'), []);
    });

    it('is not active in the hour before, when 01:00 GMT never came', () => {
      assert.deepEqual(activeAt([NIGHTLY], '2026-03-29T00:30:00.000Z'), []);
    });
  });

  describe('on the autumn change night (25 October: 02:00 BST becomes 01:00 GMT)', () => {
    it('runs once, from the first 01:00 (BST, 00:00 UTC), for 90 elapsed minutes', () => {
      assert.deepEqual(spans(list([NIGHTLY], '2026-10-23T12:00:00.000Z', { days: 4 })), [
        '2026-10-24T00:00:00.000Z -> 2026-10-24T01:30:00.000Z',
        '2026-10-25T00:00:00.000Z -> 2026-10-25T01:30:00.000Z',
        '2026-10-26T01:00:00.000Z -> 2026-10-26T02:30:00.000Z',
        '2026-10-27T01:00:00.000Z -> 2026-10-27T02:30:00.000Z',
      ]);
    });

    it('is still the same occurrence when the clock shows 01:15 the second time', () => {
      const active = activeAt([NIGHTLY], '2026-10-25T01:15:00.000Z');
      assert.deepEqual(
        active.map((occurrence) => [occurrence.id, occurrence.end]),
        [[`cfg-0-${ms('2026-10-25T00:00:00.000Z')}`, '2026-10-25T01:30:00.000Z']],
      );
    });

    it('is over at 01:30 GMT and does not start again at the second 01:00', () => {
      assert.deepEqual(activeAt([NIGHTLY], '2026-10-25T01:30:00.000Z'), []);
      assert.deepEqual(activeAt([NIGHTLY], '2026-10-25T02:00:00.000Z'), []);
    });
  });
});

describe('a window crossing midnight (23:00 for 2 hours)', () => {
  const late: MaintenanceConfig = { name: 'late load', pipelines: null, cron: '0 23 * * *', duration_minutes: 120 };

  it('is active after midnight until 01:00', () => {
    const active = activeAt([late], '2026-01-11T00:30:00.000Z');
    assert.deepEqual(spans(active), ['2026-01-10T23:00:00.000Z -> 2026-01-11T01:00:00.000Z']);
  });

  it('is over at 01:00 the next day', () => {
    assert.deepEqual(activeAt([late], '2026-01-11T01:00:00.000Z'), []);
  });

  it('ends at the same wall-clock time in summer (23:00 BST to 01:00 BST)', () => {
    assert.deepEqual(spans(activeAt([late], '2026-07-11T23:59:00.000Z')), ['2026-07-11T22:00:00.000Z -> 2026-07-12T00:00:00.000Z']);
  });
});

describe('a one-off window', () => {
  const upgrade: MaintenanceConfig = { name: 'warehouse upgrade', pipelines: null, from: '2026-12-01 22:00', to: '2026-12-02 02:00' };

  it('is listed ahead, read in local time, with an id from its start', () => {
    assert.deepEqual(list([upgrade], '2026-11-28T12:00:00.000Z'), [
      {
        id: `cfg-0-${ms('2026-12-01T22:00:00.000Z')}`,
        name: 'warehouse upgrade',
        pipelines: null,
        start: '2026-12-01T22:00:00.000Z',
        end: '2026-12-02T02:00:00.000Z',
        source: 'config',
        createdBy: null,
      },
    ]);
    assert.deepEqual(activeAt([upgrade], '2026-11-28T12:00:00.000Z'), []);
  });

  it('is active from its start until its end, across midnight', () => {
    assert.equal(activeAt([upgrade], '2026-12-01T22:00:00.000Z').length, 1);
    assert.equal(activeAt([upgrade], '2026-12-02T01:59:59.999Z').length, 1);
    assert.deepEqual(activeAt([upgrade], '2026-12-02T02:00:00.000Z'), []);
  });

  it('is no longer listed once it is over', () => {
    assert.deepEqual(list([upgrade], '2026-12-02T02:00:00.000Z'), []);
  });

  it('reads summer local times as BST', () => {
    const summer: MaintenanceConfig = { name: 'move', pipelines: null, from: '2026-07-01 09:00', to: '2026-07-01 10:30' };
    assert.deepEqual(spans(list([summer], '2026-06-30T12:00:00.000Z')), ['2026-07-01T08:00:00.000Z -> 2026-07-01T09:30:00.000Z']);
  });
});

describe('ad hoc windows opened through the API', () => {
  it('are listed with their own id, who opened them and source "api"', () => {
    const window = adHoc({ from: '2026-06-10T10:00:00+01:00', to: '2026-06-10T11:00:00+01:00' });
    assert.deepEqual(activeAt([], '2026-06-10T09:30:00.000Z', { adHoc: [window] }), [
      {
        id: 'mw-1',
        name: 'warehouse restart',
        pipelines: ['operators'],
        start: '2026-06-10T09:00:00.000Z',
        end: '2026-06-10T10:00:00.000Z',
        source: 'api',
        createdBy: 'ops',
      },
    ]);
  });

  it('are not listed once they end', () => {
    assert.deepEqual(list([], '2026-06-10T10:00:00.000Z', { adHoc: [adHoc()] }), []);
  });

  it('leave out a stored window whose instants do not parse, and list the others', () => {
    const broken = adHoc({ id: 'mw-broken', to: 'soon' });
    assert.deepEqual(
      list([], '2026-06-10T09:30:00.000Z', { adHoc: [broken, adHoc()] }).map((occurrence) => occurrence.id),
      ['mw-1'],
    );
  });

  it('are sorted by start with the config windows', () => {
    const occurrences = list([NIGHTLY], '2026-06-10T00:30:00.000Z', { adHoc: [adHoc()], days: 1 });
    assert.deepEqual(
      occurrences.map((occurrence) => [occurrence.source, occurrence.start]),
      [
        ['config', '2026-06-10T00:00:00.000Z'],
        ['api', '2026-06-10T09:00:00.000Z'],
        ['config', '2026-06-11T00:00:00.000Z'],
      ],
    );
  });
});

describe('occurrences ended early through the API', () => {
  const tonight = `cfg-0-${ms('2026-06-10T00:00:00.000Z')}`;

  it('end when they were ended', () => {
    const active = activeAt([NIGHTLY], '2026-06-10T00:15:00.000Z', { endedEarly: { [tonight]: '2026-06-10T00:20:00.000Z' } });
    assert.deepEqual(spans(active), ['2026-06-10T00:00:00.000Z -> 2026-06-10T00:20:00.000Z']);
  });

  it('are left out once that time has come, while the next night is listed as usual', () => {
    const occurrences = list([NIGHTLY], '2026-06-10T00:20:00.000Z', { endedEarly: { [tonight]: '2026-06-10T00:20:00.000Z' }, days: 1 });
    assert.deepEqual(spans(occurrences), ['2026-06-11T00:00:00.000Z -> 2026-06-11T01:30:00.000Z']);
  });

  it('are never listed when ended before they started (a cancelled future occurrence)', () => {
    const endedEarly = { [tonight]: '2026-06-09T18:00:00.000Z' };
    assert.deepEqual(list([NIGHTLY], '2026-06-09T17:00:00.000Z', { endedEarly, days: 0.5 }), []);
    assert.deepEqual(activeAt([NIGHTLY], '2026-06-10T00:30:00.000Z', { endedEarly }), []);
  });

  it('keep their own end when the recorded end is later', () => {
    const active = activeAt([NIGHTLY], '2026-06-10T00:15:00.000Z', { endedEarly: { [tonight]: '2026-06-10T05:00:00.000Z' } });
    assert.equal(active[0]?.end, '2026-06-10T01:30:00.000Z');
  });

  it('apply to ad hoc windows by their id', () => {
    const occurrences = list([], '2026-06-10T09:10:00.000Z', { adHoc: [adHoc()], endedEarly: { 'mw-1': '2026-06-10T09:10:00.000Z' } });
    assert.deepEqual(occurrences, []);
  });
});

describe('the 7-day horizon', () => {
  it('lists a nightly window 7 times from midday', () => {
    const occurrences = list([NIGHTLY], '2026-06-10T12:00:00.000Z');
    assert.equal(occurrences.length, 7);
    assert.equal(occurrences.at(-1)?.start, '2026-06-17T00:00:00.000Z');
  });

  it('includes a window starting exactly 7 days ahead, and not one a minute later', () => {
    const onTheEdge: MaintenanceConfig = { name: 'edge', pipelines: null, from: '2026-06-17 13:00', to: '2026-06-17 14:00' };
    const beyond: MaintenanceConfig = { name: 'beyond', pipelines: null, from: '2026-06-17 13:01', to: '2026-06-17 14:00' };
    assert.deepEqual(
      list([onTheEdge, beyond], '2026-06-10T12:00:00.000Z').map((occurrence) => occurrence.name),
      ['edge'],
    );
  });

  it('lists only what is active with days: 0', () => {
    const occurrences = list([NIGHTLY], '2026-06-10T00:30:00.000Z', { adHoc: [adHoc()], days: 0 });
    assert.deepEqual(spans(occurrences), ['2026-06-10T00:00:00.000Z -> 2026-06-10T01:30:00.000Z']);
  });

  it('lists every occurrence of a */5 window (2,016 in a week)', () => {
    const often: MaintenanceConfig = { name: 'often', pipelines: null, cron: '*/5 * * * *', duration_minutes: 2 };
    // 12:00's occurrence ended at 12:02; the next is 12:05, the last 12:00 on the 17th.
    const occurrences = list([often], '2026-06-10T12:03:00.000Z');
    assert.equal(occurrences.length, 2016);
    assert.equal(new Set(occurrences.map((occurrence) => occurrence.id)).size, 2016);
  });

  it('stops at 10,000 occurrences of one window', () => {
    const everyMinute: MaintenanceConfig = { name: 'every minute', pipelines: null, cron: '* * * * *', duration_minutes: 1 };
    const occurrences = list([everyMinute], '2026-06-10T12:00:30.000Z');
    assert.equal(occurrences.length, 10_000);
    assert.equal(occurrences[0]?.start, '2026-06-10T12:00:00.000Z');
  });

  it('refuses an unknown time zone or a negative horizon', () => {
    assert.throws(() => maintenanceOccurrences({ config: [NIGHTLY], adHoc: [], now: at('2026-06-10T00:00:00Z'), zone: 'Europe/Londres' }), /"Europe\/Londres" is not a time zone/);
    assert.throws(() => maintenanceOccurrences({ config: [NIGHTLY], adHoc: [], now: at('2026-06-10T00:00:00Z'), zone: LONDON, days: -1 }), /days must be 0 or more/);
  });
});

describe('a recurring window longer than its interval', () => {
  it('is active from the latest slot, so one occurrence covers now', () => {
    const hourly: MaintenanceConfig = { name: 'hourly', pipelines: null, cron: '0 * * * *', duration_minutes: 90 };
    assert.deepEqual(spans(activeAt([hourly], '2026-06-10T12:15:00.000Z')), ['2026-06-10T12:00:00.000Z -> 2026-06-10T13:30:00.000Z']);
  });
});

describe('maintenanceUntil', () => {
  const occurrence = (overrides: Partial<MaintenanceOccurrence>): MaintenanceOccurrence => ({
    id: 'x',
    name: 'x',
    pipelines: null,
    start: '2026-06-10T00:00:00.000Z',
    end: '2026-06-10T01:00:00.000Z',
    source: 'config',
    createdBy: null,
    ...overrides,
  });

  it('gives the latest end among overlapping windows that cover the pipeline', () => {
    const active = [
      occurrence({ id: 'a', end: '2026-06-10T01:00:00.000Z', pipelines: ['etl_calls'] }),
      occurrence({ id: 'b', end: '2026-06-10T03:00:00.000Z', pipelines: null }),
      occurrence({ id: 'c', end: '2026-06-10T02:00:00.000Z', pipelines: ['etl_calls', 'operators'] }),
    ];
    assert.equal(maintenanceUntil('etl_calls', active), '2026-06-10T03:00:00.000Z');
  });

  it('ignores windows for other pipelines', () => {
    const active = [
      occurrence({ id: 'a', end: '2026-06-10T01:00:00.000Z', pipelines: ['etl_calls'] }),
      occurrence({ id: 'b', end: '2026-06-10T05:00:00.000Z', pipelines: ['operators'] }),
    ];
    assert.equal(maintenanceUntil('etl_calls', active), '2026-06-10T01:00:00.000Z');
    assert.equal(maintenanceUntil('first_calls', active), null);
  });

  it('is null with no active window', () => {
    assert.equal(maintenanceUntil('etl_calls', []), null);
  });

  it('works on what activeMaintenance picks from a listing', () => {
    const occurrences = list([NIGHTLY], '2026-06-10T00:30:00.000Z', { adHoc: [adHoc({ pipelines: null, from: '2026-06-10T00:15:00Z', to: '2026-06-10T04:00:00Z' })] });
    const active = activeMaintenance(occurrences, at('2026-06-10T00:30:00.000Z'));
    assert.equal(maintenanceUntil('etl_calls', active), '2026-06-10T04:00:00.000Z');
    assert.equal(maintenanceUntil('operators', active), '2026-06-10T04:00:00.000Z');
  });
});

describe('activeMaintenance', () => {
  it('keeps start <= now < end', () => {
    const windows: MaintenanceOccurrence[] = [
      { id: 'starts-now', name: 'a', pipelines: null, start: '2026-06-10T10:00:00.000Z', end: '2026-06-10T11:00:00.000Z', source: 'api', createdBy: 'ops' },
      { id: 'ends-now', name: 'b', pipelines: null, start: '2026-06-10T09:00:00.000Z', end: '2026-06-10T10:00:00.000Z', source: 'api', createdBy: 'ops' },
      { id: 'later', name: 'c', pipelines: null, start: '2026-06-10T10:00:00.001Z', end: '2026-06-10T12:00:00.000Z', source: 'api', createdBy: 'ops' },
    ];
    assert.deepEqual(
      activeMaintenance(windows, at('2026-06-10T10:00:00.000Z')).map((occurrence) => occurrence.id),
      ['starts-now'],
    );
  });
});

describe('readMaintenance', () => {
  const problems = (raw: unknown) => readMaintenance(raw, KNOWN).problems;

  it('reads the README example into windows', () => {
    const raw = [
      { name: 'nightly backup', pipelines: ['etl_calls'], cron: '0 1 * * *', duration_minutes: 90 },
      { name: 'warehouse upgrade', from: '2026-12-01 22:00', to: '2026-12-02 02:00' },
    ];
    assert.deepEqual(readMaintenance(raw, KNOWN), {
      windows: [
        { name: 'nightly backup', pipelines: ['etl_calls'], cron: '0 1 * * *', duration_minutes: 90 },
        { name: 'warehouse upgrade', pipelines: null, from: '2026-12-01 22:00', to: '2026-12-02 02:00' },
      ],
      problems: [],
    });
  });

  it('finds nothing when maintenance is absent', () => {
    assert.deepEqual(readMaintenance(undefined, KNOWN), { windows: [], problems: [] });
    assert.deepEqual(readMaintenance(null, KNOWN), { windows: [], problems: [] });
    assert.deepEqual(readMaintenance([], KNOWN), { windows: [], problems: [] });
  });

  it('accepts a one-off window wholly in the past', () => {
    assert.deepEqual(problems([{ name: 'old', from: '2020-01-01 10:00', to: '2020-01-01 11:00' }]), []);
  });

  it('says maintenance must be a list', () => {
    assert.deepEqual(problems({ name: 'nightly' }), [
      'maintenance: must be a list of windows, each with a name and either cron + duration_minutes (a recurring window) or from + to (a one-off window); got {"name":"nightly"}',
    ]);
  });

  it('says a window must be a mapping', () => {
    assert.deepEqual(problems(['nightly']), [
      'maintenance[0]: must be a mapping with a name and either cron + duration_minutes (a recurring window) or from + to (a one-off window); got "nightly"',
    ]);
  });

  it('requires a name', () => {
    assert.deepEqual(problems([{ cron: '0 1 * * *', duration_minutes: 90 }, { name: '  ', cron: '0 1 * * *', duration_minutes: 90 }]), [
      'maintenance[0].name: is required (it is what the dashboard and GET /api/maintenance show)',
      'maintenance[1].name: is required (it is what the dashboard and GET /api/maintenance show)',
    ]);
    assert.deepEqual(problems([{ name: 42, cron: '0 1 * * *', duration_minutes: 90 }]), ['maintenance[0].name: must be a string, got 42']);
  });

  it('names an unknown key and the keys a window takes', () => {
    assert.deepEqual(problems([{ name: 'n', cron: '0 1 * * *', duration_minutes: 90, minutes: 30 }]), [
      'maintenance[0].minutes: unknown key (a window takes name, pipelines, cron, duration_minutes, from, to)',
    ]);
  });

  it('requires cron + duration_minutes or from + to', () => {
    assert.deepEqual(problems([{ name: 'n' }]), [
      'maintenance[0]: needs either cron + duration_minutes (a recurring window) or from + to (a one-off window)',
    ]);
  });

  it('refuses a window that is both recurring and one-off', () => {
    assert.deepEqual(problems([{ name: 'n', cron: '0 1 * * *', duration_minutes: 90, from: '2026-12-01 22:00', to: '2026-12-02 02:00' }]), [
      'maintenance[0].from: cannot be combined with cron or duration_minutes: a window has either cron + duration_minutes (a recurring window) or from + to (a one-off window), not both',
    ]);
    assert.deepEqual(problems([{ name: 'n', cron: '0 1 * * *', to: '2026-12-02 02:00' }]), [
      'maintenance[0].to: cannot be combined with cron: a window has either cron + duration_minutes (a recurring window) or from + to (a one-off window), not both',
    ]);
  });

  it('requires the other half of a pair', () => {
    assert.deepEqual(problems([{ name: 'a', cron: '0 1 * * *' }, { name: 'b', duration_minutes: 90 }, { name: 'c', from: '2026-12-01 22:00' }, { name: 'd', to: '2026-12-02 02:00' }]), [
      'maintenance[0].duration_minutes: is required with cron (how long each window lasts: 1 to 10080 minutes)',
      'maintenance[1].cron: is required with duration_minutes (when each window starts: a cron pattern in local time)',
      'maintenance[2].to: is required with from (when the window ends: "YYYY-MM-DD HH:MM" local time)',
      'maintenance[3].from: is required with to (when the window starts: "YYYY-MM-DD HH:MM" local time)',
    ]);
  });

  it('names a bad cron pattern', () => {
    assert.deepEqual(problems([{ name: 'a', cron: '0 1 * *', duration_minutes: 90 }, { name: 'b', cron: '*/61 * * * *', duration_minutes: 90 }, { name: 'c', cron: 100, duration_minutes: 90 }]), [
      'maintenance[0].cron: "0 1 * *" is not a cron pattern: it needs 5 fields (minute hour day month weekday), found 4',
      'maintenance[1].cron: "*/61 * * * *" is not a valid cron pattern: step /61 is outside the minute field (1-59)',
      'maintenance[2].cron: must be a cron pattern in quotes, got 100',
    ]);
  });

  it('requires duration_minutes to be a whole number from 1 to 7 days', () => {
    const window = (duration_minutes: unknown) => ({ name: 'n', cron: '0 1 * * *', duration_minutes });
    assert.deepEqual(problems([window('90'), window(1.5), window(0), window(-5), window(10_081)]), [
      'maintenance[0].duration_minutes: must be a whole number of minutes, got "90"',
      'maintenance[1].duration_minutes: must be a whole number of minutes, got 1.5',
      'maintenance[2].duration_minutes: must be more than 0 minutes, got 0',
      'maintenance[3].duration_minutes: must be more than 0 minutes, got -5',
      'maintenance[4].duration_minutes: must be at most 10080 minutes (7 days), got 10081',
    ]);
    assert.deepEqual(problems([window(1), window(10_080)]), []);
  });

  it('requires from and to as real local "YYYY-MM-DD HH:MM" times', () => {
    assert.deepEqual(
      problems([
        { name: 'a', from: '2026-12-01T22:00', to: '2026-12-02 02:00' },
        { name: 'b', from: '2026-02-30 22:00', to: '2026-12-02 24:00' },
        { name: 'c', from: new Date('2026-12-01T00:00:00Z'), to: 202612020200 },
      ]),
      [
        'maintenance[0].from: "2026-12-01T22:00" is not a local time in the form "YYYY-MM-DD HH:MM"',
        'maintenance[1].from: "2026-02-30 22:00" is not a real date and time',
        'maintenance[1].to: "2026-12-02 24:00" is not a real date and time',
        'maintenance[2].from: must be a local time "YYYY-MM-DD HH:MM" in quotes, got 2026-12-01T00:00:00.000Z',
        'maintenance[2].to: must be a local time "YYYY-MM-DD HH:MM" in quotes, got 202612020200',
      ],
    );
  });

  it('requires to after from', () => {
    assert.deepEqual(problems([{ name: 'a', from: '2026-12-02 02:00', to: '2026-12-01 22:00' }, { name: 'b', from: '2026-12-01 22:00', to: '2026-12-01 22:00' }]), [
      'maintenance[0].to: "2026-12-01 22:00" is not after from ("2026-12-02 02:00")',
      'maintenance[1].to: "2026-12-01 22:00" is not after from ("2026-12-01 22:00")',
    ]);
  });

  it('names an unknown pipeline and the known ones', () => {
    assert.deepEqual(problems([{ name: 'n', pipelines: ['etl_calls', 'etl_call', 7], cron: '0 1 * * *', duration_minutes: 90 }]), [
      'maintenance[0].pipelines: unknown pipeline "etl_call" (known: etl_calls, first_calls, operators)',
      'maintenance[0].pipelines: unknown pipeline 7 (known: etl_calls, first_calls, operators)',
    ]);
  });

  it('requires pipelines to be a non-empty list when given', () => {
    const window = (pipelines: unknown) => ({ name: 'n', pipelines, cron: '0 1 * * *', duration_minutes: 90 });
    assert.deepEqual(problems([window('etl_calls'), window(null), window([])]), [
      'maintenance[0].pipelines: must be a list of pipeline ids (leave it out to cover every pipeline), got "etl_calls"',
      'maintenance[1].pipelines: must be a list of pipeline ids (leave it out to cover every pipeline), got null',
      'maintenance[2].pipelines: is empty: list at least one pipeline id, or leave pipelines out to cover every pipeline',
    ]);
  });

  it('reports every problem at once and keeps only the windows without problems', () => {
    const result = readMaintenance(
      [
        { name: 'good', cron: '0 1 * * *', duration_minutes: 90, pipelines: ['operators', 'operators'] },
        { cron: 'nope', duration_minutes: 0, colour: 'red' },
      ],
      KNOWN,
    );
    assert.deepEqual(result.windows, [{ name: 'good', pipelines: ['operators'], cron: '0 1 * * *', duration_minutes: 90 }]);
    assert.deepEqual(result.problems, [
      'maintenance[1].colour: unknown key (a window takes name, pipelines, cron, duration_minutes, from, to)',
      'maintenance[1].name: is required (it is what the dashboard and GET /api/maintenance show)',
      'maintenance[1].cron: "nope" is not a cron pattern: it needs 5 fields (minute hour day month weekday), found 1',
      'maintenance[1].duration_minutes: must be more than 0 minutes, got 0',
    ]);
  });
});
