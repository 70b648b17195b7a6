import { localTimeOn } from '../time.ts';
import { formatCount } from './format.ts';
import type { MeasuredOutcome } from './rule-outcome.ts';

/** What was found on disk for today's file. */
/** What was found: nothing, or a file and its data rows (`atLeast`: counting stopped at the scan cap). */
export type FileObservation = { present: false } | { present: true; dataRows: number; atLeast?: boolean };

export interface FileArrivalInput {
  /** Today's file name, tokens already filled: "productivity_20260330_1131.csv". */
  fileName: string;
  /** Where it was looked for, named in the message; null to leave it out. */
  location: string | null;
  file: FileObservation;
  now: Date;
  /** `monitoring.timezone`: `expected` and `deadline` are local times of day there. */
  zone: string;
  /** "HH:MM" when the file is expected. */
  expected: string;
  /** "HH:MM" from which a missing file is CRITICAL. */
  deadline: string;
}

/**
 * File arrival (README "Default pipelines", `file_arrival`): a file that is there is OK whatever the time, WARNING
 * when it has no data rows; a missing file is PENDING before its deadline and CRITICAL at or after
 * it. The value is the number of data rows, or null when the file is missing.
 *
 * @param input - the observation, `now`, the zone and the day's times
 * @returns the status and a sentence naming the file and its deadline
 */
export function evaluateFileArrival(input: FileArrivalInput): MeasuredOutcome {
  const { fileName, location, file, now, zone, expected, deadline } = input;
  const where = location ? ` in ${location}` : '';
  const threshold = `deadline ${deadline}`;
  if (file.present) {
    if (file.dataRows === 0) {
      return { status: 'WARNING', value: 0, threshold: 'no data rows', message: `${fileName} arrived${where} but has no data rows` };
    }
    const rows = `${file.atLeast ? 'at least ' : ''}${formatCount(file.dataRows)} data ${file.dataRows === 1 && !file.atLeast ? 'row' : 'rows'}`;
    return { status: 'OK', value: file.dataRows, threshold, message: `${fileName} arrived${where} with ${rows}` };
  }
  if (now.getTime() >= localTimeOn(now, zone, deadline).getTime()) {
    return {
      status: 'CRITICAL',
      value: null,
      threshold,
      message: `${fileName} is missing${where}: expected at ${expected}, deadline ${deadline} has passed`,
    };
  }
  if (now.getTime() < localTimeOn(now, zone, expected).getTime()) {
    return { status: 'PENDING', value: null, threshold, message: `${fileName} is expected at ${expected} (deadline ${deadline})` };
  }
  return {
    status: 'PENDING',
    value: null,
    threshold,
    message: `${fileName} is not there yet${where}: expected at ${expected}, CRITICAL if still missing at the ${deadline} deadline`,
  };
}
