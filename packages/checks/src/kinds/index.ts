/**
 * `@datamon/checks/kinds`: the check kinds and their registry, without the runner and its
 * connections (what the config loader needs to read `pipelines:`).
 */
export { CHECK_KINDS, checkRegistry, createRegistry, type CheckRegistry } from '../registry.ts';
export { type AnyCheckKind, type CheckKind, type ConfigBase, defineKind, type PipelineOfKind } from '../check-kind.ts';
export { fields } from '../fields.ts';
export type { MysqlFreshnessPipeline } from './mysql-freshness.ts';
export type { MysqlCountPipeline } from './mysql-count.ts';
export type { FileArrivalPipeline } from './file-arrival.ts';
export type { SheetUpdatedPipeline } from './sheet-updated.ts';
export type { HeartbeatPipeline } from './heartbeat.ts';
