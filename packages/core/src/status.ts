/** The four statuses of README "Statuses", in the order in which they raise the overall status. */
export const STATUSES = ['OK', 'PENDING', 'WARNING', 'CRITICAL'] as const;
export type Status = (typeof STATUSES)[number];

export const STATUS_ICON: Readonly<Record<Status, string>> = {
  OK: '✅',
  WARNING: '⚠️',
  CRITICAL: '🔴',
  PENDING: '⏳',
};

export const STATUS_COLOUR: Readonly<Record<Status, string>> = {
  OK: '#188038',
  WARNING: '#f29900',
  CRITICAL: '#d93025',
  PENDING: '#5f6368',
};

const SEVERITY: Readonly<Record<Status, number>> = { OK: 0, PENDING: 0, WARNING: 1, CRITICAL: 2 };

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

/** 0 for OK and PENDING, 1 for WARNING, 2 for CRITICAL: also `datamon check`'s exit code. */
export function severity(status: Status): number {
  return SEVERITY[status];
}

/** A status that opens an incident. */
export function isProblem(status: Status): boolean {
  return status === 'WARNING' || status === 'CRITICAL';
}

/** The worse of two statuses; PENDING never raises an OK. */
export function worst(a: Status, b: Status): Status {
  return severity(b) > severity(a) ? b : a;
}

/**
 * README "Statuses": CRITICAL if any pipeline is CRITICAL, else WARNING if any is WARNING, else OK.
 * PENDING never raises it.
 */
export function overallStatus(statuses: Iterable<Status>): Status {
  let overall: Status = 'OK';
  for (const status of statuses) {
    if (status === 'CRITICAL') return 'CRITICAL';
    if (status === 'WARNING') overall = 'WARNING';
  }
  return overall;
}

export type StatusCounts = Record<Status, number>;

export function countStatuses(statuses: Iterable<Status>): StatusCounts {
  const counts: StatusCounts = { OK: 0, WARNING: 0, CRITICAL: 0, PENDING: 0 };
  for (const status of statuses) counts[status] += 1;
  return counts;
}

/** The monitor's verdict over all pipelines: a status, or CHECKING while some were never checked. */
export type OverallStatus = Status | 'CHECKING';

/**
 * README "Watching the monitor": no verdict without a check. CRITICAL or WARNING as
 * {@link overallStatus} says whatever else is true (bad news is news); otherwise, while any
 * pipeline has never been checked (`null`), CHECKING rather than OK.
 */
export function overallOfSnapshot(statuses: Iterable<Status | null>): OverallStatus {
  const checked: Status[] = [];
  let unchecked = false;
  for (const status of statuses) {
    if (status === null) unchecked = true;
    else checked.push(status);
  }
  const overall = overallStatus(checked);
  return overall === 'OK' && unchecked ? 'CHECKING' : overall;
}

/**
 * A check-in's status (README "Watching the monitor"): CRITICAL, else WARNING, else PENDING
 * ("waiting") while any of its pipelines is PENDING, and OK only when every one is OK.
 */
export function checkinStatus(statuses: Iterable<Status>): Status {
  const list = [...statuses];
  const overall = overallStatus(list);
  return overall === 'OK' && list.includes('PENDING') ? 'PENDING' : overall;
}
