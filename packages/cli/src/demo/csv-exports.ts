import { fillDateTemplate, localDayRange, localTimeOn } from '@datamon/core';

/**
 * The demo's CSV exports as they would stand at `now`: each file that has arrived by now, dated
 * when it arrived, and the ones still to come. Pure: `now` and the zone are passed in.
 */

/** The productivity exports of the default pipelines (`morning_csv`, `afternoon_csv`): name pattern and arrival time. */
export const DEMO_EXPORTS = [
  { pattern: 'productivity_{YYYYMMDD}_1131.csv', arrives: '11:31' },
  { pattern: 'productivity_{YYYYMMDD}_1535.csv', arrives: '15:35' },
] as const;

export interface CsvExport {
  name: string;
  /** When it arrived: the file's modification time. */
  arrivedAt: Date;
  /** Varies the file's numbers from one export to the next. */
  seed: number;
  /** Today's export (else yesterday's). */
  today: boolean;
}

/**
 * Yesterday's exports, all arrived; today's that are due by `now` (the morning file at 09:00 is
 * not there yet, and is never written with a time to come). Today's afternoon file is always
 * absent: it is the demo's PENDING file (`demo-config.ts` moves its deadline after 15:00).
 *
 * @returns the files to write and the names that must not be there
 */
export function csvExports(now: Date, zone: string): { present: CsvExport[]; absent: string[] } {
  const yesterday = new Date(localDayRange(now, zone, -1).start.getTime() + 12 * 3_600_000);
  const present: CsvExport[] = [];
  const absent: string[] = [];
  let seed = 0;
  for (const [day, isToday] of [
    [yesterday, false],
    [now, true],
  ] as const) {
    for (const [index, exported] of DEMO_EXPORTS.entries()) {
      seed += 1;
      const name = fillDateTemplate(exported.pattern, day, zone);
      const arrivedAt = localTimeOn(day, zone, exported.arrives);
      const isAfternoon = index === DEMO_EXPORTS.length - 1;
      if (isToday && (isAfternoon || arrivedAt.getTime() > now.getTime())) absent.push(name);
      else present.push({ name, arrivedAt, seed, today: isToday });
    }
  }
  return { present, absent };
}
