export * from './logger.ts';
export * from './redact-url.ts';
export * from './http-client.ts';
export * from './output-tail.ts';
export * from './mask-secrets.ts';
export * from './recovery-action.ts';
export * from './process-stat.ts';
