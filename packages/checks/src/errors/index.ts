export * from './source-unavailable-error.ts';
export * from './unknown-check-kind-error.ts';
export * from './duplicate-check-kind-error.ts';
