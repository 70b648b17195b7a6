import type { CheckinDefinition, PipelineDefinition } from './pipeline.ts';

/**
 * The effective configuration after loading, interpolation, validation and defaults (SPEC 2).
 * Keys are the file's own keys. The rest of the code reads this, never raw convict.
 */
export interface DatamonConfig {
  /** The file it came from (absolute), for messages. */
  source: string;
  database: {
    host: string;
    port: number;
    database: string;
    user: string;
    password: string;
    /** How DATETIME values in the warehouse are read. */
    timezone: string;
    query_timeout_ms: number;
  };
  google_chat: {
    webhook_url: string;
    enabled: boolean;
  };
  email: {
    enabled: boolean;
    smtp_server: string;
    smtp_port: number;
    secure: boolean;
    sender: string;
    /** SMTP login; defaults to `sender`. */
    user: string;
    password: string;
    recipients: string[];
  };
  monitoring: {
    csv_directory: string;
    log_directory: string;
    timezone: string;
    history_days: number;
  };
  thresholds: {
    data_stale_hours: number;
    warning_hours: number;
    min_daily_calls: number;
    expected_operators: number;
  };
  redis: { url: string; prefix: string };
  dashboard: {
    host: string;
    port: number;
    public_url: string;
    refresh_seconds: number;
    auth: { username: string; password: string; tokens: string[]; protect_reads: boolean };
  };
  google_sheets: {
    credentials_file: string;
    api_base_url: string;
    token_url: string;
    sheets: Record<string, { spreadsheet_id: string; max_age_minutes: number }>;
  };
  escalation: { after_minutes: number; repeat_minutes: number; send_resolved: boolean };
  schedule: { quick_check: string; daily_summary: string };
  /** The effective pipelines: the defaults of SPEC 3, or the file's explicit list. */
  pipelines: PipelineDefinition[];
  /** The effective check-ins: SPEC 4's three, changed or extended by `schedule.checkins`. */
  checkins: CheckinDefinition[];
}
