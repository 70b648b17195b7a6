import type { IncidentRecord, NotificationRecord } from '@datamon/core';
import Type, { type Static } from 'typebox';
import { applyIncidentEvent, enqueueRecovery } from '@datamon/jobs';
import { type TicketState, ticketRef } from '@datamon/store';
import type { FastifyInstance } from 'fastify';
import { conflict, notFound } from '../errors.ts';
import {
  errorResponses,
  type IncidentDetail,
  incidentDetailSchema,
  incidentIdParams,
  type IncidentListItem,
  incidentListItemSchema,
  incidentRecordSchema,
  incidentsQuery,
  recoverAcceptedSchema,
} from '../schemas.ts';

/** The incident as `/api/incidents` lists it (README "HTTP API"): every field, `pipeline` (its id) and its notifications. */
function incidentView(incident: IncidentRecord, notifications: NotificationRecord[], action: string | null, ticket: TicketState | null | undefined): IncidentListItem {
  // `blockedBy` is always there (null: its own root cause), as SPEC 14 lists it.
  return { ...incident, blockedBy: incident.blockedBy ?? null, pipeline: incident.pipelineId, action, notifications, ticket: ticketRef(ticket) };
}

/**
 * `GET /api/incidents`, `GET /api/incidents/:id` (its timeline), `POST /api/incidents/:id/ack`
 * and `POST /api/incidents/:id/recover` (README "HTTP API", "Incident timeline", "Tickets and recovery").
 */
export default async function incidentRoutes(fastify: FastifyInstance): Promise<void> {
  const { config, store } = fastify;

  fastify.get<{ Querystring: Static<typeof incidentsQuery> }>(
    '/api/incidents',
    {
      onRequest: fastify.authorize('read'),
      schema: { querystring: incidentsQuery, response: { 200: Type.Array(incidentListItemSchema), ...errorResponses } },
    },
    async (request) => {
      const incidents = await store.incidents.list({ state: request.query.state, limit: request.query.limit });
      const [notifications, tickets] = await Promise.all([
        Promise.all(incidents.map((incident) => store.notifications.forIncident(incident.id))),
        store.tickets.getMany(incidents.map((incident) => incident.id)),
      ]);
      const actions = new Map(config.pipelines.map((pipeline) => [pipeline.id, pipeline.action]));
      return incidents.map((incident, index) => incidentView(incident, notifications[index] ?? [], actions.get(incident.pipelineId) ?? null, tickets[incident.id]));
    },
  );

  fastify.get<{ Params: { id: string } }>(
    '/api/incidents/:id',
    {
      onRequest: fastify.authorize('read'),
      schema: { params: incidentIdParams, response: { 200: incidentDetailSchema, ...errorResponses } },
    },
    async (request): Promise<IncidentDetail> => {
      const incident = await store.incidents.get(request.params.id);
      if (!incident) throw notFound(`no incident "${request.params.id}"`);
      const pipeline = config.pipelines.find((candidate) => candidate.id === incident.pipelineId);
      const [notifications, timeline, ticket, recovery, running] = await Promise.all([
        store.notifications.forIncident(incident.id),
        store.incidents.timeline(incident.id),
        store.tickets.get(incident.id),
        store.recovery.get(incident.id),
        store.recovery.running(incident.pipelineId),
      ]);
      return {
        ...incidentView(incident, notifications, pipeline?.action ?? null, ticket),
        recovery: {
          configured: Boolean(pipeline?.recovery),
          attempts: recovery.attempts,
          maxAttempts: pipeline?.recovery?.max_attempts ?? null,
          running: running?.incidentId === incident.id,
          runs: recovery.runs,
        },
        // Stored as recorded; entries written by different processes may land slightly out of order.
        timeline: timeline.map((entry, index) => ({ entry, index })).sort((a, b) => Date.parse(a.entry.at) - Date.parse(b.entry.at) || a.index - b.index).map(({ entry }) => entry),
      };
    },
  );

  fastify.post<{ Params: { id: string } }>(
    '/api/incidents/:id/recover',
    {
      onRequest: fastify.authorize('write'),
      schema: { params: incidentIdParams, response: { 202: recoverAcceptedSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const incident = await store.incidents.get(request.params.id);
      if (!incident) throw notFound(`no incident "${request.params.id}"`);
      // What runs comes from the config only: the request names the incident, nothing else.
      const pipeline = config.pipelines.find((candidate) => candidate.id === incident.pipelineId);
      if (!pipeline?.recovery) throw conflict(`pipeline ${incident.pipelineId} has no recovery action in the config`);
      if (incident.closedAt !== null) throw conflict(`incident ${incident.id} closed at ${incident.closedAt}; there is nothing to recover`);
      const running = await store.recovery.running(incident.pipelineId);
      if (running) throw conflict(`a recovery run of ${incident.pipelineId} is in progress since ${running.startedAt}`);
      const by = request.principal?.name ?? 'api';
      const now = fastify.now();
      const { job, deduplicated } = await enqueueRecovery(fastify.queues, { incidentId: incident.id, pipelineId: incident.pipelineId, manual: true, requestedBy: by }, `manual-${now.getTime()}`);
      if (deduplicated) throw conflict(`a recovery run of incident ${incident.id} is already queued`);
      request.log.info({ incidentId: incident.id, pipelineId: incident.pipelineId, by }, 'recovery action requested');
      return reply.code(202).send({ accepted: true, incident: incident.id, pipeline: incident.pipelineId, jobId: String(job.id) });
    },
  );

  fastify.post<{ Params: { id: string } }>(
    '/api/incidents/:id/ack',
    {
      onRequest: fastify.authorize('write'),
      schema: { params: incidentIdParams, response: { 200: incidentRecordSchema, ...errorResponses } },
    },
    async (request) => {
      const found = await store.incidents.get(request.params.id);
      if (!found) throw notFound(`no incident "${request.params.id}"`);
      if (found.closedAt !== null) throw conflict(`incident ${found.id} closed at ${found.closedAt}; there is nothing to acknowledge`);
      const now = fastify.now();
      // The incident rule records it (who and when) and stops the escalation clock.
      const { decision } = await applyIncidentEvent(
        { config, store, queues: fastify.queues },
        found.pipelineId,
        { type: 'acknowledge', incidentId: found.id, by: request.principal?.name ?? 'api' },
        now,
      );
      const acknowledged = decision.next?.id === found.id ? decision.next : ((await store.incidents.get(found.id)) ?? found);
      if (acknowledged.closedAt !== null) throw conflict(`incident ${acknowledged.id} closed at ${acknowledged.closedAt}; there is nothing to acknowledge`);
      await store.refreshSnapshot(config, now);
      request.log.info({ incidentId: acknowledged.id, pipelineId: acknowledged.pipelineId, by: acknowledged.acknowledgedBy }, 'incident acknowledged');
      return acknowledged;
    },
  );
}
