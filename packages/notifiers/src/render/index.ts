export * from './alert.ts';
export * from './checkin.ts';
export * from './daily-summary.ts';
export * from './test-message.ts';
export * from './merge.ts';
export * from './incident-notification.ts';
export * from './monitor.ts';
export { type RenderConfig } from './context.ts';
export { chatStatus, checkinWord, emailStatus, countsPhrase } from './text.ts';
