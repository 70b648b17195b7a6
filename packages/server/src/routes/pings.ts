import { createHash, timingSafeEqual } from 'node:crypto';
import { localDate, localDay, type Ping, type PingType, type PipelineDefinition } from '@datamon/core';
import { enqueuePingCheck } from '@datamon/jobs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WindowCounter } from '../plugins/window-counter.ts';

/** Bytes of a ping's body that are kept (README "Heartbeats"); every answer says so. */
export const PING_BODY_LIMIT = 10_000;
/** A body larger than this is refused (413): no job's output needs more to say what went wrong. */
const PING_BODY_MAX = 1024 * 1024;
/** Pings a minute one slug may send: a job pings two or three times a run; a runaway loop many more. */
export const PINGS_PER_MINUTE = 60;
/** Wrong keys or unknown slugs a minute from one address before it is told to wait. */
const MISSES_PER_MINUTE = 30;
const RID_MAX = 128;
/** Pings looked at for a repeat of the same run's start or finish. */
const REPEAT_LOOKBACK = 20;

export interface PingRouteOptions {
  /** Pings a minute per slug (tests lower it). */
  perMinute?: number;
}

interface PingParams {
  key: string;
  slug: string;
  action?: string;
}

/** The same answer for a wrong key and an unknown slug: a guess learns nothing. */
const NOT_FOUND = 'not found';

/** What a ping's last path segment says, or why it says nothing. */
export function parsePingAction(action: string | undefined): { type: PingType; exitCode: number | null } | 'not-found' | 'bad-code' {
  if (action === undefined) return { type: 'success', exitCode: 0 };
  if (action === 'start' || action === 'log') return { type: action, exitCode: null };
  if (action === 'fail') return { type: 'fail', exitCode: null };
  if (!/^-?\d+$/.test(action)) return 'not-found';
  const code = Number(action);
  if (code < 0 || code > 255) return 'bad-code';
  return code === 0 ? { type: 'success', exitCode: 0 } : { type: 'fail', exitCode: code };
}

/** Constant-time comparison of a given key with the configured one (digests: equal lengths). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** A body cut at a byte limit may end inside a character: drop the broken tail, not the text. */
function bodyText(body: Buffer | undefined): string {
  if (!body || body.length === 0) return '';
  return new TextDecoder('utf-8', { fatal: false }).decode(body.subarray(0, PING_BODY_LIMIT)).replace(/\uFFFD+$/, '');
}

/**
 * The ping routes of heartbeat pipelines (README "Heartbeats"), healthchecks-compatible:
 * `GET|HEAD|POST /ping/:key/:slug[/start|/fail|/log|/<exit code>]`, outside dashboard auth (the
 * ping key is the secret). A ping is stored and its pipeline checked at once through the queue, so
 * a failure reaches Chat within seconds. Every answer is text and carries `Ping-Body-Limit`.
 */
export default async function pingRoutes(fastify: FastifyInstance, options: PingRouteOptions = {}): Promise<void> {
  const { config, store } = fastify;
  const bySlug = new Map<string, PipelineDefinition>();
  for (const pipeline of config.pipelines) {
    if (pipeline.kind === 'heartbeat' && typeof pipeline.slug === 'string') bySlug.set(pipeline.slug, pipeline);
  }
  // The local day a ping counts in, worked out once a day rather than once a ping.
  let day: { date: string; start: number; end: number } | null = null;
  const dayOf = (now: Date): string => {
    const at = now.getTime();
    if (!day || at < day.start || at >= day.end) {
      const date = localDate(now, config.monitoring.timezone);
      const bounds = localDay(date, config.monitoring.timezone);
      day = { date, start: bounds.start.getTime(), end: bounds.end.getTime() };
    }
    return day.date;
  };
  const perSlug = new WindowCounter(options.perMinute ?? PINGS_PER_MINUTE, 60_000);
  const misses = new WindowCounter(MISSES_PER_MINUTE, 60_000);

  // Any content type: jobs send text, JSON or form bodies; only the first 10,000 bytes matter.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: PING_BODY_MAX }, (_request, body, done) => done(null, body));

  fastify.addHook('onRequest', async (_request, reply) => {
    reply.header('ping-body-limit', String(PING_BODY_LIMIT)).type('text/plain; charset=utf-8');
  });
  // A refused ping (413, 503) answers in text too, still saying the limit.
  fastify.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error, slug: (request.params as PingParams).slug }, 'ping failed');
    return reply.code(status).send(status >= 500 ? 'the ping could not be stored; try again' : error.message);
  });

  async function handle(request: FastifyRequest<{ Params: PingParams; Querystring: { rid?: string } }>, reply: FastifyReply) {
    const key = config.heartbeats.ping_key;
    if (!key) return reply.code(403).send('pings are refused: no ping key is configured; set heartbeats.ping_key in the config (16 characters or more)');
    const { slug, action } = request.params;
    const pipeline = bySlug.get(slug);
    if (!sameSecret(request.params.key, key) || !pipeline) {
      const missed = misses.hit(request.ip);
      if (missed.exceeded) return reply.code(429).header('retry-after', String(missed.retryAfterSeconds)).send('too many pings with a wrong key or an unknown slug; wait a minute');
      return reply.code(404).send(NOT_FOUND);
    }
    const parsed = parsePingAction(action);
    if (parsed === 'not-found') return reply.code(404).send(NOT_FOUND);
    if (parsed === 'bad-code') return reply.code(400).send(`exit code must be 0-255, got ${action}`);
    const rid = request.query.rid ?? null;
    if (rid !== null && (rid.length === 0 || rid.length > RID_MAX)) return reply.code(400).send(`rid must be 1-${RID_MAX} characters`);
    const limit = perSlug.hit(slug);
    if (limit.exceeded) {
      request.log.warn({ slug }, 'ping refused: over the per-slug limit');
      return reply.code(429).header('retry-after', String(limit.retryAfterSeconds)).send(`too many pings for ${slug}: at most ${options.perMinute ?? PINGS_PER_MINUTE} a minute`);
    }
    const now = fastify.now();
    const ping: Ping = { at: now.toISOString(), type: parsed.type, exitCode: parsed.exitCode, rid, durationMs: null, body: bodyText(request.body as Buffer | undefined) };
    // A job that retried a ping whose answer it never got (`datamon run` does) sends it twice:
    // a run has one start and one finish, so the second is taken and forgotten.
    if (rid !== null && ping.type !== 'log' && (await isRepeat(pipeline.id, ping))) return reply.code(200).send('OK');
    const { checkNeeded, lastCheckStartedAt } = await store.pings.record(pipeline.id, ping, dayOf(now));
    // One check per burst: a check queued and not started yet reads this ping too.
    if (checkNeeded) await enqueuePingCheck(fastify.queues, pipeline.id, now, lastCheckStartedAt);
    return reply.code(200).send('OK');
  }

  async function isRepeat(pipelineId: string, ping: Ping): Promise<boolean> {
    const recent = await store.pings.recent(pipelineId, REPEAT_LOOKBACK);
    return recent.some((earlier) => earlier.rid === ping.rid && earlier.type === ping.type && earlier.exitCode === ping.exitCode);
  }

  const querystring = { type: 'object', properties: { rid: { type: 'string' } } } as const;
  for (const url of ['/ping/:key/:slug', '/ping/:key/:slug/:action']) {
    fastify.route<{ Params: PingParams; Querystring: { rid?: string } }>({ method: ['GET', 'POST'], url, schema: { querystring }, handler: handle });
  }
}
