import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_ANOMALY,
  evaluateAnomaly,
  madSpread,
  median,
  weekdayName,
  type AnomalyInput,
  type AnomalySettings,
  type AnomalyVerdict,
  type BaselinePoint,
} from '../src/anomaly.ts';

const TESTED = '2026-03-03'; // a Tuesday
const SETTINGS: AnomalySettings = { ...DEFAULT_ANOMALY, enabled: true };

/** `date` moved by `days` days. */
function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Points on the same weekday before `tested`, the first value one week back, the next two, ... */
function weekly(values: readonly number[], tested = TESTED): BaselinePoint[] {
  return values.map((value, i) => ({ date: addDays(tested, -7 * (i + 1)), value }));
}

function input(value: number, points: readonly BaselinePoint[], extra: Partial<AnomalyInput> = {}): AnomalyInput {
  return { value, date: TESTED, window: 'yesterday', noun: 'calls', points, settings: SETTINGS, ...extra };
}

function withSettings(settings: Partial<AnomalySettings>): { settings: AnomalySettings } {
  return { settings: { ...SETTINGS, ...settings } };
}

function expectKind<K extends AnomalyVerdict['kind']>(verdict: AnomalyVerdict, kind: K): Extract<AnomalyVerdict, { kind: K }> {
  assert.equal(verdict.kind, kind, verdict.message);
  return verdict as Extract<AnomalyVerdict, { kind: K }>;
}

/** Median 1,480 and MAD 38.25: the band is 1,309.87-1,650.13 with sensitivity 3. */
const TUESDAYS = [1380, 1441.75, 1441.75, 1470, 1490, 1518.25, 1550, 1600];
/** Median 470 and MAD 11.25: the band is 419.96-520.04 with sensitivity 3. */
const TUESDAYS_BY_NOON = [440, 458.75, 458.75, 465, 475, 481.25, 500, 510];

/** A small seeded generator (LCG, Numerical Recipes constants): the same cases on every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function randomInt(rand: () => number, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

function shuffled<T>(rand: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(rand, 0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** A random tested date between 2020 and 2030. */
function randomDate(rand: () => number): string {
  return addDays('2020-01-01', randomInt(rand, 0, 3650));
}

/** A random case: settings, a noisy weekly history of at least `min_points` days and its date. */
function randomCase(rand: () => number): { settings: AnomalySettings; date: string; points: BaselinePoint[] } {
  const settings: AnomalySettings = {
    enabled: true,
    weeks: randomInt(rand, 4, 12),
    sensitivity: 1 + rand() * 4,
    min_points: randomInt(rand, 1, 4),
    min_change_percent: randomInt(rand, 0, 50),
  };
  const base = randomInt(rand, 0, 50_000);
  const noise = rand() * 0.3;
  const count = randomInt(rand, settings.min_points, settings.weeks + 3);
  const date = randomDate(rand);
  const values = Array.from({ length: count }, () => Math.max(0, Math.round(base * (1 + noise * (2 * rand() - 1)))));
  return { settings, date, points: weekly(values, date) };
}

const CASES = 300;

describe('median', () => {
  it('is the middle value of an odd count and the mean of the middle two of an even count', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7]), 7);
    assert.equal(median([1470, 1490]), 1480);
  });
  it('sorts numerically and leaves its argument alone', () => {
    const values = [10, 9, 100, 2];
    assert.equal(median(values), 9.5);
    assert.deepEqual(values, [10, 9, 100, 2]);
  });
  it('throws on no values', () => {
    assert.throws(() => median([]), RangeError);
  });
});

describe('madSpread', () => {
  it('is 1.4826 times the median absolute deviation', () => {
    // median 3, deviations 2, 1, 0, 1, 97: MAD 1
    assert.equal(madSpread([1, 2, 3, 4, 100]), 1.4826);
    assert.equal(madSpread(TUESDAYS), 1.4826 * 38.25);
  });
  it('measures from the median it is given', () => {
    // deviations from 0 are 0 and 10: MAD 5
    assert.equal(madSpread([0, 10], 0), 1.4826 * 5);
  });
  it('is at least 1', () => {
    assert.equal(madSpread([500, 500, 500, 500]), 1);
    assert.equal(madSpread([0]), 1);
    assert.equal(madSpread([10, 10, 10, 10.1, 10.2]), 1);
  });
});

describe('weekdayName', () => {
  it('names the weekday of a date', () => {
    assert.equal(weekdayName('2026-03-03'), 'Tuesday');
    assert.equal(weekdayName('2026-03-08'), 'Sunday');
    assert.equal(weekdayName('1970-01-01'), 'Thursday');
    assert.equal(weekdayName('1969-12-29'), 'Monday');
    assert.equal(weekdayName('2024-02-29'), 'Thursday');
    assert.equal(weekdayName('2000-01-01'), 'Saturday');
  });
  it('throws on a malformed or impossible date', () => {
    for (const bad of ['', '2026-3-3', '2023-02-29', '2026-13-01', '2026-03-03T00:00', 'Tuesday']) {
      assert.throws(() => weekdayName(bad), RangeError, bad);
    }
  });
});

describe('DEFAULT_ANOMALY', () => {
  it('is off, 8 weeks, sensitivity 3, 4 points, 20%', () => {
    assert.deepEqual(DEFAULT_ANOMALY, { enabled: false, weeks: 8, sensitivity: 3, min_points: 4, min_change_percent: 20 });
    assert.ok(Object.isFrozen(DEFAULT_ANOMALY));
  });
});

describe('evaluateAnomaly: messages', () => {
  it('flags 812 against 8 Tuesdays around 1,480 (the worked example)', () => {
    const verdict = expectKind(evaluateAnomaly(input(812, weekly(TUESDAYS))), 'anomaly');
    assert.equal(verdict.message, '812 calls yesterday, 45% below a usual Tuesday (median 1,480, usual 1,310-1,650 over 8 Tuesdays)');
    assert.equal(verdict.direction, 'below');
    assert.equal(verdict.percent, 45);
    assert.equal(verdict.expected.median, 1480);
    assert.equal(verdict.expected.points, 8);
    assert.equal(Math.round(verdict.expected.low), 1310);
    assert.equal(Math.round(verdict.expected.high), 1650);
    assert.ok(Math.abs(verdict.expected.high - verdict.expected.median - 3 * 1.4826 * 38.25) < 1e-9);
  });
  it('says a value above the band is above', () => {
    const verdict = expectKind(evaluateAnomaly(input(2000, weekly(TUESDAYS))), 'anomaly');
    assert.equal(verdict.message, '2,000 calls yesterday, 35% above a usual Tuesday (median 1,480, usual 1,310-1,650 over 8 Tuesdays)');
    assert.equal(verdict.direction, 'above');
    assert.equal(verdict.percent, 35);
  });
  it('says a normal value is within the usual band for the weekday', () => {
    const verdict = expectKind(evaluateAnomaly(input(1500, weekly(TUESDAYS))), 'normal');
    assert.equal(verdict.message, 'within the usual 1,310-1,650 for a Tuesday');
    assert.equal(verdict.expected.median, 1480);
  });
  it('says when a value is outside the band but under the minimum change', () => {
    // 1,700 is 220 above: outside the band, but only 14.9% of 1,480
    const verdict = expectKind(evaluateAnomaly(input(1700, weekly(TUESDAYS))), 'normal');
    assert.equal(verdict.message, 'outside the usual 1,310-1,650 for a Tuesday, but within 20% of the median 1,480');
  });
  it('words a today window as "so far today" and "by this time"', () => {
    const points = weekly(TUESDAYS_BY_NOON);
    const low = expectKind(evaluateAnomaly(input(212, points, { window: 'today' })), 'anomaly');
    assert.equal(low.message, '212 calls so far today, 55% below a usual Tuesday by this time (median 470, usual 420-520 over 8 Tuesdays)');
    const normal = expectKind(evaluateAnomaly(input(480, points, { window: 'today' })), 'normal');
    assert.equal(normal.message, 'within the usual 420-520 for a Tuesday by this time');
    const near = expectKind(evaluateAnomaly(input(540, points, { window: 'today' })), 'normal');
    assert.equal(near.message, 'outside the usual 420-520 for a Tuesday by this time, but within 20% of the median 470');
  });
  it('uses the noun and weekday given, and thousands separators', () => {
    const points = weekly([120_000, 121_000, 119_000, 120_500, 119_500], '2026-03-06');
    const verdict = expectKind(evaluateAnomaly(input(1_234_567, points, { date: '2026-03-06', noun: 'orders' })), 'anomaly');
    assert.match(verdict.message, /^1,234,567 orders yesterday, 929% above a usual Friday \(median 120,000, usual [\d,]+-[\d,]+ over 5 Fridays\)$/);
  });
  it('says "over 1 Tuesday" for a single point', () => {
    const verdict = evaluateAnomaly(input(100, weekly([10]), withSettings({ min_points: 1 })));
    assert.equal(verdict.message, '100 calls yesterday, 900% above a usual Tuesday (median 10, usual 7-13 over 1 Tuesday)');
  });
  it('gives no percentage against a usual 0', () => {
    const zeros = weekly([0, 0, 0, 0, 0, 0, 0, 0]);
    const verdict = expectKind(evaluateAnomaly(input(5, zeros)), 'anomaly');
    assert.equal(verdict.message, '5 calls yesterday, above a usual Tuesday of 0 (median 0, usual 0-3 over 8 Tuesdays)');
    assert.equal(verdict.percent, null);
    assert.equal(verdict.direction, 'above');
    const today = expectKind(evaluateAnomaly(input(5, zeros, { window: 'today' })), 'anomaly');
    assert.equal(today.message, '5 calls so far today, above a usual Tuesday of 0 by this time (median 0, usual 0-3 over 8 Tuesdays)');
  });
  it('judges a usual 0 by the spread alone', () => {
    const zeros = weekly([0, 0, 0, 0]);
    assert.equal(evaluateAnomaly(input(0, zeros)).kind, 'normal');
    assert.equal(evaluateAnomaly(input(3, zeros)).kind, 'normal');
    assert.equal(evaluateAnomaly(input(3.01, zeros)).kind, 'anomaly');
  });
  it('says "less than 1%" when the minimum change is 0 and the change rounds to 0', () => {
    const verdict = expectKind(evaluateAnomaly(input(1004, weekly([1000, 1000, 1000, 1000]), withSettings({ min_change_percent: 0 }))), 'anomaly');
    assert.equal(verdict.percent, 0);
    assert.equal(verdict.message, '1,004 calls yesterday, less than 1% above a usual Tuesday (median 1,000, usual 997-1,003 over 4 Tuesdays)');
  });
});

describe('evaluateAnomaly: boundaries', () => {
  const TENS = weekly([10, 10, 10, 10, 10, 10, 10, 10]); // s = 1 (floor), band 7-13, 20% is 2

  it('is not anomalous at exactly sensitivity × spread (strict >)', () => {
    assert.equal(evaluateAnomaly(input(13, TENS)).kind, 'normal');
    assert.equal(evaluateAnomaly(input(7, TENS)).kind, 'normal');
    assert.equal(evaluateAnomaly(input(12.999, TENS)).kind, 'normal');
    assert.equal(evaluateAnomaly(input(7.001, TENS)).kind, 'normal');
  });
  it('is anomalous just past sensitivity × spread', () => {
    assert.equal(evaluateAnomaly(input(13.001, TENS)).kind, 'anomaly');
    assert.equal(evaluateAnomaly(input(6.999, TENS)).kind, 'anomaly');
    assert.equal(evaluateAnomaly(input(14, TENS)).kind, 'anomaly');
  });
  it('is anomalous at exactly the minimum change once past the spread bound (≥)', () => {
    const hundreds = weekly([100, 100, 100, 100, 100, 100, 100, 100]); // band 97-103, 20% is 20
    const above = expectKind(evaluateAnomaly(input(120, hundreds)), 'anomaly');
    assert.equal(above.percent, 20);
    assert.equal(above.direction, 'above');
    const below = expectKind(evaluateAnomaly(input(80, hundreds)), 'anomaly');
    assert.equal(below.percent, 20);
    assert.equal(below.direction, 'below');
    assert.equal(evaluateAnomaly(input(119.999, hundreds)).kind, 'normal');
    assert.equal(evaluateAnomaly(input(80.001, hundreds)).kind, 'normal');
    assert.equal(evaluateAnomaly(input(120.001, hundreds)).kind, 'anomaly');
    assert.equal(evaluateAnomaly(input(79.999, hundreds)).kind, 'anomaly');
  });
  it('needs both the spread bound and the minimum change', () => {
    // median 100, MAD 30: band about -33 to 233, so doubling is still within it
    const wide = weekly([40, 70, 100, 130, 160]);
    assert.equal(evaluateAnomaly(input(200, wide)).kind, 'normal');
    assert.equal(evaluateAnomaly(input(0, wide)).kind, 'normal');
    // and past the band with a small change is normal too (the 1,700 case above)
    assert.equal(evaluateAnomaly(input(1700, weekly(TUESDAYS))).kind, 'normal');
  });
  it('follows the sensitivity and minimum change settings', () => {
    assert.equal(evaluateAnomaly(input(14, TENS, withSettings({ sensitivity: 4 }))).kind, 'normal');
    assert.equal(evaluateAnomaly(input(14.5, TENS, withSettings({ sensitivity: 4 }))).kind, 'anomaly');
    assert.equal(evaluateAnomaly(input(14, TENS, withSettings({ min_change_percent: 40 }))).kind, 'anomaly');
    assert.equal(evaluateAnomaly(input(14, TENS, withSettings({ min_change_percent: 41 }))).kind, 'normal');
  });
  it('floors the spread at 1 for a constant history', () => {
    const verdict = expectKind(evaluateAnomaly(input(5000, weekly([5000, 5000, 5000, 5000]))), 'normal');
    assert.deepEqual(verdict.expected, { median: 5000, low: 4997, high: 5003, points: 4 });
  });
  it('never puts low below 0', () => {
    const verdict = expectKind(evaluateAnomaly(input(0, weekly([2, 2, 2, 2]))), 'normal');
    assert.deepEqual(verdict.expected, { median: 2, low: 0, high: 5, points: 4 });
    assert.equal(verdict.message, 'within the usual 0-5 for a Tuesday');
  });
  it('is learning with 0 to min_points − 1 usable points', () => {
    for (let n = 0; n < SETTINGS.min_points; n++) {
      const verdict = evaluateAnomaly(input(812, weekly(TUESDAYS.slice(0, n))));
      assert.deepEqual(verdict, { kind: 'learning', points: n, needed: 4, message: `learning (${n} of 4)` });
    }
    assert.equal(evaluateAnomaly(input(812, weekly(TUESDAYS.slice(0, 4)))).kind, 'anomaly');
    assert.deepEqual(evaluateAnomaly(input(0, weekly([1, 2, 3, 4, 5]), withSettings({ min_points: 6 }))), {
      kind: 'learning',
      points: 5,
      needed: 6,
      message: 'learning (5 of 6)',
    });
  });
  it('leaves out excluded points', () => {
    const points: BaselinePoint[] = weekly([1480, 1490, 1470, 1500, 9, 99_999, 0, 5000]).map((p, i) => ({
      ...p,
      excluded: i >= 4 ? (['closed', 'maintenance', 'anomaly', 'anomaly'] as const)[i - 4] : null,
    }));
    const verdict = expectKind(evaluateAnomaly(input(1485, points)), 'normal');
    assert.equal(verdict.expected.points, 4);
    assert.equal(verdict.expected.median, 1485);
    assert.deepEqual(evaluateAnomaly(input(1485, points)), evaluateAnomaly(input(1485, points.slice(0, 4))));
    const mostlyExcluded = points.map((p, i) => (i === 0 ? p : { ...p, excluded: 'closed' as const }));
    assert.equal(evaluateAnomaly(input(1485, mostlyExcluded)).message, 'learning (1 of 4)');
  });
  it('counts only the latest `weeks` usable points, by date', () => {
    const latest = weekly(TUESDAYS);
    const older = [-1, -2, -3].map((i) => ({ date: addDays(TESTED, -7 * (8 - i)), value: 50_000 }));
    const all = [...older, ...latest].reverse();
    const verdict = expectKind(evaluateAnomaly(input(812, all)), 'anomaly');
    assert.equal(verdict.expected.points, 8);
    assert.deepEqual(verdict, evaluateAnomaly(input(812, latest)));
    const three = evaluateAnomaly(input(1500, all, withSettings({ weeks: 3, min_points: 3 })));
    assert.deepEqual(three, evaluateAnomaly(input(1500, latest.slice(0, 3), withSettings({ weeks: 3, min_points: 3 }))));
    assert.equal(expectKind(three, 'normal').expected.points, 3);
  });
  it('goes back past excluded days to fill `weeks` points', () => {
    const points = weekly([...TUESDAYS, 1, 1]).map((p, i) => (i < 8 && i % 4 === 0 ? { ...p, excluded: 'maintenance' as const } : p));
    // two excluded, so the two oldest points join: 8 usable points
    assert.equal(expectKind(evaluateAnomaly(input(1500, points)), 'normal').expected.points, 8);
  });
  it('ignores a point dated the tested day, later points and other weekdays', () => {
    const base = evaluateAnomaly(input(812, weekly(TUESDAYS)));
    const noisy: BaselinePoint[] = [
      { date: TESTED, value: 812 },
      { date: TESTED, value: 812, excluded: null },
      { date: addDays(TESTED, 7), value: 812 },
      { date: addDays(TESTED, -1), value: 812 },
      { date: addDays(TESTED, -8), value: 812 },
      ...weekly(TUESDAYS),
    ];
    assert.deepEqual(evaluateAnomaly(input(812, noisy)), base);
    const onlyToday = [{ date: TESTED, value: 812 }, ...weekly(TUESDAYS.slice(0, 3))];
    assert.equal(evaluateAnomaly(input(812, onlyToday)).message, 'learning (3 of 4)');
  });
  it('keeps the last of two points with the same date', () => {
    const points = [...weekly([1, 1, 1, 1]), ...weekly([100, 100, 100, 100])];
    assert.equal(expectKind(evaluateAnomaly(input(100, points)), 'normal').expected.median, 100);
  });
  it('leaves out points with a malformed date or a non-finite value', () => {
    const points = [{ date: '2026-2-24', value: 5 }, { date: '2026-02-30', value: 5 }, { date: '2026-02-17', value: Number.NaN }, ...weekly([100, 100, 100])];
    assert.equal(evaluateAnomaly(input(100, points)).message, 'learning (3 of 4)');
  });
  it('throws on a malformed tested date or a non-finite value', () => {
    assert.throws(() => evaluateAnomaly(input(1, weekly(TUESDAYS), { date: '2026-03-3' })), RangeError);
    assert.throws(() => evaluateAnomaly(input(Number.NaN, weekly(TUESDAYS))), RangeError);
    assert.throws(() => evaluateAnomaly(input(Number.POSITIVE_INFINITY, weekly(TUESDAYS))), RangeError);
  });
  it('evaluates whatever `enabled` says (the caller decides whether to ask)', () => {
    const off = evaluateAnomaly(input(812, weekly(TUESDAYS), withSettings({ enabled: false })));
    assert.deepEqual(off, evaluateAnomaly(input(812, weekly(TUESDAYS))));
  });
});

describe('evaluateAnomaly: properties', () => {
  it('never alarms on the same value as a constant history', () => {
    const rand = lcg(1);
    for (let i = 0; i < CASES; i++) {
      const { settings, date } = randomCase(rand);
      const c = rand() < 0.1 ? 0 : randomInt(rand, 0, 1_000_000);
      const n = randomInt(rand, settings.min_points, settings.weeks + 2);
      const points = weekly(Array.from({ length: n }, () => c), date);
      const verdict = expectKind(evaluateAnomaly({ value: c, date, window: rand() < 0.5 ? 'today' : 'yesterday', noun: 'rows', points, settings }), 'normal');
      assert.equal(verdict.expected.median, c);
      assert.match(verdict.message, /^within the usual /);
    }
  });

  it('moves the band by less than 5% of the median for one wild outlier (×100) in a steady history', () => {
    const rand = lcg(2);
    for (let i = 0; i < CASES; i++) {
      // Within ±0.4%: both medians and both MADs lie in the clean range, so the band can move
      // at most 2 × 0.4% × (1 + 3 × 1.4826) ≈ 4.4% of the level, whatever the outlier.
      const base = randomInt(rand, 10_000, 1_000_000);
      const date = randomDate(rand);
      const noise = 0.004 * rand();
      const values = Array.from({ length: 8 }, () => Math.round(base * (1 + noise * (2 * rand() - 1))));
      const wild = [...values];
      const at = randomInt(rand, 0, 7);
      wild[at] = (wild[at] as number) * 100;
      const steady = expectKind(evaluateAnomaly(input(base, weekly(values, date), { date })), 'normal').expected;
      const moved = expectKind(evaluateAnomaly(input(base, weekly(wild, date), { date })), 'normal').expected;
      const limit = 0.05 * steady.median;
      assert.ok(Math.abs(moved.median - steady.median) < limit, `median case ${i}`);
      assert.ok(Math.abs(moved.low - steady.low) < limit, `low case ${i}: ${steady.low} -> ${moved.low}`);
      assert.ok(Math.abs(moved.high - steady.high) < limit, `high case ${i}: ${steady.high} -> ${moved.high}`);
    }
  });

  it('never lets the tested day into its own baseline', () => {
    const rand = lcg(3);
    for (let i = 0; i < CASES; i++) {
      const { settings, date, points } = randomCase(rand);
      const value = randomInt(rand, 0, 100_000);
      const base: AnomalyInput = { value, date, window: 'yesterday', noun: 'rows', points, settings };
      const own: BaselinePoint = { date, value: rand() < 0.5 ? value : randomInt(rand, 0, 10_000_000) };
      const at = randomInt(rand, 0, points.length);
      const withOwn = [...points.slice(0, at), own, ...points.slice(at)];
      assert.deepEqual(evaluateAnomaly({ ...base, points: withOwn }), evaluateAnomaly(base));
    }
  });

  it('never flags a value inside [low, high]', () => {
    const rand = lcg(4);
    for (let i = 0; i < CASES; i++) {
      const { settings, date, points } = randomCase(rand);
      const probe: AnomalyInput = { value: 0, date, window: 'yesterday', noun: 'rows', points, settings };
      const first = evaluateAnomaly(probe);
      if (first.kind === 'learning') assert.fail(`case ${i} is learning`);
      const { expected } = first;
      for (const value of [expected.low, expected.high, expected.median, expected.low + rand() * (expected.high - expected.low)]) {
        assert.equal(evaluateAnomaly({ ...probe, value }).kind, 'normal', `case ${i}: ${value} in [${expected.low}, ${expected.high}]`);
      }
    }
  });

  it("says 'above' exactly when the value is above the median", () => {
    const rand = lcg(5);
    const seen = { above: 0, below: 0, normal: 0 };
    for (let i = 0; i < CASES; i++) {
      const { settings, date, points } = randomCase(rand);
      const m = median(points.slice(0, settings.weeks).map((p) => p.value));
      const value = Math.round(m * rand() * 3) + randomInt(rand, 0, 20);
      const verdict = evaluateAnomaly({ value, date, window: 'yesterday', noun: 'rows', points, settings });
      if (verdict.kind === 'anomaly') {
        assert.equal(verdict.direction, value > verdict.expected.median ? 'above' : 'below', `case ${i}`);
        assert.ok(verdict.message.includes(` ${verdict.direction} a usual `));
        if (verdict.percent !== null) {
          assert.equal(verdict.percent, Math.round((Math.abs(value - m) / m) * 100));
          assert.ok(verdict.percent >= Math.round(settings.min_change_percent));
        }
        seen[verdict.direction] += 1;
      } else {
        seen.normal += 1;
      }
    }
    assert.ok(seen.above > 10 && seen.below > 10 && seen.normal > 10, JSON.stringify(seen));
  });

  it('does not depend on the order of the points', () => {
    const rand = lcg(6);
    for (let i = 0; i < CASES; i++) {
      const { settings, date, points } = randomCase(rand);
      const value = randomInt(rand, 0, 100_000);
      const base: AnomalyInput = { value, date, window: 'today', noun: 'rows', points, settings };
      assert.deepEqual(evaluateAnomaly({ ...base, points: shuffled(rand, points) }), evaluateAnomaly(base));
    }
  });
});

