import { ID_PATTERN, STATUSES } from '@datamon/core';

/**
 * JSON schemas shared by the routes. Response schemas double as the contract of SPEC 8: Fastify
 * serialises with them, so a field a route forgets to fill is visible in the tests, and a field
 * that is not declared (a secret, say) never leaves the process.
 */

export const ERROR_SCHEMA_ID = 'datamon-error';

export const errorSchema = {
  $id: ERROR_SCHEMA_ID,
  type: 'object',
  required: ['error', 'message', 'statusCode'],
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    statusCode: { type: 'integer' },
  },
} as const;

const errorRef = { $ref: `${ERROR_SCHEMA_ID}#` } as const;

/** Error responses every route may give. */
export const errorResponses = { '4xx': errorRef, '5xx': errorRef } as const;

const status = { type: 'string', enum: [...STATUSES] } as const;
const nullableStatus = { type: ['string', 'null'], enum: [...STATUSES, null] } as const;
const instant = { type: 'string' } as const;
const nullableInstant = { type: ['string', 'null'] } as const;
const measuredValue = { type: ['number', 'string', 'null'] } as const;
const nullableString = { type: ['string', 'null'] } as const;

/** A pipeline id in a URL: what the config accepts. */
export const pipelineIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: ID_PATTERN.source } },
} as const;

/** An incident id is `<pipelineId>-<epoch ms>`, so it may be longer than a pipeline id. */
export const incidentIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,127}$' } },
} as const;

export const pipelineViewProperties = {
  id: { type: 'string' },
  name: { type: 'string' },
  kind: { type: 'string' },
  status,
  message: { type: 'string' },
  value: measuredValue,
  checkedAt: nullableInstant,
  since: nullableInstant,
  incident: nullableString,
  acknowledged: { type: 'boolean' },
  silencedUntil: nullableInstant,
  quickCheck: { type: 'boolean' },
} as const;

export const statusSnapshotSchema = {
  type: 'object',
  required: ['generatedAt', 'overall', 'counts', 'pipelines', 'checkins'],
  properties: {
    generatedAt: instant,
    overall: status,
    counts: {
      type: 'object',
      properties: { OK: { type: 'integer' }, WARNING: { type: 'integer' }, CRITICAL: { type: 'integer' }, PENDING: { type: 'integer' } },
    },
    pipelines: { type: 'array', items: { type: 'object', properties: pipelineViewProperties } },
    checkins: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          time: nullableString,
          label: { type: 'string' },
          lastRunAt: nullableInstant,
          status: nullableStatus,
          late: { type: 'boolean' },
        },
      },
    },
  },
} as const;

export const storedResultSchema = {
  type: 'object',
  properties: {
    pipelineId: { type: 'string' },
    status,
    value: measuredValue,
    message: { type: 'string' },
    checkedAt: instant,
    since: instant,
    durationMs: { type: 'number' },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

export const notificationSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    at: instant,
    incidentId: nullableString,
    pipelineId: nullableString,
    channel: { type: 'string' },
    kind: { type: 'string' },
    outcome: { type: 'string' },
    error: nullableString,
    attempts: { type: 'integer' },
  },
} as const;

export const incidentRecordSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    pipelineId: { type: 'string' },
    pipelineName: { type: 'string' },
    status,
    worstStatus: status,
    openedAt: instant,
    closedAt: nullableInstant,
    acknowledged: { type: 'boolean' },
    acknowledgedAt: nullableInstant,
    acknowledgedBy: nullableString,
    criticalSince: nullableInstant,
    escalations: { type: 'integer' },
    lastEscalatedAt: nullableInstant,
    emailed: { type: 'boolean' },
    message: { type: 'string' },
    value: measuredValue,
    threshold: nullableString,
    lastStatus: status,
    lastCheckedAt: instant,
    held: nullableString,
    reopenCount: { type: 'integer' },
    resolution: nullableString,
  },
} as const;

/** One item of `GET /api/incidents` (SPEC 8), with a few more fields the dashboard shows. */
export const incidentListItemSchema = {
  type: 'object',
  required: ['id', 'pipeline', 'status', 'openedAt', 'closedAt', 'acknowledged', 'notifications'],
  properties: {
    id: { type: 'string' },
    pipeline: { type: 'string' },
    pipelineName: { type: 'string' },
    status,
    worstStatus: status,
    openedAt: instant,
    closedAt: nullableInstant,
    acknowledged: { type: 'boolean' },
    acknowledgedAt: nullableInstant,
    acknowledgedBy: nullableString,
    message: { type: 'string' },
    value: measuredValue,
    escalations: { type: 'integer' },
    held: nullableString,
    notifications: { type: 'array', items: notificationSchema },
  },
} as const;

export const historyEntrySchema = {
  type: 'object',
  properties: { status, value: measuredValue, message: { type: 'string' }, checkedAt: instant },
} as const;

export const jobIdSchema = {
  type: 'object',
  required: ['jobId'],
  properties: { jobId: { type: 'string' } },
} as const;
