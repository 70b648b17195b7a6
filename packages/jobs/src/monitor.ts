import { hostname } from 'node:os';
import { type DatamonConfig, evaluateWatch, type WatchReport } from '@datamon/core';
import type { LogSink } from '@datamon/io';
import type { DatamonStore } from '@datamon/store';
import type { DatamonQueues } from './producers.ts';

/**
 * The monitor watching itself (README "Watching the monitor"): every process says it is alive,
 * and anyone can ask whether checking goes on (core's `evaluateWatch` over what is stored).
 */

/** How often a process writes its heartbeat (a minute without one means it is gone). */
export const HEARTBEAT_EVERY_MS = 15_000;

/** This process, as its heartbeat names it. */
export const INSTANCE = `${hostname()}:${process.pid}`;

/**
 * Writes a role's heartbeat now and every {@link HEARTBEAT_EVERY_MS}; the returned function stops
 * and takes the heartbeat away (a clean stop is not a missing role).
 */
export function startHeartbeat(store: DatamonStore, role: string, logger: LogSink, now: () => Date = () => new Date()): () => Promise<void> {
  const startedAt = now().toISOString();
  const beat = () =>
    store.monitor.beat({ role, instance: INSTANCE, startedAt, at: now().toISOString() }).catch((err: unknown) => {
      // Redis away: the connection report says so once; the heartbeat resumes with it.
      logger.debug({ err, role }, 'heartbeat not written');
    });
  void beat();
  const timer = setInterval(beat, HEARTBEAT_EVERY_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    // With Redis away the entry cannot go (it ages out instead); a stop never waits on it.
    if (store.redis.status !== 'ready') return;
    await Promise.race([store.monitor.leave(role, INSTANCE).catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  };
}

export interface MonitorHealthDeps {
  config: Pick<DatamonConfig, 'schedule' | 'monitoring'>;
  store: DatamonStore;
  queues: Pick<DatamonQueues, 'all'>;
  /** When this process began watching: a role never heard of counts from here. */
  startedAt: Date;
}

/** Whether the monitor is still checking, and if not, what stopped and since when. */
export async function readMonitorHealth(deps: MonitorHealthDeps, now: Date): Promise<WatchReport> {
  const [lastRoundAt, heartbeats, paused, onPurpose] = await Promise.all([
    deps.store.monitor.lastRound(),
    deps.store.monitor.latestBeats(now),
    Promise.all([...deps.queues.all.values()].map(async (queue) => ((await queue.isPaused()) ? queue.name : null))),
    deps.store.monitor.pauses(),
  ]);
  return evaluateWatch({
    now,
    startedAt: deps.startedAt,
    lastRoundAt,
    quickCheck: { pattern: deps.config.schedule.quick_check, zone: deps.config.monitoring.timezone },
    heartbeats,
    pausedQueues: paused.filter((name): name is string => name !== null).map((queue) => ({ queue, by: onPurpose[queue]?.by ?? null, at: onPurpose[queue]?.at ?? null })),
  });
}
