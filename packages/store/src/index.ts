export * from './keys.ts';
export * from './redis-connection.ts';
export * from './results.ts';
export * from './checkin-runs.ts';
export * from './incidents.ts';
export * from './notifications.ts';
export * from './silences.ts';
export * from './store.ts';
