import { cronProblem, evaluateHeartbeat } from '@datamon/core';
import Type from 'typebox';
import { defineKind, expectedDays, type PipelineOfKind, ruleOutcome } from '../check-kind.ts';
import { SourceUnavailableError } from '../errors/index.ts';
import { fields } from '../fields.ts';

/** Pings the rule reads: plenty for the last success, the last finish and runs in progress. */
const PINGS_READ = 200;

/**
 * `heartbeat` (README "Heartbeats"): the job pings in (`/ping/<key>/<slug>`, `datamon run`), and
 * its status follows from its pings: due at its `schedule` (cron, local time) or `period_minutes`
 * after its last success, late after `grace_minutes`, stuck after `max_runtime_minutes`.
 */
export const heartbeat = defineKind({
  kind: 'heartbeat',
  group: 'Jobs',
  fields: Type.Object(
    {
      /** The name in its ping URL (default: the pipeline's id). */
      slug: Type.String({ pattern: '^[a-z0-9_-]{1,64}$', expect: 'a slug of lower-case letters, digits, _ or - (at most 64)' }),
      /** When it is due: a cron pattern in local time ... */
      schedule: fields.nullable(Type.String({ minLength: 1, expect: 'a cron pattern ("0 2 * * *")' })),
      /** ... or this many minutes after its last success. */
      period_minutes: fields.nullable(Type.Number({ exclusiveMinimum: 0, expect: 'a number of minutes above 0' })),
      /** How long after it is due a success may still come before it is CRITICAL. */
      grace_minutes: Type.Number({ minimum: 0, default: 60, expect: 'a number of minutes, 0 or more' }),
      /** A run (a start with no finish) longer than this is CRITICAL. */
      max_runtime_minutes: Type.Number({ exclusiveMinimum: 0, default: 240, expect: 'a number of minutes above 0' }),
    },
    { additionalProperties: false },
  ),
  defaults: (_base, item) => ({ slug: typeof item.id === 'string' ? item.id : '' }),
  validate: (pipeline) => {
    const hasSchedule = pipeline.schedule !== null;
    const hasPeriod = pipeline.period_minutes !== null;
    if (hasSchedule === hasPeriod) return ['schedule: give either schedule (a cron pattern) or period_minutes, not both and not neither'];
    const problem = hasSchedule ? cronProblem(pipeline.schedule as string) : null;
    return problem ? [`schedule: ${problem}`] : [];
  },
  async run(pipeline, ctx) {
    if (!ctx.pings) throw new SourceUnavailableError('redis', 'pings are kept in Redis, which this command does not use');
    const pings = await ctx.pings.recent(pipeline.id, PINGS_READ);
    const calendar = expectedDays(pipeline, ctx);
    const outcome = evaluateHeartbeat({
      pings,
      now: ctx.now,
      zone: ctx.config.monitoring.timezone,
      schedule: pipeline.schedule,
      periodMinutes: pipeline.period_minutes,
      graceMinutes: pipeline.grace_minutes,
      maxRuntimeMinutes: pipeline.max_runtime_minutes,
      // Slots on days the calendar closes are not expected: no run is due on Christmas Day.
      ...(calendar ? { isSlotExpected: (slot: Date) => calendar.isWorkingDay(slot, ctx.config.monitoring.timezone) } : {}),
    });
    return ruleOutcome(outcome, { slug: pipeline.slug, due: outcome.due, lastSuccessAt: outcome.lastSuccessAt, running: outcome.running });
  },
});

export type HeartbeatPipeline = PipelineOfKind<typeof heartbeat>;
