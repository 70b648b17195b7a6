import type { CheckinDefinition, DatamonConfig } from '@datamon/core';

/**
 * The default pipelines of README "Default pipelines" and check-ins of README "Check-ins and the schedule", derived from the original monitor's thresholds.
 * Action texts come from the original troubleshooting guide.
 */

export const DEFAULT_ACTIONS: Record<string, string> = {
  etl_calls:
    'Check the ETL scheduler (crontab -l on the ETL host), database connectivity, and the ETL logs in /var/log/etl_scripts/ for errors.',
  first_calls:
    'Check that the first-calls ETL step ran this morning, database connectivity, and the ETL logs for errors.',
  operators:
    'Check the operator sync job and the DimOperators load in the ETL logs; confirm with the rota whether operators were deactivated.',
  call_volume:
    'Check that yesterday\'s calls were loaded in full: the ETL scheduler, the source telephony export, and the ETL logs.',
  morning_csv:
    'Check the 11:31 productivity export job, the CSV drop folder and its permissions, and re-run the export if it failed.',
  afternoon_csv:
    'Check the 15:35 productivity export job, the CSV drop folder and its permissions, and re-run the export if it failed.',
  productivity_upload:
    'Check the productivity upload to Google Sheets: the upload script, its service-account access to the sheet, and its logs.',
  inbound_sheet:
    'Check the inbound sheet update: the job that writes it, its service-account access to the sheet, and its logs.',
};

export const GENERIC_ACTION = 'Check the pipeline\'s source job, its logs and its connectivity, then re-run it.';

type DefaultsInput = Pick<DatamonConfig, 'thresholds' | 'google_sheets'>;

/**
 * The default pipelines of README "Default pipelines" as items of a `pipelines:` list: the config loader reads them
 * like a user's list, so each kind's defaults (folders, thresholds) fill in the rest.
 */
export function defaultPipelineItems(config: DefaultsInput): Record<string, unknown>[] {
  const { thresholds } = config;
  const items: Record<string, unknown>[] = [
    { id: 'etl_calls', name: 'ETL Calls', kind: 'mysql_freshness', table: 'FactCalls', column: 'call_start' },
    // First calls and yesterday's volume come from the same overnight ETL: while it is CRITICAL,
    // their failures are its failure (README "Dependencies").
    { id: 'first_calls', name: 'First Calls', kind: 'mysql_count', not_before: '09:00', table: 'FactFirstCalls', column: 'call_start', window: 'today', critical_below: 1, depends_on: ['etl_calls'], anomaly: { enabled: true } },
    {
      id: 'operators',
      name: 'Operators',
      kind: 'mysql_count',
      table: 'DimOperators',
      window: 'all',
      filters: { is_active: 1 },
      critical_below: 200,
      warning_below: thresholds.expected_operators,
    },
    {
      id: 'call_volume',
      name: 'Call Volume',
      kind: 'mysql_count',
      table: 'FactCalls',
      column: 'call_start',
      window: 'yesterday',
      critical_below: 1,
      warning_below: thresholds.min_daily_calls,
      depends_on: ['etl_calls'],
      // A usual weekday's volume, learnt from the last 8 (README "Volume anomalies").
      anomaly: { enabled: true },
    },
    { id: 'morning_csv', name: 'Morning CSV', kind: 'file_arrival', pattern: 'productivity_{YYYYMMDD}_1131.csv', expected: '11:31', deadline: '12:00' },
    { id: 'afternoon_csv', name: 'Afternoon CSV', kind: 'file_arrival', pattern: 'productivity_{YYYYMMDD}_1535.csv', expected: '15:35', deadline: '16:00' },
  ];
  for (const [id, name, sheet] of [
    ['productivity_upload', 'Productivity Upload', 'productivity'],
    ['inbound_sheet', 'Inbound Sheet', 'inbound'],
  ] as const) {
    // README "Default pipelines": Sheets pipelines exist only when their sheet is configured, and are read at their
    // check-ins only (the API has quotas, and an upload matters at the check-in that expects it).
    if (config.google_sheets.sheets[sheet]) items.push({ id, name, kind: 'sheet_updated', sheet, quick_check: false });
  }
  return items;
}

/** The ids of the default pipelines (the Sheets ones only when their sheet is configured). */
export const DEFAULT_PIPELINE_IDS = ['etl_calls', 'first_calls', 'operators', 'call_volume', 'morning_csv', 'afternoon_csv', 'productivity_upload', 'inbound_sheet'] as const;

export const DEFAULT_CHECKINS: readonly CheckinDefinition[] = [
  { id: 'morning', cron: '30 7 * * *', time: '07:30', label: 'Morning CC Data Check', pipelines: ['etl_calls', 'operators', 'call_volume'], days: 'workdays' },
  { id: 'first_shift', cron: '45 11 * * *', time: '11:45', label: 'First Shift Check', pipelines: ['morning_csv', 'first_calls', 'productivity_upload'], days: 'workdays' },
  { id: 'second_shift', cron: '45 15 * * *', time: '15:45', label: 'Second Shift Check', pipelines: ['afternoon_csv', 'productivity_upload', 'inbound_sheet'], days: 'workdays' },
];
