/**
 * The processors: each queue's jobs as plain functions of `(job, deps)`, and the scheduler's
 * work. A role wires them to BullMQ workers; a test calls them directly.
 */
export * from './check-jobs.ts';
export * from './alert-jobs.ts';
export * from './delivery.ts';
export * from './chat-burst.ts';
export * from './result-intake.ts';
export * from './schedule.ts';
export * from './monitor-watch.ts';
export * from './tickets.ts';
export * from './recovery.ts';
