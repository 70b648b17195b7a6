import { randomUUID } from 'node:crypto';
import { prepareReload } from '@datamon/config';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { HttpError } from '../errors.ts';
import { errorResponses } from '../schemas.ts';

const ids = Type.Array(Type.String());

/** `GET /api/admin/reload`: how the last config reload went, or null before any. */
const reloadStatusSchema = Type.Union([
  Type.Object({ id: Type.String(), at: Type.String(), by: Type.String(), ok: Type.Boolean(), message: Type.String(), added: ids, removed: ids, changed: ids }),
  Type.Null(),
]);

/** `POST /api/admin/reload`: what the reload changes; every process applies it within seconds. */
const reloadAnswerSchema = Type.Object({
  id: Type.String(),
  added: ids,
  removed: ids,
  changed: ids,
  checkins: Type.Object({ added: ids, removed: ids, changed: ids }),
  settings: ids,
});

/**
 * Config reload through the API (README "Reloading the config"): the file this process was
 * started with is read again; a valid one is announced on Redis and every `datamon start`
 * process, on every machine, reloads its own file within seconds; an invalid one is refused
 * (422) with the start-up messages, recorded for the dashboard, and the running config stays.
 */
export default async function adminRoutes(fastify: FastifyInstance): Promise<void> {
  const { config, store } = fastify;

  fastify.get('/api/admin/reload', { onRequest: fastify.authorize('read'), schema: { response: { 200: reloadStatusSchema, ...errorResponses } } }, async () =>
    store.reloads.status(),
  );

  fastify.post('/api/admin/reload', { onRequest: fastify.authorize('write'), schema: { response: { 200: reloadAnswerSchema, ...errorResponses } } }, async (request) => {
    const reload = { id: randomUUID(), at: fastify.now().toISOString(), by: request.principal?.name ?? 'api' };
    const plan = prepareReload(config);
    if (!plan.ok) {
      await store.reloads.record({ ...reload, ok: false, message: plan.message, added: [], removed: [], changed: [] });
      request.log.warn({ reload: reload.id, problems: plan.message.split('\n') }, 'config reload refused');
      throw new HttpError(422, plan.message);
    }
    await store.reloads.announce(reload);
    request.log.info({ reload: reload.id, by: reload.by, added: plan.diff.added, removed: plan.diff.removed, changed: plan.diff.changed }, 'config reload announced');
    const { added, removed, changed, checkins, settings } = plan.diff;
    return { id: reload.id, added, removed, changed, checkins, settings };
  });
}
