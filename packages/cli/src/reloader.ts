import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { prepareReload, type ReloadPlan } from '@datamon/config';
import type { ConfigDiff, DatamonConfig } from '@datamon/core';
import type { Logger } from '@datamon/io';
import { createQueues, enqueueRunPipeline } from '@datamon/jobs';
import { closeRedis, createRedisConnection, DatamonStore, type ReloadRequest } from '@datamon/store';

/**
 * Config reload for one `datamon start` process (README "Reloading the config"). SIGHUP here,
 * or `POST /api/admin/reload` anywhere, checks the file and, when it is valid, announces a reload
 * on Redis; every process (on every machine) hears it, reads its own file again and restarts its
 * roles in place with the new config: schedulers are reconciled, pipelines added and removed,
 * check-ins and thresholds changed. Incidents, silences and escalation clocks live in Redis, so
 * nothing is lost. A file with problems is refused with the start-up messages and the running
 * config stays; the outcome is recorded for the dashboard.
 */

export interface ReloaderOptions {
  /** The config the roles run with now. */
  config: () => DatamonConfig;
  /** Restarts the roles with the new config (or, failing, with the old one). */
  apply: (plan: ReloadPlan) => Promise<void>;
  /** Whether the process is stopping (a reload then does nothing). */
  stopping: () => boolean;
  /** Which roles this process runs, for the record. */
  label: string;
  logger: Logger;
}

export interface Reloader {
  close(): Promise<void>;
}

/** What a diff changed, in words: `pipelines added: a; removed: b` or `nothing changed`. */
export function describeDiff(diff: ConfigDiff): string {
  const parts = [
    diff.added.length ? `pipelines added: ${diff.added.join(', ')}` : '',
    diff.removed.length ? `pipelines removed: ${diff.removed.join(', ')}` : '',
    diff.changed.length ? `pipelines changed: ${diff.changed.join(', ')}` : '',
    diff.checkins.added.length + diff.checkins.removed.length + diff.checkins.changed.length
      ? `check-ins added/removed/changed: ${[diff.checkins.added, diff.checkins.removed, diff.checkins.changed].map((ids) => ids.join(', ') || '-').join(' / ')}`
      : '',
    diff.settings.length ? `settings: ${diff.settings.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'nothing changed';
}

export async function startReloader(options: ReloaderOptions): Promise<Reloader> {
  const base = options.config();
  const redis = createRedisConnection(base.redis);
  const subscriber = createRedisConnection(base.redis);
  const quiet = () => undefined;
  redis.on('error', quiet);
  subscriber.on('error', quiet);
  const store = new DatamonStore(redis, { prefix: base.redis.prefix, historyDays: base.monitoring.history_days });
  const queues = createQueues(base, { connection: redis });
  const here = `${options.label} on ${hostname()}:${process.pid}`;
  let chain: Promise<void> = Promise.resolve();

  const refused = async (request: ReloadRequest, message: string) => {
    options.logger.error({ reload: request.id, problems: message.split('\n') }, 'config reload refused: the running config stays');
    await store.reloads.record({ ...request, ok: false, message, added: [], removed: [], changed: [] });
  };

  const reload = async (request: ReloadRequest) => {
    if (options.stopping()) return;
    const plan = prepareReload(options.config());
    if (!plan.ok) return refused(request, `${plan.message} (${here})`);
    const words = describeDiff(plan.diff);
    const nothing = words === 'nothing changed';
    if (!nothing) {
      options.logger.info({ reload: request.id, by: request.by, added: plan.diff.added, removed: plan.diff.removed, changed: plan.diff.changed, settings: plan.diff.settings }, 'reloading the config');
      await options.apply(plan);
      const next = plan.config;
      await store.refreshSnapshot({ pipelines: next.pipelines, checkins: next.checkins, maintenance: next.maintenance, monitoring: next.monitoring }, new Date());
      // What is new or different is looked at now, not at the next quick check.
      for (const id of [...plan.diff.added, ...plan.diff.changed]) await enqueueRunPipeline(queues, id, 'reload', new Date());
    }
    options.logger.info({ reload: request.id, change: words }, 'config reloaded');
    await store.reloads.record({ ...request, ok: true, message: `${words} (${here})`, added: plan.diff.added, removed: plan.diff.removed, changed: plan.diff.changed });
  };

  const queue = (request: ReloadRequest) => {
    chain = chain.then(() => reload(request)).catch((err: unknown) => options.logger.error({ err }, 'config reload failed'));
  };

  subscriber.on('message', (channel: string, raw: string) => {
    if (channel !== store.reloads.channel) return;
    try {
      queue(JSON.parse(raw) as ReloadRequest);
    } catch {
      options.logger.warn('ignored a malformed reload announcement');
    }
  });
  await subscriber.subscribe(store.reloads.channel);

  const onHangUp = () => {
    const request: ReloadRequest = { id: randomUUID(), at: new Date().toISOString(), by: `SIGHUP to ${here}` };
    const plan = prepareReload(options.config());
    if (!plan.ok) {
      void refused(request, plan.message).catch(quiet);
      return;
    }
    options.logger.info({ reload: request.id }, 'SIGHUP: the config file is valid; every process reloads it');
    // Announced even to this process: one path for every reload, however it was asked for.
    store.reloads.announce(request).catch((err: unknown) => {
      options.logger.warn({ err }, 'could not announce the reload on Redis; reloading this process only');
      queue(request);
    });
  };
  process.on('SIGHUP', onHangUp);

  return {
    async close() {
      process.off('SIGHUP', onHangUp);
      await chain;
      await subscriber.quit().catch(quiet);
      await queues.close();
      await Promise.allSettled([closeRedis(subscriber), closeRedis(redis)]);
    },
  };
}
