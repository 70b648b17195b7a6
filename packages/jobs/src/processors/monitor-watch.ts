import { type DatamonConfig, monitorNoticeDue, type WatchReport } from '@datamon/core';
import type { Logger } from '@datamon/io';
import { renderMonitorCard } from '@datamon/notifiers/render';
import type { DatamonStore } from '@datamon/store';
import { notificationIds } from '../ids.ts';
import { readMonitorHealth } from '../monitor.ts';
import { type DatamonQueues, enqueueDeliveries } from '../producers.ts';

export interface MonitorWatchDeps {
  config: DatamonConfig;
  store: DatamonStore;
  queues: Pick<DatamonQueues, 'chat' | 'email' | 'all'>;
  now: () => Date;
  logger: Logger;
  /** When this process began watching. */
  startedAt: Date;
}

/**
 * The alert worker's look at the monitor itself: one "monitor degraded" card when checking
 * stops (a role missing, rounds no longer completing, a queue paused), one when it is back. Run
 * every few seconds by the alert role; any number of alert workers send each card once (a lock,
 * and a notification id made from the state and since when).
 *
 * @returns the report, and the card's notification id when one was sent
 */
export async function processMonitorWatch(deps: MonitorWatchDeps): Promise<{ report: WatchReport; sent: string | null }> {
  const now = deps.now();
  const report = await readMonitorHealth(deps, now);
  const sent = await deps.store.withLock('monitor-notice', async () => {
    const due = monitorNoticeDue(await deps.store.monitor.notice(), report, now);
    if (!due) return null;
    const notificationId = notificationIds.monitor(due.state, due.since);
    await enqueueDeliveries(deps.queues, [
      { notificationId, channel: 'chat', kind: 'monitor', incidentId: null, pipelineId: null, payload: renderMonitorCard(due, report, deps.config) },
    ]);
    await deps.store.monitor.setNotice(due);
    if (due.state === 'degraded') deps.logger.warn({ problems: report.problems.map((problem) => problem.message) }, 'monitor degraded: not checking');
    else deps.logger.info('monitor checking again');
    return notificationId;
  });
  return { report, sent };
}
