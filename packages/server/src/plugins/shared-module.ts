import { coalesce, formatDuration, singleFlight, STATUS_COLOUR, STATUS_ICON, STATUSES } from '@datamon/core';
import type { FastifyInstance } from 'fastify';

export const SHARED_MODULE_PATH = '/js/shared.js';

/**
 * The part of core the dashboard shares with the cards and emails (status icons and colours,
 * the duration format, work sharing), served to the page as an ES module made from core's own
 * values and functions at start-up: one source, no copy by hand, no build step. Each function
 * stands alone (see core's display.ts); `__name` is the helper a TypeScript loader may wrap
 * function names in.
 */
export function sharedModuleSource(): string {
  const values = { STATUSES, STATUS_ICON, STATUS_COLOUR };
  const functions = [formatDuration, coalesce, singleFlight];
  return [
    '// Made by the datamon API from @datamon/core at start-up; do not edit.',
    'const __name = (target) => target;',
    ...Object.entries(values).map(([name, value]) => `export const ${name} = Object.freeze(${JSON.stringify(value)});`),
    ...functions.map((fn) => `export ${fn.toString()}`),
    '',
  ].join('\n');
}

export default async function sharedModule(fastify: FastifyInstance): Promise<void> {
  const source = sharedModuleSource();
  fastify.get(SHARED_MODULE_PATH, async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(source));
}
