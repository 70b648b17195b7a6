import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);

/**
 * `packages/server/public`: the dashboard, plain files with no build step. Found through the
 * package, not this file's path, so it holds in the bundle (`npm run bundle`) too.
 */
export const PUBLIC_DIR = join(dirname(require.resolve('@datamon/server/package.json')), 'public');

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
