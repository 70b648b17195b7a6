import type { Status } from './status.ts';

/**
 * What one run of one pipeline's check found (SPEC 3). A check that found a problem returns a
 * result; one that could not run at all also returns a result, CRITICAL, saying why.
 */
export interface CheckResult {
  pipelineId: string;
  status: Status;
  /** The measured figure: a count, an age in minutes, a file's data rows; null when none. */
  value: number | string | null;
  /** One line a person understands, e.g. "newest call 26.0 h ago (critical over 24 h)". */
  message: string;
  /** ISO 8601 UTC instant of the check. */
  checkedAt: string;
  /** Kind-specific facts (threshold, file name, query time...). Never secrets. */
  details: Record<string, unknown>;
  /** How long the check took. */
  durationMs: number;
}
