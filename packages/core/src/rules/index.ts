export * from './rule-outcome.ts';
export * from './format.ts';
export * from './freshness.ts';
export * from './count.ts';
export * from './count-window.ts';
export * from './file-arrival.ts';
export * from './sheet-age.ts';
export * from './not-before.ts';
