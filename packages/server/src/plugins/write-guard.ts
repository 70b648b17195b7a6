import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { loggablePath, sendError } from '../errors.ts';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Finite numbers only, in query strings and bodies; and writes only from this site, and only as JSON (README "HTTP API"; SECURITY.md). A browser signed
 * in here attaches its credentials to any request to this host, even one another site's page
 * makes; so every write must not say it comes from another site (`Sec-Fetch-Site`, `Origin`),
 * and the API's writes must be `Content-Type: application/json`, which no cross-site form can send
 * (and a script can only send after a CORS preflight this API never answers). A write without a
 * body sends `{}` or nothing, still as JSON.
 */
async function writeGuard(fastify: FastifyInstance, options: { publicUrl: string }): Promise<void> {
  const publicHost = hostOf(options.publicUrl);

  // Bodies are JSON only: Fastify's text/plain parser would take a cross-site form's body.
  fastify.removeContentTypeParser('text/plain');
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') return done(null, undefined);
    parseJson(request, text, (err, parsed) => {
      // 1e400 parses to Infinity: a number no field can hold.
      if (!err && !allFinite(parsed)) return done(Object.assign(new Error('numbers in the body must be finite'), { statusCode: 400 }), undefined);
      done(err, parsed);
    });
  });

  // A callback hook, not an async one: it runs on every request, and most pass straight through.
  fastify.addHook('onRequest', (request, reply, done) => {
    // "Infinity", "NaN", "1e400": a query value that reads as a number must be a finite one.
    const bad = Object.entries(request.query as Record<string, unknown>).find(([, value]) => typeof value === 'string' && !finiteIfNumeric(value));
    if (bad) {
      sendError(reply, 400, `querystring/${bad[0]} must be a finite number`);
      return;
    }
    // Pings carry no ambient credential (the key is in the URL): another site's page cannot forge one.
    if (!WRITE_METHODS.has(request.method) || request.url.startsWith('/ping/')) {
      done();
      return;
    }
    const crossSite = crossSiteReason(request, publicHost);
    if (crossSite) {
      request.log.warn({ ip: request.ip, method: request.method, url: loggablePath(request.url), why: crossSite }, 'cross-site write refused');
      sendError(reply, 403, `refused: ${crossSite}; datamon takes changes only from its own pages or from scripts (which send no Origin)`);
      return;
    }
    if (request.url.startsWith('/api/') && !isJson(request.headers['content-type'])) {
      sendError(reply, 415, 'changes take Content-Type: application/json (with a JSON body, or none)');
      return;
    }
    done();
  });
}

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$|^[-+]?(infinity|nan)$/i;

function finiteIfNumeric(value: string): boolean {
  return !NUMERIC.test(value.trim()) || Number.isFinite(Number(value));
}

function allFinite(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(allFinite);
  if (value && typeof value === 'object') return Object.values(value).every(allFinite);
  return true;
}

function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
}

/** Why a request comes from another site, or null when it does not. */
function crossSiteReason(request: FastifyRequest, publicHost: string | null): string | null {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return `the browser says the request comes from another site (Sec-Fetch-Site: ${site})`;
  const origin = request.headers.origin;
  if (origin === undefined) return null;
  const from = hostOf(origin);
  const own = request.headers.host ? hostOf(`${request.protocol}://${request.headers.host}`) : null;
  if (from !== null && (from === own || from === publicHost)) return null;
  return `Origin ${origin.slice(0, 100)} is not this site`;
}

export default fp(writeGuard, { name: 'datamon-write-guard', fastify: '5.x' });
