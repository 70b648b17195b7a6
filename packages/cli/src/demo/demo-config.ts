import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { DateTime } from 'luxon';
import { defaultPipelineItems } from '@datamon/config';
import type { DatamonConfig } from '@datamon/core';
import { CommandError } from '../context.ts';

export interface DemoSettings {
  /** The demo's database name (`datamon_demo`); its Redis prefix is the same with dashes. */
  name: string;
  /** Folder holding the demo's config, CSV folder and logs. */
  directory: string;
  mysql: { host: string; port: number; user: string; password: string };
  redisUrl: string;
  port: number;
  now: Date;
  zone: string;
}

/** The default database name: also, with dashes, the Redis prefix and the folder (`.datamon-demo`). */
export const DEMO_NAME = 'datamon_demo';

/**
 * Where the demo looks for its services and puts its files, from the DATAMON_DEMO_* variables
 * (`datamon demo --help`).
 */
export function demoSettingsFromEnv(env: Record<string, string | undefined>, cwd: string, now: Date): DemoSettings {
  const name = env.DATAMON_DEMO_DATABASE ?? DEMO_NAME;
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(name)) throw new CommandError(`DATAMON_DEMO_DATABASE must be lower-case letters, digits and _, got "${name}"`);
  return {
    name,
    directory: resolve(cwd, `.${demoPrefix(name)}`),
    mysql: {
      host: env.DATAMON_DEMO_MYSQL_HOST ?? '127.0.0.1',
      port: Number(env.DATAMON_DEMO_MYSQL_PORT ?? 3306),
      user: env.DATAMON_DEMO_MYSQL_USER ?? 'root',
      password: env.DATAMON_DEMO_MYSQL_PASSWORD ?? '',
    },
    redisUrl: env.DATAMON_DEMO_REDIS_URL ?? 'redis://127.0.0.1:6379',
    port: Number(env.DATAMON_DEMO_PORT ?? 5000),
    now,
    zone: 'Europe/London',
  };
}

/**
 * The demo's config document (written as YAML next to its data). It runs the default pipelines
 * on the demo warehouse, with the afternoon CSV's deadline moved later when today's 16:00 has
 * passed, so the dashboard always shows a PENDING file, and with dashboard credentials made up
 * for this run. No Chat webhook and no SMTP server: notifications are recorded as skipped.
 */
export function demoConfigDocument(settings: DemoSettings): { document: Record<string, unknown>; password: string } {
  const csvDirectory = `${settings.directory}/daily_reports`;
  const password = randomBytes(18).toString('base64url');
  const thresholds = { data_stale_hours: 24, warning_hours: 12, min_daily_calls: 1000, expected_operators: 237 };
  const base = {
    thresholds,
    monitoring: { csv_directory: csvDirectory, log_directory: `${settings.directory}/logs`, timezone: settings.zone, history_days: 90 },
    google_sheets: { credentials_file: '', api_base_url: '', token_url: '', sheets: {} },
  } as Pick<DatamonConfig, 'thresholds' | 'monitoring' | 'google_sheets'>;
  const pipelines = [...defaultPipelineItems(base).map((item) => adaptAfternoonFile(item, settings.now, settings.zone)), CALLBACKS_PIPELINE];
  const document = {
    database: {
      host: settings.mysql.host,
      port: settings.mysql.port,
      database: settings.name,
      user: settings.mysql.user,
      password: settings.mysql.password,
    },
    google_chat: { webhook_url: '', enabled: true },
    email: { smtp_server: '', sender: 'datamon-demo@localhost', recipients: [] },
    monitoring: base.monitoring,
    thresholds,
    redis: { url: settings.redisUrl, prefix: demoPrefix(settings.name) },
    dashboard: {
      host: '127.0.0.1',
      port: settings.port,
      public_url: `http://localhost:${settings.port}`,
      refresh_seconds: 30,
      auth: { username: 'demo', password },
    },
    pipelines,
  };
  return { document, password };
}

/**
 * The demo's anomaly on purpose (README "Volume anomalies"): callback requests come from the web
 * site, not the overnight ETL, and the seed makes today's run two and a half times the usual pace,
 * so the dashboard shows an intraday WARNING ("... above a usual Saturday by this time") against
 * its usual band.
 */
const CALLBACKS_PIPELINE = {
  id: 'callbacks_today',
  name: 'Callback requests',
  kind: 'mysql_count',
  table: 'FactCallbacks',
  column: 'requested_at',
  window: 'today',
  critical_below: 0,
  action: 'Check the web site and the phone lines: a surge of callback requests means people cannot get through.',
  anomaly: { enabled: true },
};

/** The demo's Redis prefix: its database name with dashes (`datamon-demo`). */
export function demoPrefix(name: string): string {
  return name.replaceAll('_', '-');
}

function adaptAfternoonFile(pipeline: Record<string, unknown>, now: Date, zone: string): Record<string, unknown> {
  if (pipeline.id !== 'afternoon_csv') return pipeline;
  const local = DateTime.fromJSDate(now, { zone });
  if (local.hour * 60 + local.minute < 15 * 60) return pipeline;
  // Later today, never past midnight (a deadline is a time of the same local day).
  const lastMinute = local.set({ hour: 23, minute: 59, second: 0, millisecond: 0 });
  const clamp = (time: typeof local, before: number) => (time < lastMinute.minus({ minutes: before }) ? time : lastMinute.minus({ minutes: before }));
  return {
    ...pipeline,
    expected: clamp(local.plus({ minutes: 30 }), 1).toFormat('HH:mm'),
    deadline: clamp(local.plus({ minutes: 90 }), 0).toFormat('HH:mm'),
  };
}
