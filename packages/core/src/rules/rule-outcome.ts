import type { Status } from '../status.ts';

/** What a rule concludes from one measured value: the status, a sentence and the bound applied. */
export interface RuleOutcome {
  status: Status;
  /** One line a person understands, e.g. "241 rows in DimOperators with is_active = 1 (warning below 237)". */
  message: string;
  /** The bound the value was measured against, e.g. "critical over 24 h"; null when none applies. */
  threshold: string | null;
}

/** A rule outcome with the figure it measured, as a check result's `value`. */
export interface MeasuredOutcome extends RuleOutcome {
  value: number | null;
}
