import type { CheckinRun, IncidentNotification, IncidentRecord } from '@datamon/core';

/** A CRITICAL incident of ETL Calls opened at 07:31 London time (06:31 UTC, summer time). */
export function incident(overrides: Partial<IncidentRecord> = {}): IncidentRecord {
  return {
    id: 'etl_calls-1774852260000',
    pipelineId: 'etl_calls',
    pipelineName: 'ETL Calls',
    status: 'CRITICAL',
    worstStatus: 'CRITICAL',
    openedAt: '2026-03-30T06:31:00.000Z',
    closedAt: null,
    acknowledged: false,
    acknowledgedAt: null,
    acknowledgedBy: null,
    criticalSince: '2026-03-30T06:31:00.000Z',
    escalations: 0,
    lastEscalatedAt: null,
    emailed: true,
    message: 'newest FactCalls.call_start is 26.0 h old (critical over 24 h)',
    value: 26,
    threshold: 'critical over 24 h',
    notificationSeq: 1,
    lastStatus: 'CRITICAL',
    lastCheckedAt: '2026-03-30T06:31:00.000Z',
    announcedStatus: 'CRITICAL',
    announcedAt: '2026-03-30T06:31:05.000Z',
    held: null,
    reopenCount: 0,
    resolution: null,
    ...overrides,
  };
}

export function notification(
  overrides: Partial<Omit<IncidentNotification, 'incident'>> = {},
  record: IncidentRecord = incident(),
): IncidentNotification {
  const kind = overrides.kind ?? 'critical';
  const channel = overrides.channel ?? 'chat';
  return {
    id: `${record.id}:${kind}:1:${channel}`,
    incidentId: record.id,
    pipelineId: record.pipelineId,
    channel,
    kind,
    reason: 'opened',
    seq: 1,
    decidedAt: '2026-03-30T06:31:05.000Z',
    late: false,
    incident: record,
    ...overrides,
  };
}

/** The 11:45 First Shift Check with one CRITICAL, one WARNING and one OK. */
export function checkinRun(overrides: Partial<CheckinRun> = {}): CheckinRun {
  return {
    id: 'first_shift-1774867500000',
    checkinId: 'first_shift',
    label: 'First Shift Check',
    scheduledFor: '2026-03-30T10:45:00.000Z',
    ranAt: '2026-03-30T10:45:02.000Z',
    late: false,
    manual: false,
    overall: 'CRITICAL',
    results: [
      { pipelineId: 'morning_csv', status: 'CRITICAL', message: 'productivity_20260330_1131.csv is missing after its deadline 12:00', value: null },
      { pipelineId: 'first_calls', status: 'OK', message: '1,204 rows in FactFirstCalls today (critical at 0)', value: 1204 },
      { pipelineId: 'operators', status: 'WARNING', message: '231 rows in DimOperators with is_active = 1 (warning below 237)', value: 231 },
    ],
    ...overrides,
  };
}
