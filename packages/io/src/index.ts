export * from './logger.ts';
export * from './redact-url.ts';
export * from './http-client.ts';
