import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Holidays from 'date-holidays';
import {
  calendarProblems,
  createCalendar,
  DEFAULT_CALENDAR,
  HOLIDAY_REGIONS,
  publicHolidays,
  WEEKDAYS,
  type CalendarSettings,
  type HolidayRegion,
} from '../src/calendar.ts';
import { bankHolidays, computeBankHolidays } from '../src/bank-holidays.ts';
import { BANK_HOLIDAY_YEARS } from '../src/bank-holidays-table.ts';

const LONDON = 'Europe/London';
const NEW_YORK = 'America/New_York';
const HOUR = 3_600_000;
const MON_FRI: CalendarSettings['workdays'] = ['mon', 'tue', 'wed', 'thu', 'fri'];

function calendar(overrides: Partial<CalendarSettings> = {}) {
  return createCalendar({ ...DEFAULT_CALENDAR, workdays: MON_FRI, ...overrides });
}

type Listed = [date: string, name: string][];

// The official bank holiday lists (gov.uk/bank-holidays). date-holidays also lists the weekend day a
// substitute replaces (e.g. Saturday 2026-12-26); the official list, and the module, do not.
const OFFICIAL: Record<Exclude<HolidayRegion, 'none'>, Record<number, Listed>> = {
  'england-and-wales': {
    2026: [
      ['2026-01-01', "New Year's Day"],
      ['2026-04-03', 'Good Friday'],
      ['2026-04-06', 'Easter Monday'],
      ['2026-05-04', 'Early May bank holiday'],
      ['2026-05-25', 'Spring bank holiday'],
      ['2026-08-31', 'Summer bank holiday'],
      ['2026-12-25', 'Christmas Day'],
      ['2026-12-28', 'Boxing Day (substitute day)'],
    ],
    2027: [
      ['2027-01-01', "New Year's Day"],
      ['2027-03-26', 'Good Friday'],
      ['2027-03-29', 'Easter Monday'],
      ['2027-05-03', 'Early May bank holiday'],
      ['2027-05-31', 'Spring bank holiday'],
      ['2027-08-30', 'Summer bank holiday'],
      ['2027-12-27', 'Christmas Day (substitute day)'],
      ['2027-12-28', 'Boxing Day (substitute day)'],
    ],
  },
  scotland: {
    2026: [
      ['2026-01-01', "New Year's Day"],
      ['2026-01-02', 'January 2nd'],
      ['2026-04-03', 'Good Friday'],
      ['2026-05-04', 'Early May bank holiday'],
      ['2026-05-25', 'Spring bank holiday'],
      ['2026-08-03', 'Summer bank holiday'],
      ['2026-11-30', 'St Andrew’s Day'],
      ['2026-12-25', 'Christmas Day'],
      ['2026-12-28', 'Boxing Day (substitute day)'],
    ],
    2027: [
      ['2027-01-01', "New Year's Day"],
      ['2027-01-04', 'January 2nd (substitute day)'],
      ['2027-03-26', 'Good Friday'],
      ['2027-05-03', 'Early May bank holiday'],
      ['2027-05-31', 'Spring bank holiday'],
      ['2027-08-02', 'Summer bank holiday'],
      ['2027-11-30', 'St Andrew’s Day'],
      ['2027-12-27', 'Christmas Day (substitute day)'],
      ['2027-12-28', 'Boxing Day (substitute day)'],
    ],
  },
  'northern-ireland': {
    2026: [
      ['2026-01-01', "New Year's Day"],
      ['2026-03-17', 'St Patrick’s Day'],
      ['2026-04-03', 'Good Friday'],
      ['2026-04-06', 'Easter Monday'],
      ['2026-05-04', 'Early May bank holiday'],
      ['2026-05-25', 'Spring bank holiday'],
      ['2026-07-13', 'Battle of the Boyne (Orangemen’s Day) (substitute day)'],
      ['2026-08-31', 'Summer bank holiday'],
      ['2026-12-25', 'Christmas Day'],
      ['2026-12-28', 'Boxing Day (substitute day)'],
    ],
    2027: [
      ['2027-01-01', "New Year's Day"],
      ['2027-03-17', 'St Patrick’s Day'],
      ['2027-03-26', 'Good Friday'],
      ['2027-03-29', 'Easter Monday'],
      ['2027-05-03', 'Early May bank holiday'],
      ['2027-05-31', 'Spring bank holiday'],
      ['2027-07-12', 'Battle of the Boyne (Orangemen’s Day)'],
      ['2027-08-30', 'Summer bank holiday'],
      ['2027-12-27', 'Christmas Day (substitute day)'],
      ['2027-12-28', 'Boxing Day (substitute day)'],
    ],
  },
};

describe('UK bank holidays', () => {
  for (const [region, years] of Object.entries(OFFICIAL) as [Exclude<HolidayRegion, 'none'>, Record<number, Listed>][]) {
    for (const [year, listed] of Object.entries(years)) {
      describe(`${region} ${year}`, () => {
        it('are exactly the official list, in date order', () => {
          assert.deepEqual(
            publicHolidays(region, Number(year)),
            listed.map(([date, name]) => ({ date, name })),
          );
        });
        it('each close the day with the holiday as the reason', () => {
          const cal = calendar({ holidays: region });
          for (const [date, name] of listed) assert.deepEqual(cal.day(date), { working: false, reason: name }, date);
        });
      });
    }
  }

  it('are the same for England and Wales in the data set', () => {
    const dates = (state: string) => new Holidays('GB', state, { types: ['public'] }).getHolidays(2026).map((h) => `${h.date} ${h.name}`);
    assert.deepEqual(dates('WLS'), dates('ENG'));
  });

  it('do not close the weekend day a substitute replaces, even with weekend workdays', () => {
    const cal = calendar({ workdays: [...WEEKDAYS], holidays: 'england-and-wales' });
    assert.deepEqual(cal.day('2026-12-26'), { working: true, reason: null });
    assert.deepEqual(cal.day('2026-12-28'), { working: false, reason: 'Boxing Day (substitute day)' });
  });

  it('come from a table that says what the installed date-holidays says, for every year it holds', () => {
    assert.ok(BANK_HOLIDAY_YEARS.from <= 2020 && BANK_HOLIDAY_YEARS.to >= 2060, `the table holds ${BANK_HOLIDAY_YEARS.from}-${BANK_HOLIDAY_YEARS.to}`);
    for (const region of HOLIDAY_REGIONS.filter((r) => r !== 'none') as Exclude<HolidayRegion, 'none'>[]) {
      for (let year = BANK_HOLIDAY_YEARS.from; year <= BANK_HOLIDAY_YEARS.to; year++) {
        assert.deepEqual(bankHolidays(region, year), computeBankHolidays(region, year), `${region} ${year}: the table is out of date; run npm run holidays`);
      }
    }
  });

  it('are computed from date-holidays for a year outside the table', () => {
    const year = BANK_HOLIDAY_YEARS.to + 1;
    const list = publicHolidays('england-and-wales', year);
    assert.equal(list.length, 8);
    assert.deepEqual(list.at(-2), { date: `${year}-12-25`, name: 'Christmas Day' });
    assert.deepEqual(publicHolidays('scotland', BANK_HOLIDAY_YEARS.from - 1)[0]?.name, "New Year's Day");
  });

  it('are empty for the region none', () => {
    assert.deepEqual(publicHolidays('none', 2026), []);
  });

  it('leave ordinary weekdays open', () => {
    const cal = calendar({ holidays: 'scotland' });
    assert.deepEqual(cal.day('2026-04-06'), { working: true, reason: null }, 'no Easter Monday in Scotland');
    assert.deepEqual(cal.day('2026-08-31'), { working: true, reason: null }, 'Scotland’s summer holiday is in early August');
  });

  it('come back as copies that callers cannot use to change the calendar', () => {
    const list = publicHolidays('england-and-wales', 2026);
    list.length = 0;
    assert.equal(publicHolidays('england-and-wales', 2026).length, 8);
  });
});

describe('working days', () => {
  it('exclude Saturday and Sunday in a Monday-to-Friday calendar', () => {
    const cal = calendar();
    assert.deepEqual(cal.day('2026-11-28'), { working: false, reason: 'Saturday (not a workday)' });
    assert.deepEqual(cal.day('2026-11-29'), { working: false, reason: 'Sunday (not a workday)' });
    assert.deepEqual(cal.day('2026-11-30'), { working: true, reason: null });
    assert.deepEqual(cal.day('2026-11-27'), { working: true, reason: null });
  });

  it('exclude extra holidays', () => {
    const cal = calendar({ extra_holidays: ['2026-12-24'] });
    assert.deepEqual(cal.day('2026-12-24'), { working: false, reason: 'an extra holiday' });
    assert.deepEqual(cal.day('2026-12-23'), { working: true, reason: null });
  });

  it('include extra workdays on a weekend, a bank holiday or an extra holiday', () => {
    const cal = calendar({
      holidays: 'england-and-wales',
      extra_holidays: ['2026-12-24'],
      extra_workdays: ['2026-11-28', '2026-12-25', '2026-12-24'],
    });
    assert.deepEqual(cal.day('2026-11-28'), { working: true, reason: null });
    assert.deepEqual(cal.day('2026-12-25'), { working: true, reason: null });
    assert.deepEqual(cal.day('2026-12-24'), { working: true, reason: null });
    assert.deepEqual(cal.day('2026-11-29'), { working: false, reason: 'Sunday (not a workday)' });
  });

  it('are every day in the default calendar, which restricts nothing', () => {
    const cal = createCalendar(DEFAULT_CALENDAR);
    assert.equal(cal.restricts, false);
    for (const date of ['2026-11-28', '2026-11-29', '2026-12-25', '2027-01-01']) assert.deepEqual(cal.day(date), { working: true, reason: null });
    assert.deepEqual(DEFAULT_CALENDAR, { workdays: [...WEEKDAYS], holidays: 'none', extra_holidays: [], extra_workdays: [] });
    assert.deepEqual(WEEKDAYS, ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
    assert.deepEqual(HOLIDAY_REGIONS, ['none', 'england-and-wales', 'scotland', 'northern-ireland']);
  });

  it('restrict once a weekday, a region or an extra holiday is set, but not for extra workdays alone', () => {
    assert.equal(calendar().restricts, true);
    assert.equal(createCalendar({ ...DEFAULT_CALENDAR, holidays: 'scotland' }).restricts, true);
    assert.equal(createCalendar({ ...DEFAULT_CALENDAR, extra_holidays: ['2026-12-24'] }).restricts, true);
    assert.equal(createCalendar({ ...DEFAULT_CALENDAR, extra_workdays: ['2026-12-24'] }).restricts, false);
  });

  it('refuse a date that is not YYYY-MM-DD or not real', () => {
    const cal = calendar();
    assert.throws(() => cal.day('2026-02-30'), /not a date/);
    assert.throws(() => cal.day('24/12/2026'), /not a date/);
  });
});

describe('isWorkingDay', () => {
  it('uses the local date in the zone', () => {
    const cal = calendar({ holidays: 'england-and-wales' });
    const instant = new Date('2026-12-25T00:30:00+00:00');
    assert.equal(cal.isWorkingDay(instant, LONDON), false, 'Christmas Day in London');
    assert.equal(cal.isWorkingDay(instant, NEW_YORK), true, 'the evening of Thursday 24 December in New York');
  });

  it('uses local time in summer, not UTC', () => {
    // 23:30 UTC on Friday 2026-07-03 is already Saturday in London.
    assert.equal(calendar().isWorkingDay(new Date('2026-07-03T23:30:00Z'), LONDON), false);
    assert.equal(calendar().isWorkingDay(new Date('2026-07-03T22:30:00Z'), LONDON), true);
  });
});

describe('an unknown zone', () => {
  it('is refused rather than read as some date', () => {
    const cal = calendar();
    assert.throws(() => cal.isWorkingDay(new Date('2026-11-30T10:00:00Z'), 'Europe/Londres'), /"Europe\/Londres" is not a time zone/);
    assert.throws(() => cal.workingTimeBetween(new Date('2026-11-27T10:00:00Z'), new Date('2026-11-30T10:00:00Z'), 'Europe/Londres'), /not a time zone/);
  });
});

describe('previousWorkingDay', () => {
  const cal = calendar({ holidays: 'england-and-wales' });

  it('goes from a Monday back to the Friday before', () => {
    assert.equal(cal.previousWorkingDay('2026-11-30'), '2026-11-27');
  });

  it('skips the Easter weekend from the Tuesday after Easter Monday', () => {
    assert.equal(cal.previousWorkingDay('2026-04-07'), '2026-04-02');
  });

  it('skips Christmas, the weekend and the Boxing Day substitute', () => {
    assert.equal(cal.previousWorkingDay('2026-12-29'), '2026-12-24');
    assert.equal(calendar({ holidays: 'england-and-wales', extra_holidays: ['2026-12-24'] }).previousWorkingDay('2026-12-29'), '2026-12-23');
    assert.equal(cal.previousWorkingDay('2027-12-29'), '2027-12-24');
  });

  it('crosses into the previous year', () => {
    assert.equal(cal.previousWorkingDay('2027-01-04'), '2026-12-31');
    assert.equal(calendar({ holidays: 'scotland' }).previousWorkingDay('2027-01-05'), '2026-12-31');
  });

  it('is strictly before the date, even when the date itself is a working day', () => {
    assert.equal(cal.previousWorkingDay('2026-11-26'), '2026-11-25');
  });

  it('throws when the calendar has no working days', () => {
    assert.throws(() => calendar({ workdays: [] }).previousWorkingDay('2026-11-30'), /no working day/);
  });
});

describe('workingTimeBetween', () => {
  it('counts only the working days of a span: Friday 23:00 to Monday 07:30 is 8.5 hours', () => {
    const from = new Date('2026-11-27T23:00:00Z');
    const to = new Date('2026-11-30T07:30:00Z');
    assert.equal(calendar().workingTimeBetween(from, to, LONDON), 8.5 * HOUR);
  });

  it('counts a 23-hour day on the spring clock change (2026-03-29)', () => {
    const midnight = new Date('2026-03-29T00:00:00Z');
    const nextMidnight = new Date('2026-03-29T23:00:00Z');
    assert.equal(createCalendar(DEFAULT_CALENDAR).workingTimeBetween(midnight, nextMidnight, LONDON), 23 * HOUR);
    // Closed days either side make the calendar walk day by day.
    const walking = createCalendar({ ...DEFAULT_CALENDAR, extra_holidays: ['2026-03-28', '2026-03-30'] });
    assert.equal(walking.workingTimeBetween(new Date('2026-03-28T12:00:00Z'), new Date('2026-03-30T11:00:00Z'), LONDON), 23 * HOUR);
  });

  it('counts a 25-hour day on the autumn clock change (2026-10-25)', () => {
    const midnight = new Date('2026-10-24T23:00:00Z');
    const nextMidnight = new Date('2026-10-26T00:00:00Z');
    assert.equal(createCalendar(DEFAULT_CALENDAR).workingTimeBetween(midnight, nextMidnight, LONDON), 25 * HOUR);
    const walking = createCalendar({ ...DEFAULT_CALENDAR, extra_holidays: ['2026-10-24', '2026-10-26'] });
    assert.equal(walking.workingTimeBetween(new Date('2026-10-24T11:00:00Z'), new Date('2026-10-26T12:00:00Z'), LONDON), 25 * HOUR);
  });

  it('skips bank holidays inside the span', () => {
    const cal = calendar({ holidays: 'england-and-wales' });
    // Thursday 24 Dec 12:00 to Tuesday 29 Dec 12:00: half of each end, nothing in between.
    assert.equal(cal.workingTimeBetween(new Date('2026-12-24T12:00:00Z'), new Date('2026-12-29T12:00:00Z'), LONDON), 24 * HOUR);
  });

  it('is 0 for a span entirely on closed days', () => {
    const from = new Date('2026-11-28T10:00:00Z');
    const to = new Date('2026-11-29T20:00:00Z');
    assert.equal(calendar().workingTimeBetween(from, to, LONDON), 0);
  });

  it('is 0 when to is not after from', () => {
    const at = new Date('2026-11-30T10:00:00Z');
    assert.equal(calendar().workingTimeBetween(at, at, LONDON), 0);
    assert.equal(calendar().workingTimeBetween(at, new Date('2026-11-30T09:00:00Z'), LONDON), 0);
    assert.equal(createCalendar(DEFAULT_CALENDAR).workingTimeBetween(at, new Date('2026-11-30T09:00:00Z'), LONDON), 0);
  });

  it('uses the local days of the zone it is given', () => {
    // Friday 2026-11-27 23:00 UTC is 18:00 in New York, still Friday there: 6 h to midnight, then Monday 00:00-02:30.
    const from = new Date('2026-11-27T23:00:00Z');
    const to = new Date('2026-11-30T07:30:00Z');
    assert.equal(calendar().workingTimeBetween(from, to, NEW_YORK), 8.5 * HOUR);
    assert.equal(calendar().workingTimeBetween(from, new Date('2026-11-30T03:00:00Z'), NEW_YORK), 6 * HOUR);
  });
});

describe('calendarProblems', () => {
  it('finds nothing wrong with a good calendar or none at all', () => {
    assert.deepEqual(
      calendarProblems({ workdays: MON_FRI, holidays: 'england-and-wales', extra_holidays: ['2026-12-24'], extra_workdays: [] }),
      [],
    );
    assert.deepEqual(calendarProblems({}), []);
    assert.deepEqual(calendarProblems(undefined), []);
  });

  it('names an unknown weekday', () => {
    assert.deepEqual(calendarProblems({ workdays: ['mon', 'monday', 'Fri'] }), [
      'calendar.workdays: "monday" is not a weekday (mon, tue, wed, thu, fri, sat, sun)',
      'calendar.workdays: "Fri" is not a weekday (mon, tue, wed, thu, fri, sat, sun)',
    ]);
  });

  it('names workdays that are not a list, or an empty list', () => {
    assert.match(calendarProblems({ workdays: 'mon' })[0] ?? '', /^calendar\.workdays: must be a list .*"mon"/);
    assert.match(calendarProblems({ workdays: [] })[0] ?? '', /^calendar\.workdays: is empty/);
  });

  it('names an unknown holiday region', () => {
    assert.deepEqual(calendarProblems({ holidays: 'england' }), [
      'calendar.holidays: "england" is not a holiday region (none, england-and-wales, scotland, northern-ireland)',
    ]);
  });

  it('names a date that is not YYYY-MM-DD', () => {
    assert.deepEqual(calendarProblems({ extra_holidays: ['24/12/2026', 20261224], extra_workdays: ['2026-1-5'] }), [
      'calendar.extra_holidays: "24/12/2026" is not a date in YYYY-MM-DD form',
      'calendar.extra_holidays: 20261224 is not a date in YYYY-MM-DD form',
      'calendar.extra_workdays: "2026-1-5" is not a date in YYYY-MM-DD form',
    ]);
  });

  it('names a date that does not exist', () => {
    assert.deepEqual(calendarProblems({ extra_holidays: ['2026-02-29'], extra_workdays: ['2026-13-01'] }), [
      'calendar.extra_holidays: "2026-02-29" is not a real date',
      'calendar.extra_workdays: "2026-13-01" is not a real date',
    ]);
  });

  it('names date lists that are not lists, unknown keys and a calendar that is not a mapping', () => {
    assert.match(calendarProblems({ extra_workdays: '2026-12-24' })[0] ?? '', /^calendar\.extra_workdays: must be a list of dates .*"2026-12-24"/);
    assert.match(calendarProblems({ extra_holiday: ['2026-12-24'] })[0] ?? '', /^calendar\.extra_holiday: unknown key/);
    assert.match(calendarProblems(['mon'])[0] ?? '', /^calendar: must be a mapping/);
  });

  it('reports every problem at once', () => {
    assert.equal(calendarProblems({ workdays: ['funday'], holidays: 'wales', extra_holidays: ['2026-02-30'], extra_workdays: ['tomorrow'] }).length, 4);
  });
});
