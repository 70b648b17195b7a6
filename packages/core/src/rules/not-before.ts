import { formatLocalTime, localTimeOn } from '../time.ts';
import type { RuleOutcome } from './rule-outcome.ts';

export interface NotBeforeInput {
  /** "HH:MM" local, or null when the pipeline has none. */
  notBefore: string | null;
  now: Date;
  /** `monitoring.timezone`. */
  zone: string;
}

/**
 * `not_before` (README "Default pipelines"): earlier in the local day than this time the pipeline is PENDING and its
 * source is not queried; from that time on (inclusive) the check runs.
 *
 * @param input - the pipeline's `not_before`, `now` and the zone
 * @returns a PENDING outcome while it is too early, else null (run the check)
 */
export function evaluateNotBefore(input: NotBeforeInput): RuleOutcome | null {
  const { notBefore, now, zone } = input;
  if (notBefore === null) return null;
  if (now.getTime() >= localTimeOn(now, zone, notBefore).getTime()) return null;
  return {
    status: 'PENDING',
    threshold: `not before ${notBefore}`,
    message: `not checked before ${notBefore} (it is ${formatLocalTime(now, zone)})`,
  };
}
