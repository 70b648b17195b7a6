/**
 * @datamon/jobs: the job layer under the roles. Contracts (`contracts.ts`), options, ids,
 * producers, the worker factory and the incident decision point live here; the processors are
 * at `@datamon/jobs/processors`. Roles (`@datamon/workers`), the API and the CLI all build on it.
 */
export * from './contracts.ts';
export * from './options.ts';
export * from './settings.ts';
export * from './ids.ts';
export * from './slots.ts';
export * from './producers.ts';
export * from './worker.ts';
export * from './connection-report.ts';
export * from './incidents.ts';
export * from './monitor.ts';
