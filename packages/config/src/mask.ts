import type { DatamonConfig } from '@datamon/core';

export const MASK = '********';

/** A URL with its credentials and every query value masked: the webhook's key and token. */
export function maskUrl(url: string): string {
  if (!url) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = MASK;
    for (const key of [...parsed.searchParams.keys()]) parsed.searchParams.set(key, MASK);
    return decodeURI(parsed.toString());
  } catch {
    return MASK;
  }
}

const maskValue = (value: string): string => (value ? MASK : '');

/** The effective config with every secret masked: what `config check` prints and logs may show. */
export function maskConfig(config: DatamonConfig): DatamonConfig {
  return {
    ...config,
    database: { ...config.database, password: maskValue(config.database.password) },
    google_chat: { ...config.google_chat, webhook_url: maskUrl(config.google_chat.webhook_url) },
    email: { ...config.email, password: maskValue(config.email.password) },
    redis: { ...config.redis, url: maskUrl(config.redis.url) },
    watchdog: { ...config.watchdog, ping_url: maskUrl(config.watchdog.ping_url) },
    metrics: { ...config.metrics, token: maskValue(config.metrics.token) },
    dashboard: {
      ...config.dashboard,
      auth: {
        ...config.dashboard.auth,
        password: maskValue(config.dashboard.auth.password),
        tokens: config.dashboard.auth.tokens.map(() => MASK),
        admin_tokens: config.dashboard.auth.admin_tokens.map(() => MASK),
      },
    },
  };
}

/** Every secret value in a config, to assert none of them appears in output. */
export function secretValues(config: DatamonConfig): string[] {
  const values = [
    config.database.password,
    config.email.password,
    config.dashboard.auth.password,
    ...config.dashboard.auth.tokens,
    ...config.dashboard.auth.admin_tokens,
    config.metrics.token,
  ];
  try {
    const url = new URL(config.google_chat.webhook_url);
    values.push(...url.searchParams.values());
  } catch {
    values.push(config.google_chat.webhook_url);
  }
  return values.filter((value) => value.length >= 4);
}
