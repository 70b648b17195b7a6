import convict from 'convict';
import { isValidTimeZone } from '@datamon/core';
import { cronProblem } from './cron.ts';

/**
 * The one config schema (SPEC 2). The seed's original keys keep their names and meaning; the added
 * keys are optional with the defaults shown. Free-form subtrees (`pipelines`,
 * `schedule.checkins`, `google_sheets.sheets`) are checked item by item in `pipelines.ts`.
 */

convict.addFormat({
  name: 'timezone',
  validate(value: unknown) {
    if (typeof value !== 'string' || !isValidTimeZone(value)) throw new Error('must be an IANA time zone such as Europe/London');
  },
});

convict.addFormat({
  name: 'cron',
  validate(value: unknown) {
    if (typeof value !== 'string') throw new Error('must be a cron pattern string');
    const problem = cronProblem(value);
    if (problem) throw new Error(problem);
  },
});

convict.addFormat({
  name: 'string-list',
  validate(value: unknown) {
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw new Error('must be a list of strings');
  },
});

convict.addFormat({
  name: 'positive-int',
  validate(value: unknown) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error('must be a whole number, 0 or more');
  },
  coerce: (value: unknown) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
});

convict.addFormat({
  name: 'number-value',
  validate(value: unknown) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error('must be a number, 0 or more');
  },
  coerce: (value: unknown) => (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value),
});

convict.addFormat({
  name: 'bool',
  validate(value: unknown) {
    if (typeof value !== 'boolean') throw new Error('must be true or false');
  },
  coerce: (value: unknown) => (value === 'true' ? true : value === 'false' ? false : value),
});

convict.addFormat({
  name: 'free-object',
  validate(value: unknown) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('must be a mapping of names to settings');
  },
});

convict.addFormat({
  name: 'free-list',
  validate(value: unknown) {
    if (!Array.isArray(value)) throw new Error('must be a list');
  },
});

const str = (doc: string, value = '', sensitive = false) => ({ doc, format: String, default: value, sensitive });

export const schema = {
  database: {
    host: str('MySQL host', 'localhost'),
    port: { doc: 'MySQL port', format: 'port', default: 3306 },
    database: str('Database (schema) name', 'contact_centre_analytics'),
    user: str('MySQL user', 'etl_user'),
    password: str('MySQL password', '', true),
    timezone: { doc: 'Zone in which the warehouse stores DATETIME values', format: 'timezone', default: 'Europe/London' },
    query_timeout_ms: { doc: 'Per-query timeout', format: 'positive-int', default: 10_000 },
  },
  google_chat: {
    webhook_url: str('Google Chat incoming webhook URL (its key and token are secret)', '', true),
    enabled: { doc: 'Send Google Chat cards', format: 'bool', default: true },
  },
  email: {
    enabled: { doc: 'Send email', format: 'bool', default: true },
    smtp_server: str('SMTP host', ''),
    smtp_port: { doc: 'SMTP port', format: 'port', default: 587 },
    secure: { doc: 'TLS from the first byte (port 465); false uses STARTTLS when offered', format: 'bool', default: false },
    sender: str('From address', ''),
    user: str('SMTP login (defaults to sender)', ''),
    password: str('SMTP password', '', true),
    recipients: { doc: 'To addresses', format: 'string-list', default: [] as string[] },
  },
  monitoring: {
    csv_directory: str('Folder where CSV exports arrive', './daily_reports'),
    log_directory: str('Folder for datamon-<role>.log files (empty: console only)', ''),
    timezone: { doc: 'Zone of check-in times, deadlines and "today"', format: 'timezone', default: 'Europe/London' },
    history_days: { doc: 'Days of results kept per pipeline', format: 'positive-int', default: 90 },
  },
  thresholds: {
    data_stale_hours: { doc: 'ETL data older than this is CRITICAL', format: 'number-value', default: 24 },
    warning_hours: { doc: 'ETL data older than this is WARNING', format: 'number-value', default: 12 },
    min_daily_calls: { doc: "Yesterday's calls below this is WARNING", format: 'positive-int', default: 1000 },
    expected_operators: { doc: 'Active operators below this is WARNING', format: 'positive-int', default: 237 },
  },
  redis: {
    url: str('Redis URL', 'redis://127.0.0.1:6379', true),
    prefix: str('Prefix of every Redis key and queue', 'datamon'),
  },
  dashboard: {
    host: str('Address the API and dashboard listen on', '0.0.0.0'),
    port: { doc: 'Port of the API and dashboard', format: 'port', default: 5000 },
    public_url: str('Dashboard URL used in cards and emails', 'http://localhost:5000'),
    refresh_seconds: { doc: 'Dashboard refresh interval', format: 'positive-int', default: 60 },
    auth: {
      username: str('Basic-auth user for writes and Bull Board', ''),
      password: str('Basic-auth password', '', true),
      tokens: { doc: 'Bearer tokens for writes and Bull Board', format: 'string-list', default: [] as string[], sensitive: true },
      protect_reads: { doc: 'Require auth for reads too', format: 'bool', default: false },
    },
  },
  google_sheets: {
    credentials_file: str('Service-account JSON key file', ''),
    api_base_url: str('Google APIs base URL', 'https://www.googleapis.com'),
    token_url: str('OAuth token endpoint', 'https://oauth2.googleapis.com/token'),
    sheets: { doc: 'Sheets by name: {spreadsheet_id, max_age_minutes}', format: 'free-object', default: {} as Record<string, unknown> },
  },
  escalation: {
    after_minutes: { doc: 'CRITICAL this long without acknowledgement escalates', format: 'positive-int', default: 60 },
    repeat_minutes: { doc: 'Repeat an escalation this often (0: once)', format: 'positive-int', default: 0 },
    send_resolved: { doc: 'Send a resolved message when an incident closes', format: 'bool', default: true },
  },
  schedule: {
    quick_check: { doc: 'Cron of the quick check of every pipeline', format: 'cron', default: '*/5 * * * *' },
    daily_summary: { doc: 'Cron of the daily summary', format: 'cron', default: '0 18 * * *' },
    checkins: { doc: 'Check-ins to change or add: {cron, label, pipelines}', format: 'free-object', default: {} as Record<string, unknown> },
  },
  pipelines: { doc: 'An explicit list replaces the default pipelines', format: 'free-list', default: [] as unknown[] },
};

export function createConvict() {
  return convict(schema);
}

/** Dotted keys of the schema's `sensitive` leaves: their values are never quoted back. */
export function sensitiveKeys(node: Record<string, unknown> = schema, prefix = ''): string[] {
  const keys: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (!value || typeof value !== 'object') continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (!('default' in value)) keys.push(...sensitiveKeys(value as Record<string, unknown>, path));
    else if ((value as { sensitive?: unknown }).sensitive === true) keys.push(path);
  }
  return keys;
}

/** Dotted keys of the schema's leaves, for "did you mean" hints. */
export function schemaKeys(node: Record<string, unknown> = schema, prefix = ''): string[] {
  const keys: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object' && !('default' in value)) keys.push(path, ...schemaKeys(value as Record<string, unknown>, path));
    else keys.push(path);
  }
  return keys;
}
