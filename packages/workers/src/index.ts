export * from './role.ts';
export * from './settings.ts';
export * from './job-ids.ts';
export * from './connection-report.ts';
export * from './queues.ts';
export * from './scheduler.ts';
export * from './check-worker.ts';
