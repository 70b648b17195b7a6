import type { FileArrivalPipeline, MysqlCountPipeline, MysqlFreshnessPipeline, SheetUpdatedPipeline } from '../../src/index.ts';

const common = (id: string, group: string) => ({ id, name: id, group, action: 'fix it', not_before: null, quick_check: true, depends_on: [] as string[], days: 'workdays' as const });

export function freshnessPipeline(fields: Partial<MysqlFreshnessPipeline> = {}): MysqlFreshnessPipeline {
  return { ...common('etl_calls', 'Warehouse'), kind: 'mysql_freshness', table: 'FactCalls', column: 'call_start', filters: {}, warning_hours: 12, critical_hours: 24, ...fields };
}

export function countPipeline(fields: Partial<MysqlCountPipeline> = {}): MysqlCountPipeline {
  return {
    ...common('call_volume', 'Warehouse'),
    kind: 'mysql_count',
    table: 'FactCalls',
    column: 'call_start',
    window: 'yesterday',
    filters: {},
    critical_below: 1,
    warning_below: null,
    anomaly: { enabled: false, weeks: 8, sensitivity: 3, min_points: 4, min_change_percent: 20 },
    ...fields,
  };
}

export function filePipeline(directory: string, fields: Partial<FileArrivalPipeline> = {}): FileArrivalPipeline {
  return {
    ...common('morning_csv', 'Files'),
    kind: 'file_arrival',
    directory,
    pattern: 'productivity_{YYYYMMDD}_1131.csv',
    expected: '11:31',
    deadline: '12:00',
    header_rows: 1,
    max_scan_bytes: 64 * 1024 * 1024,
    ...fields,
  };
}

export function sheetPipeline(fields: Partial<SheetUpdatedPipeline> = {}): SheetUpdatedPipeline {
  return { ...common('productivity_upload', 'Google Sheets'), kind: 'sheet_updated', sheet: 'productivity', warning_minutes: 60, critical_minutes: 120, range: null, ...fields };
}
