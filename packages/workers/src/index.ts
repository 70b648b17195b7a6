/**
 * @datamon/workers: the process roles, as wiring over @datamon/jobs. Each opens its connections,
 * starts BullMQ workers with the job layer's processors, and closes in order.
 */
export * from './role.ts';
export * from './scheduler.ts';
export * from './check-worker.ts';
export * from './alert-worker.ts';
