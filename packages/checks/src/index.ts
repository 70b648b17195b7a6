export { createCheckRunner, type CheckRunner, type CheckRunnerDeps } from './check-runner.ts';
export { CHECK_KINDS, checkRegistry, createRegistry, type CheckRegistry } from './registry.ts';
export { type AnyCheckKind, type CheckContext, type CheckKind, expectedDays, type PingSource, workingAgeMs, type ConfigBase, defineKind, type KindOutcome, type PipelineOfKind, ruleOutcome } from './check-kind.ts';
export { fields } from './fields.ts';
export type { FileArrivalPipeline, HeartbeatPipeline, MysqlCountPipeline, MysqlFreshnessPipeline, SheetUpdatedPipeline } from './kinds/index.ts';
export * from './errors/index.ts';
export { buildCountQuery, buildFreshnessQuery, type BuiltQuery, type WallClockRange, wallClockRange } from './sql.ts';
export { signAssertion, SHEETS_SCOPES } from './google/service-account.ts';
