import type { IncidentRecord, NotificationRecord } from '@datamon/core';
import Type, { type Static } from 'typebox';
import { applyIncidentEvent } from '@datamon/jobs';
import type { FastifyInstance } from 'fastify';
import { conflict, notFound } from '../errors.ts';
import { errorResponses, incidentIdParams, type IncidentListItem, incidentListItemSchema, incidentRecordSchema, incidentsQuery } from '../schemas.ts';

/** The incident as `/api/incidents` lists it (README "HTTP API"): every field, `pipeline` (its id) and its notifications. */
function incidentView(incident: IncidentRecord, notifications: NotificationRecord[], action: string | null): IncidentListItem {
  return { ...incident, pipeline: incident.pipelineId, action, notifications };
}

/** `GET /api/incidents` and `POST /api/incidents/:id/ack` (README "HTTP API"). */
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
      const notifications = await Promise.all(incidents.map((incident) => store.notifications.forIncident(incident.id)));
      const actions = new Map(config.pipelines.map((pipeline) => [pipeline.id, pipeline.action]));
      return incidents.map((incident, index) => incidentView(incident, notifications[index] ?? [], actions.get(incident.pipelineId) ?? null));
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
