import { formatCount } from './format.ts';
import type { MeasuredOutcome } from './rule-outcome.ts';

export interface CountInput {
  count: number;
  /** What was counted, after "N rows": e.g. "in DimOperators with is_active = 1". */
  what: string;
  /** Count strictly below this: CRITICAL. */
  criticalBelow: number;
  /** Count strictly below this: WARNING; null for no warning bound. */
  warningBelow: number | null;
}

function boundText(level: 'critical' | 'warning', below: number): string {
  // "below 1" is how the config says it; "at 0" is how a person says it.
  return below === 1 ? `${level} at 0` : `${level} below ${formatCount(below)}`;
}

/**
 * A row count against its bounds (README "Default pipelines", `mysql_count`). "Below" is strict: a count equal to
 * the bound is not below it. CRITICAL wins over WARNING.
 *
 * @param input - the count, what it counted and the bounds
 * @returns the status, a sentence with the count and the bound applied
 */
export function evaluateCount(input: CountInput): MeasuredOutcome {
  const { count, what, criticalBelow, warningBelow } = input;
  const counted = `${formatCount(count)} ${count === 1 ? 'row' : 'rows'} ${what}`;
  const critical = boundText('critical', criticalBelow);
  if (count < criticalBelow) {
    return { status: 'CRITICAL', value: count, threshold: critical, message: `${counted} (${critical})` };
  }
  if (warningBelow !== null) {
    const warning = boundText('warning', warningBelow);
    const status = count < warningBelow ? 'WARNING' : 'OK';
    return { status, value: count, threshold: warning, message: `${counted} (${warning})` };
  }
  return { status: 'OK', value: count, threshold: critical, message: `${counted} (${critical})` };
}
