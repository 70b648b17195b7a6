import { resolveConfig } from '@datamon/config';
import type { DatamonConfig } from '@datamon/core';

/**
 * A test config built the way users' files are: through `resolveConfig`, from the original monitor's shape
 * plus what a test overrides (section by section).
 */
export function testConfig(overrides: Record<string, Record<string, unknown> | unknown[]> = {}): DatamonConfig {
  const raw: Record<string, Record<string, unknown> | unknown[]> = {
    database: { host: '127.0.0.1', database: 'contact_centre_analytics', user: 'etl_user', password: 'db-secret' },
    google_chat: { webhook_url: 'https://chat.googleapis.com/v1/spaces/AAA/messages?key=KEY123&token=TOKEN456', enabled: true },
    email: { smtp_server: '127.0.0.1', smtp_port: 2525, sender: 'monitor@example.com', password: '', recipients: ['ops@example.com'] },
    monitoring: { csv_directory: '/tmp/datamon-test-csv', log_directory: '' },
    thresholds: { data_stale_hours: 24, warning_hours: 12, min_daily_calls: 1000, expected_operators: 237 },
    dashboard: { public_url: 'https://datamon.example.com/' },
  };
  // A list (e.g. `pipelines`) replaces; a section is merged key by key.
  for (const [section, values] of Object.entries(overrides)) raw[section] = Array.isArray(values) ? values : { ...raw[section], ...values };
  return resolveConfig(raw, { source: 'test-config.yaml', env: {} });
}
