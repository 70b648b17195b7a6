import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvExports } from '../src/demo/csv-exports.ts';

const ZONE = 'Europe/London';

describe('the demo\'s CSV exports', () => {
  describe('when the demo runs at 09:00, before the morning file is due', () => {
    const now = new Date('2026-11-27T09:00:00Z');
    const { present, absent } = csvExports(now, ZONE);

    it('writes only yesterday\'s files, dated when they arrived', () => {
      assert.deepEqual(
        present.map((file) => [file.name, file.arrivedAt.toISOString(), file.today]),
        [
          ['productivity_20261126_1131.csv', '2026-11-26T11:31:00.000Z', false],
          ['productivity_20261126_1535.csv', '2026-11-26T15:35:00.000Z', false],
        ],
      );
    });

    it('leaves both of today\'s files out', () => {
      assert.deepEqual(absent, ['productivity_20261127_1131.csv', 'productivity_20261127_1535.csv']);
    });
  });

  describe('when the demo runs at 12:00', () => {
    const now = new Date('2026-11-27T12:00:00Z');
    const { present, absent } = csvExports(now, ZONE);

    it('writes today\'s morning file, dated 11:31', () => {
      const morning = present.find((file) => file.name === 'productivity_20261127_1131.csv');
      assert.equal(morning?.arrivedAt.toISOString(), '2026-11-27T11:31:00.000Z');
      assert.equal(morning?.today, true);
    });

    it('keeps the afternoon file absent: the demo\'s PENDING file', () => {
      assert.deepEqual(absent, ['productivity_20261127_1535.csv']);
    });
  });

  it('never dates a file after now, at any time of day, in summer time too', () => {
    for (const day of ['2026-11-27', '2026-07-01', '2026-03-29']) {
      for (let minutes = 0; minutes < 24 * 60; minutes += 7) {
        const now = new Date(Date.parse(`${day}T00:00:00Z`) + minutes * 60_000);
        for (const file of csvExports(now, ZONE).present) assert.ok(file.arrivedAt.getTime() <= now.getTime(), `${file.name} at ${now.toISOString()}`);
      }
    }
  });

  it('uses local time: 11:31 in London in July is 10:31 UTC', () => {
    const { present } = csvExports(new Date('2026-07-01T10:40:00Z'), ZONE);
    assert.equal(present.find((file) => file.today)?.arrivedAt.toISOString(), '2026-07-01T10:31:00.000Z');
  });
});
