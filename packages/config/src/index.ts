export * from './config-error.ts';
export * from './defaults.ts';
export * from './load.ts';
export * from './mask.ts';
export { cronProblem, dailyTimeOf } from '@datamon/core';
export * from './reload.ts';
export * from './document.ts';
