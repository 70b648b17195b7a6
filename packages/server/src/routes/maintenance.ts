import { randomUUID } from 'node:crypto';
import { type AdHocWindow, type MaintenanceOccurrence } from '@datamon/core';
import { applyIncidentEvent } from '@datamon/jobs';
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { HttpError, notFound } from '../errors.ts';
import { errorResponses, maintenanceBody, maintenanceListSchema, maintenanceParams, maintenanceWindowSchema } from '../schemas.ts';

/** Days ahead `GET /api/maintenance` lists (README "Business calendar and maintenance windows"). */
const LIST_DAYS = 7;

/**
 * Maintenance windows (README "Business calendar and maintenance windows"): the active ones and
 * those of the next 7 days, from the config and the API; one opened now; one ended now. During a
 * window its pipelines are checked and shown, and nothing is sent for them; when it ends (or is
 * ended), a problem still there is told once.
 */
export default async function maintenanceRoutes(fastify: FastifyInstance): Promise<void> {
  const { config, store } = fastify;
  const read = fastify.authorize('read');
  const write = fastify.authorize('write');
  const view = (occurrence: MaintenanceOccurrence, now: Date) => ({
    ...occurrence,
    active: Date.parse(occurrence.start) <= now.getTime() && now.getTime() < Date.parse(occurrence.end),
  });

  /** Tells the incident rule the window is over for these pipelines: what it held goes now. */
  async function released(pipelines: readonly string[] | null, now: Date): Promise<void> {
    const open = await store.incidents.allOpen();
    const ids = Object.keys(open).filter((id) => pipelines === null || pipelines.includes(id));
    for (const id of ids) await applyIncidentEvent({ config, store, queues: fastify.queues }, id, { type: 'tick' }, now);
  }

  fastify.get('/api/maintenance', { onRequest: read, schema: { response: { 200: maintenanceListSchema, ...errorResponses } } }, async () => {
    const now = fastify.now();
    const windows = await store.maintenanceWindows(config, now, LIST_DAYS);
    return { windows: windows.map((occurrence) => view(occurrence, now)) };
  });

  fastify.post<{ Body: Static<typeof maintenanceBody> }>(
    '/api/maintenance',
    { onRequest: write, schema: { body: maintenanceBody, response: { 201: maintenanceWindowSchema, ...errorResponses } } },
    async (request, reply) => {
      const now = fastify.now();
      const { name, pipelines, minutes } = request.body;
      const known = new Set(config.pipelines.map((pipeline) => pipeline.id));
      const unknown = (pipelines ?? []).filter((id) => !known.has(id));
      if (unknown.length > 0) throw new HttpError(400, `body/pipelines: unknown pipeline ${unknown.map((id) => `"${id}"`).join(', ')}${config.dashboard.auth.protect_reads ? '' : ` (known: ${[...known].join(', ')})`}`);
      const window: AdHocWindow = {
        id: `api-${randomUUID()}`,
        name,
        pipelines: pipelines ? [...new Set(pipelines)] : null,
        from: now.toISOString(),
        to: new Date(now.getTime() + minutes * 60_000).toISOString(),
        createdBy: request.principal?.name ?? 'api',
      };
      await store.maintenance.open(window);
      await store.refreshSnapshot(config, now);
      request.log.info({ id: window.id, name, pipelines: window.pipelines, until: window.to, by: window.createdBy }, 'maintenance window opened');
      const occurrence: MaintenanceOccurrence = { id: window.id, name, pipelines: window.pipelines, start: window.from, end: window.to, source: 'api', createdBy: window.createdBy };
      return reply.code(201).send(view(occurrence, now));
    },
  );

  fastify.delete<{ Params: Static<typeof maintenanceParams> }>(
    '/api/maintenance/:id',
    { onRequest: write, schema: { params: maintenanceParams, response: { 200: maintenanceWindowSchema, ...errorResponses } } },
    async (request) => {
      const now = fastify.now();
      const windows = await store.maintenanceWindows(config, now, LIST_DAYS);
      const occurrence = windows.find((candidate) => candidate.id === request.params.id);
      if (!occurrence) throw notFound(`no active or upcoming maintenance window "${request.params.id}" (GET /api/maintenance lists them)`);
      // A window not started yet is cancelled: it ends before it begins.
      const endsAt = Date.parse(occurrence.start) > now.getTime() ? new Date(occurrence.start) : now;
      await store.maintenance.end(occurrence.id, endsAt);
      await released(occurrence.pipelines, now);
      await store.refreshSnapshot(config, now);
      request.log.info({ id: occurrence.id, name: occurrence.name, by: request.principal?.name }, 'maintenance window ended');
      return view({ ...occurrence, end: endsAt.toISOString() }, now);
    },
  );
}
