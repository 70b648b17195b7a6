import { createHash, timingSafeEqual } from 'node:crypto';
import type { DatamonConfig } from '@datamon/core';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { sendError } from '../errors.ts';

/** Who a request is, once its credentials matched. Never holds the secret itself. */
export interface Principal {
  /** The basic-auth user name, or `token #N` (1-based position in `dashboard.auth.tokens`). */
  name: string;
  method: 'basic' | 'bearer';
}

/** `read`: the GET API (open unless `protect_reads`); `write`: changes and Bull Board. */
export type Access = 'read' | 'write';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The onRequest hooks that let a request through only with the access it needs: none at all
     * for reads while they are open, so the status route pays nothing for auth.
     *
     * @param access - `read` or `write`
     */
    authorize(access: Access): onRequestAsyncHookHandler[];
    /** Whether any credential is configured (the dashboard shows or hides its sign-in form). */
    authConfigured: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export interface AuthPluginOptions {
  config: DatamonConfig;
  /** Failed sign-ins allowed per client address per window before 429. */
  maxFailures?: number;
  failureWindowMs?: number;
}

export const HOW_TO_SET_AUTH =
  'no dashboard credentials are configured: set dashboard.auth.username and dashboard.auth.password ' +
  '(basic auth) and/or dashboard.auth.tokens (bearer tokens) in the config file, then restart the api role';

/**
 * A SHA-256 digest: comparing fixed-length digests with timingSafeEqual takes the same time
 * whatever the length or content of the guess, so neither leaks through timing.
 */
const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
const sameSecret = (a: Buffer, b: Buffer): boolean => timingSafeEqual(a, b);

type Verdict = { outcome: 'ok'; principal: Principal } | { outcome: 'missing' | 'wrong' };

function makeVerifier(auth: DatamonConfig['dashboard']['auth']) {
  const basic = auth.username && auth.password ? { user: digest(auth.username), pass: digest(auth.password), name: auth.username } : null;
  const tokens = auth.tokens.filter((token) => token.length > 0).map(digest);
  return (header: string | undefined): Verdict => {
    if (!header) return { outcome: 'missing' };
    const space = header.indexOf(' ');
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const credentials = space < 0 ? '' : header.slice(space + 1).trim();
    if (scheme === 'basic') {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (!basic || colon < 0) return { outcome: 'wrong' };
      // Both halves are always compared, so a right user name is not told apart by timing.
      const userOk = sameSecret(digest(decoded.slice(0, colon)), basic.user);
      const passOk = sameSecret(digest(decoded.slice(colon + 1)), basic.pass);
      return userOk && passOk ? { outcome: 'ok', principal: { name: basic.name, method: 'basic' } } : { outcome: 'wrong' };
    }
    if (scheme === 'bearer') {
      const guess = digest(credentials);
      let match = -1;
      // Every token is compared, so the position of a match does not show in the timing either.
      tokens.forEach((token, index) => {
        if (sameSecret(guess, token) && match < 0) match = index;
      });
      return match >= 0 ? { outcome: 'ok', principal: { name: `token #${match + 1}`, method: 'bearer' } } : { outcome: 'wrong' };
    }
    return { outcome: 'wrong' };
  };
}

/**
 * Basic auth and bearer tokens from `dashboard.auth` (README "HTTP API"). With nothing configured, writes
 * and Bull Board answer 403 saying how to configure it; missing or wrong credentials answer 401.
 * Failed attempts are rate-limited per address so a token cannot be guessed at line speed; good
 * credentials are never counted.
 */
async function authPlugin(fastify: FastifyInstance, options: AuthPluginOptions): Promise<void> {
  const auth = options.config.dashboard.auth;
  const verify = makeVerifier(auth);
  const basicConfigured = Boolean(auth.username && auth.password);
  const configured = basicConfigured || auth.tokens.some((token) => token.length > 0);

  await fastify.register(rateLimit, { global: false });
  const failures = fastify.createRateLimit({ max: options.maxFailures ?? 10, timeWindow: options.failureWindowMs ?? 60_000 });

  fastify.decorateRequest('principal', null);
  fastify.decorate('authConfigured', configured);

  const challenge = (request: FastifyRequest): string =>
    // A Basic challenge makes browsers pop up their own dialog, even for fetch(); the dashboard
    // has its own sign-in form, so it is sent a Bearer challenge instead.
    basicConfigured && request.headers['x-requested-with'] === undefined ? 'Basic realm="datamon", charset="UTF-8"' : 'Bearer realm="datamon"';

  const unauthorized = (request: FastifyRequest, reply: FastifyReply, message: string): FastifyReply =>
    sendError(reply, 401, message, { 'www-authenticate': challenge(request) });

  fastify.decorate('authorize', (access: Access): onRequestAsyncHookHandler[] => {
    if (access === 'read' && !auth.protect_reads) return [];
    const authorizeRequest: onRequestAsyncHookHandler = async (request, reply) => {
      if (!configured) {
        sendError(reply, 403, HOW_TO_SET_AUTH);
        return reply;
      }
      const header = request.headers.authorization;
      if (header) {
        const peek = await failures(request, { increment: false });
        // `remaining` is 0 once the allowed failures are used up: the next attempt, right or
        // wrong, waits for the window to pass.
        if (!peek.isAllowed && (peek.isExceeded || peek.remaining <= 0)) {
          sendError(reply, 429, `too many failed sign-ins from this address; retry in ${peek.ttlInSeconds} s`, {
            'retry-after': String(peek.ttlInSeconds),
          });
          return reply;
        }
      }
      const verdict = verify(header);
      if (verdict.outcome === 'ok') {
        request.principal = verdict.principal;
        return;
      }
      if (verdict.outcome === 'missing') {
        unauthorized(request, reply, 'sign in: basic auth or a bearer token from dashboard.auth is required');
        return reply;
      }
      await failures(request);
      // Logged without the credentials: who tried, not with what.
      request.log.warn({ ip: request.ip, method: request.method, url: request.url.split('?')[0] }, 'rejected credentials');
      unauthorized(request, reply, 'wrong credentials');
      return reply;
    };
    return [authorizeRequest];
  });
}

export default fp(authPlugin, { name: 'datamon-auth', fastify: '5.x' });
