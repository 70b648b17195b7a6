import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);

/** `packages/server/public`: the dashboard, plain files with no build step. */
export const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'public');

/** uPlot's own dist folder: served as-is from node_modules, never copied from a CDN. */
export const UPLOT_DIR = join(dirname(require.resolve('uplot/package.json')), 'dist');
const UPLOT_FILES = new Set(['uPlot.iife.min.js', 'uPlot.min.css']);

/**
 * The dashboard's files and the one library it uses. Neither decorates the reply: Bull Board
 * registers its own @fastify/static, and two `sendFile` decorators would clash.
 */
export default async function dashboardFiles(fastify: FastifyInstance): Promise<void> {
  await fastify.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/', decorateReply: false, index: ['index.html'] });
  await fastify.register(fastifyStatic, {
    root: UPLOT_DIR,
    prefix: '/vendor/uplot/',
    decorateReply: false,
    allowedPath: (pathName) => UPLOT_FILES.has(pathName.replace(/^\//, '')),
    // Versioned by the package, and small: a day of caching spares a wall screen the revalidations.
    maxAge: '1d',
  });
}
