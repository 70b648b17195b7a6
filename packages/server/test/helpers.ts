import { randomUUID } from 'node:crypto';
import { resolveConfig } from '@datamon/config';
import { type CheckResult, type DatamonConfig, type IncidentRecord, type NotificationRecord, type Status } from '@datamon/core';
import { QUEUE_NAMES } from '@datamon/jobs';
import { DatamonStore, createRedisConnection } from '@datamon/store';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../src/index.ts';

export const REDIS_URL = process.env.DATAMON_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const USER = 'ops';
export const PASSWORD = 'correct horse battery staple';
export const TOKEN = 'tok-0123456789abcdef';
export const ADMIN_TOKEN = 'adm-0123456789abcdef';

/** Fixed "now" for API tests: 10:00 London time on a weekday. */
export const NOW = new Date('2026-03-30T09:00:00.000Z');

/** A config with the default pipelines and check-ins, a unique Redis prefix, and the given auth. */
export function testConfig(
  auth: Partial<DatamonConfig['dashboard']['auth']> = { username: USER, password: PASSWORD, tokens: [TOKEN] },
  extra: Record<string, unknown> = {},
): DatamonConfig {
  return resolveConfig(
    {
      redis: { url: REDIS_URL, prefix: `test-${randomUUID()}` },
      dashboard: { refresh_seconds: 30, auth },
      ...extra,
    },
    { source: 'test', env: {} },
  );
}

export const basic = (user = USER, password = PASSWORD): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
export const bearer = (token = TOKEN): string => `Bearer ${token}`;

export function result(pipelineId: string, status: Status, checkedAt: string, message = `${status} message`, value: CheckResult['value'] = 1): CheckResult {
  return { pipelineId, status, value, message, checkedAt, details: { threshold: 'test' }, durationMs: 42 };
}

export function incident(pipelineId: string, openedAt: string, overrides: Partial<IncidentRecord> = {}): IncidentRecord {
  return {
    id: `${pipelineId}-${Date.parse(openedAt)}`,
    pipelineId,
    pipelineName: pipelineId,
    status: 'CRITICAL',
    worstStatus: 'CRITICAL',
    openedAt,
    closedAt: null,
    acknowledged: false,
    acknowledgedAt: null,
    acknowledgedBy: null,
    criticalSince: openedAt,
    escalations: 0,
    lastEscalatedAt: null,
    emailed: true,
    message: 'newest call 26.0 h ago',
    value: 26,
    threshold: '24 h',
    notificationSeq: 1,
    lastStatus: 'CRITICAL',
    lastCheckedAt: openedAt,
    announcedStatus: 'CRITICAL',
    announcedAt: openedAt,
    held: null,
    reopenCount: 0,
    resolution: null,
    ...overrides,
  };
}

export function notification(id: string, at: string, overrides: Partial<NotificationRecord> = {}): NotificationRecord {
  return { id, at, incidentId: null, pipelineId: null, channel: 'chat', kind: 'checkin', outcome: 'sent', error: null, attempts: 1, ...overrides };
}

export interface TestApp {
  app: FastifyInstance;
  config: DatamonConfig;
  store: DatamonStore;
  /** Obliterates the queues, deletes every key under the prefix and closes everything. */
  cleanup(): Promise<void>;
}

/**
 * An app on its own Redis prefix. `store` is a second connection for seeding and inspecting, as
 * a worker would hold.
 */
export async function testApp(config = testConfig(), options: Partial<AppOptions> = {}): Promise<TestApp> {
  const app = await buildApp({ config, now: () => NOW, ...options });
  const redis = createRedisConnection(config.redis.url);
  const store = new DatamonStore(redis, { prefix: config.redis.prefix, historyDays: config.monitoring.history_days });
  return {
    app,
    config,
    store,
    async cleanup() {
      // Own Queue objects, so cleaning up works whether or not the test already closed the app.
      for (const name of Object.values(QUEUE_NAMES)) {
        const queue = new Queue(name, { connection: redis, prefix: config.redis.prefix });
        await queue.obliterate({ force: true });
        await queue.close();
      }
      await app.close();
      await store.clear();
      await redis.quit();
    },
  };
}

/**
 * A typical morning: ETL fine, the first-calls count critical with an open incident, the call
 * volume a warning, the morning CSV pending; a check-in run and a few notifications.
 */
export async function seedMorning(store: DatamonStore, config: DatamonConfig, now = NOW): Promise<{ incidentId: string }> {
  const at = (minutesAgo: number): string => new Date(now.getTime() - minutesAgo * 60_000).toISOString();
  await store.results.record(result('etl_calls', 'OK', at(125), 'newest call 0.2 h ago', 0.2));
  await store.results.record(result('etl_calls', 'OK', at(5), 'newest call 0.1 h ago', 0.1));
  await store.results.record(result('first_calls', 'OK', at(65), '12 first calls today', 12));
  await store.results.record(result('first_calls', 'CRITICAL', at(30), 'no first calls today', 0));
  await store.results.record(result('call_volume', 'WARNING', at(10), '812 calls yesterday (warning below 1000)', 812));
  await store.results.record(result('operators', 'OK', at(10), '240 active operators', 240));
  await store.results.record(result('morning_csv', 'PENDING', at(10), 'productivity_20260330_1131.csv expected 11:31', null));
  const open = incident('first_calls', at(30), { pipelineName: 'First Calls', message: 'no first calls today', value: 0 });
  await store.incidents.save(open);
  await store.incidents.save(incident('etl_calls', at(600), { closedAt: at(500), status: 'WARNING', worstStatus: 'WARNING', lastStatus: 'OK' }));
  await store.notifications.record(notification(`${open.id}-1-chat`, at(29), { incidentId: open.id, pipelineId: 'first_calls', kind: 'critical' }));
  await store.notifications.record(
    notification(`${open.id}-1-email`, at(29), { incidentId: open.id, pipelineId: 'first_calls', kind: 'critical', channel: 'email', outcome: 'failed', error: 'SMTP 554 rejected' }),
  );
  await store.notifications.record(notification('checkin-morning-1', at(90), { kind: 'checkin' }));
  await store.checkinRuns.record({
    id: 'morning-run-1',
    checkinId: 'morning',
    label: 'Morning CC Data Check',
    scheduledFor: at(90),
    ranAt: at(85),
    late: true,
    manual: false,
    overall: 'WARNING',
    results: [],
  });
  await store.refreshSnapshot(config, now);
  return { incidentId: open.id };
}
