import type { DatamonConfig } from '@datamon/core';
import type { Logger } from '@datamon/io';
import type { RedisClient } from '@datamon/store';
import AjvCompiler, { type ValidatorFactory } from '@fastify/ajv-compiler';
import helmet from '@fastify/helmet';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { handleError, handleNotFound } from './errors.ts';
import authPlugin from './plugins/auth.ts';
import bullBoardPlugin, { BULL_BOARD_PATH } from './plugins/bull-board.ts';
import compressionPlugin from './plugins/compression.ts';
import dashboardFiles from './plugins/dashboard-files.ts';
import liveUpdatesPlugin from './plugins/live-updates.ts';
import queuesPlugin from './plugins/queues.ts';
import redisPlugin from './plugins/redis.ts';
import sharedModule from './plugins/shared-module.ts';
import writeGuard from './plugins/write-guard.ts';
import adminRoutes from './routes/admin.ts';
import checkinRoutes from './routes/checkins.ts';
import eventRoutes from './routes/events.ts';
import healthRoutes from './routes/health.ts';
import incidentRoutes from './routes/incidents.ts';
import metricsRoutes from './routes/metrics.ts';
import pingRoutes from './routes/pings.ts';
import maintenanceRoutes from './routes/maintenance.ts';
import monitorRoutes from './routes/monitor.ts';
import notificationRoutes from './routes/notifications.ts';
import pipelineRoutes from './routes/pipelines.ts';
import statusRoutes from './routes/status.ts';
import { errorSchema } from './schemas.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: DatamonConfig;
    /** The clock every route reads (injected in tests). */
    now(): Date;
  }
}

export interface AppOptions {
  config: DatamonConfig;
  /** The process logger (pino from @datamon/io); silent when absent. */
  logger?: Logger;
  /** A Redis connection to use instead of opening one; whoever passes it closes it. */
  redis?: RedisClient;
  /** The clock; `() => new Date()` by default. */
  now?: () => Date;
  /** How long `POST /api/pipelines/:id/run?wait=1` waits; 30 s by default (README "HTTP API"). */
  runWaitMs?: number;
  /** Failed sign-ins allowed per address per `authFailureWindowMs` before 429 (default 10 a minute). */
  authFailureLimit?: number;
  authFailureWindowMs?: number;
  /** Interval of the SSE keep-alive comments (default 25 s). */
  liveHeartbeatMs?: number;
  /** How long one rendering of /metrics serves every scrape (default 5 s). */
  /** Pings a minute one heartbeat slug may send (README "Heartbeats"; tests lower it). */
  pingsPerMinute?: number;
  metricsCacheMs?: number;
}

/**
 * The dashboard's Content-Security-Policy: its own scripts, styles and data only. No inline
 * script or style is allowed; the page sets every value through the DOM.
 */
const DASHBOARD_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/**
 * Security headers of API responses, fixed at start-up. @fastify/helmet builds helmet's
 * middleware anew on every request, which halved the throughput of `GET /api/status` in
 * `bench/api.bench.ts`; JSON needs only these: no sniffing, nothing to render or frame, no
 * cross-origin reads.
 */
const API_SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
} as const;

/**
 * The whole API as a Fastify plugin (the fastify/demo shape): resources first, then security,
 * then routes. A test registers it on a bare instance and drives it with `inject`.
 */
async function datamonAppPlugin(fastify: FastifyInstance, options: AppOptions): Promise<void> {
  fastify.decorate('config', options.config);
  fastify.decorate('now', options.now ?? (() => new Date()));
  fastify.addSchema(errorSchema);
  fastify.setErrorHandler(handleError);
  fastify.setNotFoundHandler(handleNotFound);
  await fastify.register(writeGuard, { publicUrl: options.config.dashboard.public_url });
  // Before any route: it hooks each route as it is added.
  await fastify.register(compressionPlugin);

  await fastify.register(redisPlugin, { config: options.config, redis: options.redis, now: fastify.now });
  await fastify.register(queuesPlugin, { config: options.config });
  await fastify.register(liveUpdatesPlugin, { config: options.config, heartbeatMs: options.liveHeartbeatMs });
  await fastify.register(authPlugin, {
    config: options.config,
    maxFailures: options.authFailureLimit,
    failureWindowMs: options.authFailureWindowMs,
  });

  // The API: JSON and Prometheus text, with a fixed set of security headers.
  await fastify.register(async function api(instance) {
    instance.addHook('onRequest', (_request, reply, done) => {
      reply.headers(API_SECURITY_HEADERS);
      done();
    });
    await instance.register(statusRoutes);
    await instance.register(adminRoutes);
    await instance.register(pipelineRoutes, { runWaitMs: options.runWaitMs });
    await instance.register(incidentRoutes);
    await instance.register(notificationRoutes);
    await instance.register(checkinRoutes);
    await instance.register(eventRoutes);
    await instance.register(healthRoutes);
    await instance.register(metricsRoutes, { cacheMs: options.metricsCacheMs ?? 5_000 });
    await instance.register(monitorRoutes);
    await instance.register(maintenanceRoutes);
  });

  // Jobs reporting in: outside dashboard auth (the ping key is the secret), any body type.
  await fastify.register(pingRoutes, { perMinute: options.pingsPerMinute });

  // Documents a browser renders: the dashboard, its files and Bull Board, under helmet.
  await fastify.register(async function documents(instance) {
    await instance.register(helmet, {
      contentSecurityPolicy: DASHBOARD_CSP,
      // TLS belongs to whatever proxy fronts the dashboard; HSTS sent from here could pin a
      // whole internal domain to https.
      strictTransportSecurity: false,
    });
    await instance.register(bullBoardPlugin, { prefix: BULL_BOARD_PATH });
    await instance.register(sharedModule);
    await instance.register(dashboardFiles);
  });

}

/**
 * The app as a plugin. Not encapsulated (fastify-plugin), so whoever registers it sees its
 * decorators (`store`, `queues`): tests seed and inspect through them.
 */
export const datamonApp = fp(datamonAppPlugin, { name: 'datamon-app', fastify: '5.x' });

const ajvCompilers = AjvCompiler();

/** Validators that coerce strings in the query and params, and take bodies exactly as sent. */
const strictBodies: ValidatorFactory = (externalSchemas, options) => {
  const customOptions = (options as { customOptions?: object } | undefined)?.customOptions ?? {};
  const withCoercion = (coerceTypes: 'array' | false) => ({ ...options, customOptions: { ...customOptions, coerceTypes } }) as Parameters<ValidatorFactory>[1];
  const coercing = ajvCompilers(externalSchemas, withCoercion('array'));
  const strict = ajvCompilers(externalSchemas, withCoercion(false));
  return (route) => (route.httpPart === 'body' ? strict : coercing)(route);
};

/**
 * A ready-to-use instance of the app, not listening: `inject` it in tests, or `listen` it
 * (see `startServer`).
 *
 * @param options - config, logger, and the seams tests use (redis, now, short timeouts)
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const fastify = Fastify({
    ...(options.logger ? { loggerInstance: options.logger as unknown as FastifyBaseLogger } : { logger: false }),
    // No line per request: a wall screen polling all day would fill the log. Changes (run,
    // silence, ack), rejected credentials and failures are logged where they happen.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 16 * 1024,
    // A body's unknown field is a mistake worth a 400, not something to drop silently; and a body
    // is taken as it was sent (no `{"minutes": true}` turned into 1), while the query string,
    // which is all text, is read as the numbers and booleans it stands for.
    ajv: { customOptions: { removeAdditional: false } },
    schemaController: { compilersFactory: { buildValidator: strictBodies } },
    // The client's address from X-Forwarded-For only behind a proxy the operator runs.
    trustProxy: options.config.dashboard.trust_proxy,
    return503OnClosing: true,
  });
  await fastify.register(datamonApp, options);
  await fastify.ready();
  return fastify;
}
