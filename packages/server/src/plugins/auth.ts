import { createHash, timingSafeEqual } from 'node:crypto';
import { type ConfiguredToken, type DatamonConfig, tokenOf } from '@datamon/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { loggablePath, sendError } from '../errors.ts';
import { WindowCounter } from './window-counter.ts';

/** Who a request is, once its credentials matched. Never holds the secret itself. */
export interface Principal {
  /** The basic-auth user name, the token's name (`{name, token}`), or `token #N` (1-based position in `dashboard.auth.tokens`), or `admin token #N`. */
  name: string;
  method: 'basic' | 'bearer';
  /** May operate Bull Board (retry, clean, pause...): `dashboard.auth.admin_tokens` or `admin_users`. */
  admin: boolean;
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
  /** Failed sign-ins allowed per client address and user per window before 429. */
  maxFailures?: number;
  failureWindowMs?: number;
  /** Writes allowed per credential per window before 429 (default 60 a minute). */
  maxWrites?: number;
  writeWindowMs?: number;
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

/** A verdict on credentials; `who` names what was tried (a user name, "token"), never the secret. */
type Verdict = { outcome: 'ok'; principal: Principal } | { outcome: 'missing' } | { outcome: 'wrong'; who: string };

function makeVerifier(auth: DatamonConfig['dashboard']['auth']) {
  const basic = auth.username && auth.password ? { user: digest(auth.username), pass: digest(auth.password), name: auth.username } : null;
  const named = (items: readonly ConfiguredToken[], label: string, admin: boolean) =>
    items
      .map((item, index) => tokenOf(item, index, label))
      .filter(({ token }) => token.length > 0)
      .map(({ token, name }) => ({ hash: digest(token), name, admin }));
  const tokens = [...named(auth.tokens, 'token', false), ...named(auth.admin_tokens, 'admin token', true)];
  const admins = new Set(auth.admin_users);
  return (header: string | undefined): Verdict => {
    if (!header) return { outcome: 'missing' };
    const space = header.indexOf(' ');
    const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
    const credentials = space < 0 ? '' : header.slice(space + 1).trim();
    if (scheme === 'basic') {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = colon < 0 ? decoded : decoded.slice(0, colon);
      if (!basic || colon < 0) return { outcome: 'wrong', who: `user ${user.slice(0, 64)}` };
      // Both halves are always compared, so a right user name is not told apart by timing.
      const userOk = sameSecret(digest(user), basic.user);
      const passOk = sameSecret(digest(decoded.slice(colon + 1)), basic.pass);
      return userOk && passOk
        ? { outcome: 'ok', principal: { name: basic.name, method: 'basic', admin: admins.has(basic.name) } }
        : { outcome: 'wrong', who: `user ${user.slice(0, 64)}` };
    }
    if (scheme === 'bearer') {
      const guess = digest(credentials);
      let match: (typeof tokens)[number] | null = null;
      // Every token is compared, so the position of a match does not show in the timing either.
      for (const token of tokens) if (sameSecret(guess, token.hash) && !match) match = token;
      return match ? { outcome: 'ok', principal: { name: match.name, method: 'bearer', admin: match.admin } } : { outcome: 'wrong', who: 'a token' };
    }
    return { outcome: 'wrong', who: `scheme ${scheme.slice(0, 16)}` };
  };
}

/**
 * Basic auth and bearer tokens from `dashboard.auth` (README "HTTP API"). With nothing
 * configured, writes and Bull Board answer 403 and say how to configure it; missing or wrong
 * credentials answer 401. Wrong credentials are counted per client address *and* user: past the
 * limit, more wrong ones from there answer 429, but right credentials always get through (an
 * office behind one proxy is never locked out by someone else's typos). Writes are limited per
 * credential too, so a runaway script cannot flood the queues.
 */
async function authPlugin(fastify: FastifyInstance, options: AuthPluginOptions): Promise<void> {
  const auth = options.config.dashboard.auth;
  const verify = makeVerifier(auth);
  const basicConfigured = Boolean(auth.username && auth.password);
  const configured = basicConfigured || [...auth.tokens, ...auth.admin_tokens].some((item, index) => tokenOf(item, index).token.length > 0);

  const failures = new WindowCounter(options.maxFailures ?? 10, options.failureWindowMs ?? 60_000);
  const writes = new WindowCounter(options.maxWrites ?? 60, options.writeWindowMs ?? 60_000);

  fastify.decorateRequest('principal', null);
  fastify.decorate('authConfigured', configured);

  const challenge = (request: FastifyRequest): string =>
    // A Basic challenge makes browsers pop up their own dialog, even for fetch(); the dashboard
    // has its own sign-in form, so it is sent a Bearer challenge instead.
    basicConfigured && request.headers['x-requested-with'] === undefined ? 'Basic realm="datamon", charset="UTF-8"' : 'Bearer realm="datamon"';

  const unauthorized = (request: FastifyRequest, reply: FastifyReply, message: string): FastifyReply =>
    sendError(reply, 401, message, { 'www-authenticate': challenge(request) });

  const tooMany = (reply: FastifyReply, message: string, seconds: number): FastifyReply => sendError(reply, 429, `${message}; retry in ${seconds} s`, { 'retry-after': String(seconds) });

  fastify.decorate('authorize', (access: Access): onRequestAsyncHookHandler[] => {
    if (access === 'read' && !auth.protect_reads) return [];
    const authorizeRequest: onRequestAsyncHookHandler = async (request, reply) => {
      if (!configured) {
        sendError(reply, 403, HOW_TO_SET_AUTH);
        return reply;
      }
      const verdict = verify(request.headers.authorization);
      if (verdict.outcome === 'ok') {
        request.principal = verdict.principal;
        if (access === 'write' && request.method !== 'GET' && request.method !== 'HEAD') {
          const used = writes.hit(verdict.principal.name);
          if (used.exceeded) {
            tooMany(reply, `too many changes with this credential (${options.maxWrites ?? 60} a minute)`, used.retryAfterSeconds);
            return reply;
          }
        }
        return;
      }
      if (verdict.outcome === 'missing') {
        unauthorized(request, reply, 'sign in: basic auth or a bearer token from dashboard.auth is required');
        return reply;
      }
      const counted = failures.hit(`${request.ip}|${verdict.who}`);
      // Logged without the credentials: who tried, not with what.
      request.log.warn({ ip: request.ip, as: verdict.who, method: request.method, url: loggablePath(request.url) }, 'rejected credentials');
      if (counted.exceeded) {
        tooMany(reply, `too many failed sign-ins as ${verdict.who} from this address`, counted.retryAfterSeconds);
        return reply;
      }
      unauthorized(request, reply, 'wrong credentials');
      return reply;
    };
    return [authorizeRequest];
  });
}

export default fp(authPlugin, { name: 'datamon-auth', fastify: '5.x' });
