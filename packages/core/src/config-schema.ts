import type { CalendarSettings } from './calendar.ts';
import type { MaintenanceConfig } from './maintenance.ts';
import type { CheckinDefinition, PipelineDefinition } from './pipeline.ts';

/**
 * The one schema of the config file (README "Configuration"), as plain data: `@datamon/config` validates the
 * file with it (convict, which knows its `format` names), and `DatamonConfig`, the type every
 * package reads, is derived from it below. The original monitor's original keys keep their names and meaning;
 * the added keys are optional with the defaults shown. Free-form subtrees (`pipelines`,
 * `schedule.checkins`, `google_sheets.sheets`) are read item by item by the config loader, each
 * pipeline kind with its own field schema (`@datamon/checks/kinds`).
 */

const str = (doc: string, value = '', sensitive = false) => ({ doc, format: String, default: value, sensitive });

export const CONFIG_SCHEMA = {
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
    secure: { doc: 'TLS from the first byte (port 465); false uses STARTTLS, which is required when a password is set', format: 'bool', default: false },
    allow_plaintext_auth: { doc: 'Send the SMTP password without TLS when the server offers no STARTTLS (a local relay only)', format: 'bool', default: false },
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
    url: str('Redis URL, redis://[user:password@]host:port[/db], or rediss:// for TLS; not with redis.sentinel or redis.cluster', 'redis://127.0.0.1:6379', true),
    prefix: str('Prefix of every Redis key and queue (on a cluster it is used as the hash tag {<prefix>})', 'datamon'),
    sentinel: {
      name: str('Name of the master the sentinels watch (the "mymaster" of sentinel.conf)', ''),
      nodes: { doc: 'Sentinels as "host:port": connect to the master they name instead of redis.url', format: 'string-list', default: [] as string[] },
      username: str('ACL user on the master and replicas (empty: default user)', ''),
      password: str('Password of the master and replicas', '', true),
      sentinel_password: str('Password of the sentinels themselves', '', true),
    },
    cluster: {
      nodes: { doc: 'Some nodes of a Redis Cluster as "host:port" (the rest are discovered): connect to the cluster instead of redis.url', format: 'string-list', default: [] as string[] },
      username: str('ACL user on the cluster nodes (empty: default user)', ''),
      password: str('Password of the cluster nodes', '', true),
    },
    tls: {
      enabled: { doc: 'TLS to the sentinels and their master, or to the cluster nodes (with redis.url the rediss:// scheme turns TLS on)', format: 'bool', default: false },
      ca_file: str('PEM file of the CA that signed the Redis certificates (empty: the system CAs)', ''),
      cert_file: str('PEM client certificate, for a Redis that asks for one (tls-auth-clients)', ''),
      key_file: str('PEM private key of redis.tls.cert_file', ''),
      reject_unauthorized: { doc: 'Refuse a Redis certificate the CAs did not sign, or issued for another host', format: 'bool', default: true },
    },
  },
  dashboard: {
    host: str('Address the API and dashboard listen on', '0.0.0.0'),
    port: { doc: 'Port of the API and dashboard', format: 'port', default: 5000 },
    public_url: str('Dashboard URL used in cards and emails (default: http://localhost:<dashboard.port>)', 'http://localhost:5000'),
    refresh_seconds: { doc: 'Dashboard refresh interval', format: 'positive-int', default: 60 },
    auth: {
      username: str('Basic-auth user for writes and Bull Board', ''),
      password: str('Basic-auth password (16 characters or more)', '', true),
      tokens: { doc: 'Bearer tokens for writes and Bull Board (16 characters or more); each a string or {name, token}', format: 'token-list', default: [] as ConfiguredToken[], sensitive: true },
      admin_tokens: { doc: 'Bearer tokens that may also operate Bull Board (retry, clean, pause...); each a string or {name, token}', format: 'token-list', default: [] as ConfiguredToken[], sensitive: true },
      admin_users: { doc: 'Basic-auth user names that may also operate Bull Board', format: 'string-list', default: [] as string[] },
      protect_reads: { doc: 'Require auth for reads too', format: 'bool', default: false },
    },
    trust_proxy: { doc: 'Take the client address from X-Forwarded-For (only behind a reverse proxy you run)', format: 'bool', default: false },
  },
  google_sheets: {
    credentials_file: str('Service-account JSON key file', ''),
    api_base_url: str('Google APIs base URL', 'https://www.googleapis.com'),
    token_url: str('OAuth token endpoint', 'https://oauth2.googleapis.com/token'),
    sheets: { doc: 'Sheets by name: {spreadsheet_id, max_age_minutes}', format: 'free-object', default: {} as Record<string, SheetSettings> },
  },
  escalation: {
    after_minutes: { doc: 'CRITICAL this long without acknowledgement escalates', format: 'positive-int', default: 60 },
    repeat_minutes: { doc: 'Repeat an escalation this often (0: once)', format: 'positive-int', default: 0 },
    send_resolved: { doc: 'Send a resolved message when an incident closes', format: 'bool', default: true },
  },
  schedule: {
    quick_check: { doc: 'Cron of the quick check of every pipeline', format: 'cron', default: '*/5 * * * *' },
    daily_summary: { doc: 'Cron of the daily summary', format: 'cron', default: '0 18 * * *' },
    daily_summary_days: { doc: 'Days the daily summary is sent: workdays (the calendar\'s working days) or every_day', format: ['workdays', 'every_day'], default: 'workdays' as 'workdays' | 'every_day' },
    checkins: { doc: 'Check-ins to change or add: {cron, label, pipelines}', format: 'free-object', default: {} as Record<string, unknown> },
  },
  pipelines: { doc: 'An explicit list replaces the default pipelines', format: 'free-list', default: [] as unknown[] },
  more_pipelines: { doc: 'Pipelines added after the defaults (or after pipelines:)', format: 'free-list', default: [] as unknown[] },
  metrics: {
    token: str('Bearer token Prometheus sends for /metrics (16 characters or more); without it /metrics is read like the API', '', true),
  },
  watchdog: {
    ping_url: str("URL the scheduler GETs after every completed round: a dead-man's switch for an outside service (a secret)", '', true),
  },
  calendar: { doc: 'Business calendar: workdays, holidays (none, england-and-wales, scotland, northern-ireland), extra_holidays, extra_workdays', format: 'free-object', default: {} as Record<string, unknown> },
  maintenance: { doc: 'Maintenance windows: {name, pipelines?, cron + duration_minutes | from + to}', format: 'free-list', default: [] as unknown[] },
  heartbeats: {
    ping_key: str('Key in the ping URLs of heartbeat pipelines (/ping/<key>/<slug>); the secret that lets a job report in', '', true),
    ping_url: str('Base URL `datamon run` pings (default: dashboard.public_url)', ''),
  },
  tickets: {
    kind: { doc: 'Ticket system for incidents: jira, github or webhook (empty: none)', format: ['', 'jira', 'github', 'webhook'], default: '' as '' | 'jira' | 'github' | 'webhook' },
    url: str('Jira base URL, GitHub API base URL, or the webhook URL', ''),
    project: str('Jira project key, or GitHub "owner/repo"', ''),
    user: str('Jira user (basic auth with the token)', ''),
    token: str('Jira API token, GitHub token, or the webhook HMAC secret', '', true),
    when: { doc: 'Which incidents get a ticket: critical or warning', format: ['critical', 'warning'], default: 'critical' as 'critical' | 'warning' },
    done_transition: str('Jira transition that closes a resolved incident\'s issue', 'Done'),
  },
};

/**
 * A `host:port` of `redis.sentinel.nodes` or `redis.cluster.nodes` (`[::1]:6379` for IPv6; `_`
 * is allowed in a host, as Docker's service names have it), or null when it is not one.
 */
export function parseHostPort(text: string): { host: string; port: number } | null {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)):(\d{1,5})$/.exec(text.trim());
  if (!match) return null;
  const port = Number(match[3]);
  if (port < 1 || port > 65_535) return null;
  return { host: (match[1] ?? match[2]) as string, port };
}

/** A bearer token of `dashboard.auth`: the token alone, or with the name acknowledgements record. */
export type ConfiguredToken = string | { name: string; token: string };

/** The token itself, and the name it acts under (`token #N` when unnamed, N counting from 1). */
export function tokenOf(item: ConfiguredToken, index: number, label = 'token'): { token: string; name: string } {
  return typeof item === 'string' ? { token: item, name: `${label} #${index + 1}` } : { token: item.token, name: item.name.trim() };
}

/** One sheet under `google_sheets.sheets`. */
export interface SheetSettings {
  spreadsheet_id: string;
  max_age_minutes: number;
}

/** A leaf of the schema: what convict validates, with its default. */
export interface ConfigLeaf {
  doc: string;
  format: unknown;
  default: unknown;
  sensitive?: boolean;
}

/** The values a schema describes: each leaf's default's type, sections as objects. */
export type ConfigOf<S> = { -readonly [K in keyof S]: S[K] extends ConfigLeaf ? S[K]['default'] : ConfigOf<S[K]> };

type FromSchema = ConfigOf<typeof CONFIG_SCHEMA>;

/**
 * The effective configuration after loading, interpolation, validation and defaults (README "Configuration").
 * Keys are the file's own keys. The rest of the code reads this, never raw convict.
 */
export type DatamonConfig = Omit<FromSchema, 'schedule' | 'pipelines' | 'more_pipelines' | 'calendar' | 'maintenance'> & {
  /** The business calendar (README "Business calendar"); every day a working day by default. */
  calendar: CalendarSettings;
  /** Maintenance windows from the file (ad hoc ones live in Redis). */
  maintenance: MaintenanceConfig[];
  /** The file it came from (as the user named it), for messages. */
  source: string;
  schedule: Omit<FromSchema['schedule'], 'checkins'>;
  /** The effective pipelines: the defaults of README "Default pipelines", or the file's explicit list, then `more_pipelines`. */
  pipelines: PipelineDefinition[];
  /** The effective check-ins: the README's three, changed or extended by `schedule.checkins`. */
  checkins: CheckinDefinition[];
  /** Things worth saying about a valid file (`datamon config check` prints them). */
  warnings?: string[];
};
