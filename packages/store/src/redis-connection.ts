import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { type DatamonConfig, parseHostPort } from '@datamon/core';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

/** A connection to one Redis (directly or through Sentinel) or to a Redis Cluster. */
export type RedisClient = Redis | Cluster;

type RedisConfig = DatamonConfig['redis'];

/**
 * What a connection is made from: `redis.url`, or `redis.sentinel` / `redis.cluster` (with
 * `redis.tls`). Only `url` is required, so a hand-made `{ url }` still does.
 */
export type RedisConnectionSettings = Pick<RedisConfig, 'url'> & Partial<Pick<RedisConfig, 'sentinel' | 'cluster' | 'tls'>>;

/** The `redis` section as the queues and the store read it: where Redis is, and the key prefix. */
export type RedisSettings = RedisConnectionSettings & Pick<RedisConfig, 'prefix'>;

/** How datamon reaches Redis: one server at `redis.url`, the master `redis.sentinel` names, or `redis.cluster`. */
export type RedisTopology = 'standalone' | 'sentinel' | 'cluster';

/** The topology the settings choose (the config loader allows only one of them). */
export function redisTopology(settings: Partial<Pick<RedisConfig, 'sentinel' | 'cluster'>>): RedisTopology {
  if ((settings.cluster?.nodes.length ?? 0) > 0) return 'cluster';
  if ((settings.sentinel?.nodes.length ?? 0) > 0) return 'sentinel';
  return 'standalone';
}

/** Reconnection delays: 250 ms doubling to 5 s, for ever. */
export const reconnectBackoff = (attempt: number): number => Math.min(250 * 2 ** Math.min(attempt, 5), 5_000);

/**
 * A Redis connection as every datamon process makes it. `maxRetriesPerRequest: null` is what
 * BullMQ workers need, and it makes a restarted Redis a pause rather than a crash: commands
 * wait in the offline queue and the client reconnects with capped backoff.
 *
 * @param settings - a URL (`redis://`, `rediss://`), or the `redis` section of the config:
 *   `url`, or `sentinel`, or `cluster`, with `tls`
 * @param options - ioredis options over the defaults; on a cluster they are split between the
 *   cluster (`lazyConnect`, `enableOfflineQueue`, `enableReadyCheck`, `enableAutoPipelining`,
 *   `autoPipeliningIgnoredCommands`, `retryStrategy`) and each node's connection (the rest)
 */
export function createRedisConnection(settings: string, options?: RedisOptions): Redis;
export function createRedisConnection(settings: RedisConnectionSettings | string, options?: RedisOptions): RedisClient;
export function createRedisConnection(settings: RedisConnectionSettings | string, options: RedisOptions = {}): RedisClient {
  const merged: RedisOptions = { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: reconnectBackoff, ...options };
  if (typeof settings === 'string') return new Redis(settings, merged);
  const tls = tlsOptions(settings);
  switch (redisTopology(settings)) {
    case 'cluster':
      return clusterConnection(settings.cluster as RedisConfig['cluster'], tls, merged);
    case 'sentinel': {
      const sentinel = settings.sentinel as RedisConfig['sentinel'];
      return new Redis({
        sentinels: sentinel.nodes.map(hostPort),
        name: sentinel.name,
        ...(sentinel.username ? { username: sentinel.username } : {}),
        ...(sentinel.password ? { password: sentinel.password } : {}),
        ...(sentinel.sentinel_password ? { sentinelPassword: sentinel.sentinel_password } : {}),
        ...(tls ? { tls, enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
        // Every sentinel unreachable is retried like a Redis that is down (or not, when the caller says so).
        sentinelRetryStrategy: merged.retryStrategy ?? undefined,
        ...merged,
      });
    }
    case 'standalone':
      return new Redis(settings.url, { ...(tls ? { tls } : {}), ...merged });
  }
}

function clusterConnection(cluster: RedisConfig['cluster'], tls: ConnectionOptions | null, options: RedisOptions): Cluster {
  // What ioredis takes at the cluster's level; every other option is for each node's connection.
  const { lazyConnect, enableOfflineQueue, enableReadyCheck, enableAutoPipelining, autoPipeliningIgnoredCommands, retryStrategy, host: _host, port: _port, path: _path, sentinels: _sentinels, readOnly: _readOnly, ...nodeOptions } = options;
  const clusterOptions: ClusterOptions = {
    clusterRetryStrategy: retryStrategy ?? undefined,
    redisOptions: {
      ...nodeOptions,
      ...(cluster.username ? { username: cluster.username } : {}),
      ...(cluster.password ? { password: cluster.password } : {}),
      ...(tls ? { tls } : {}),
    },
  };
  if (lazyConnect !== undefined) clusterOptions.lazyConnect = lazyConnect;
  if (enableOfflineQueue !== undefined) clusterOptions.enableOfflineQueue = enableOfflineQueue;
  if (enableReadyCheck !== undefined) clusterOptions.enableReadyCheck = enableReadyCheck;
  if (enableAutoPipelining !== undefined) clusterOptions.enableAutoPipelining = enableAutoPipelining;
  if (autoPipeliningIgnoredCommands !== undefined) clusterOptions.autoPipeliningIgnoredCommands = autoPipeliningIgnoredCommands;
  return new Cluster(cluster.nodes.map(hostPort), clusterOptions);
}

function hostPort(node: string): { host: string; port: number } {
  const parsed = parseHostPort(node);
  if (!parsed) throw new Error(`"${node}" is not "host:port"`);
  return parsed;
}

/** The TLS options `redis.tls` asks for, or null when TLS is not in use (a `redis://` URL, or `tls.enabled` false). */
function tlsOptions(settings: RedisConnectionSettings): ConnectionOptions | null {
  const tls = settings.tls;
  const on = redisTopology(settings) === 'standalone' ? /^rediss:/i.test(settings.url) : tls?.enabled === true;
  if (!on) return null;
  if (!tls) return {};
  const file = (key: 'ca_file' | 'cert_file' | 'key_file') => {
    try {
      return readFileSync(tls[key]);
    } catch (err) {
      throw new Error(`redis.tls.${key}: ${tls[key]} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
    }
  };
  return {
    rejectUnauthorized: tls.reject_unauthorized,
    ...(tls.ca_file ? { ca: file('ca_file') } : {}),
    ...(tls.cert_file ? { cert: file('cert_file') } : {}),
    ...(tls.key_file ? { key: file('key_file') } : {}),
  };
}

/**
 * Where the settings point, safe to log: the URL without its credentials, or the sentinels and
 * master name, or the cluster nodes given.
 */
export function describeRedis(settings: RedisConnectionSettings | string): string {
  if (typeof settings === 'string') return urlWithoutCredentials(settings);
  switch (redisTopology(settings)) {
    case 'cluster':
      return `cluster ${settings.cluster?.nodes.join(',')}`;
    case 'sentinel':
      return `master "${settings.sentinel?.name}" of sentinels ${settings.sentinel?.nodes.join(',')}`;
    case 'standalone':
      return urlWithoutCredentials(settings.url);
  }
}

function urlWithoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

/**
 * Every key matching a SCAN pattern, a batch at a time. On a cluster each master is scanned (a
 * key lives on one of them); a replica's copies are not read twice.
 */
export async function* scanKeys(redis: RedisClient, pattern: string, count = 500): AsyncGenerator<string[]> {
  const nodes: Redis[] = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}

/**
 * Closes a Redis connection: politely when it is up, at once when it is not. QUIT on a client
 * that is reconnecting waits behind its offline queue (a SUBSCRIBE made while Redis was away,
 * say), which with `maxRetriesPerRequest: null` is forever.
 */
export async function closeRedis(redis: RedisClient, timeoutMs = 2_000): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  const quit = redis.quit().then(
    () => true,
    () => true,
  );
  const quitInTime = await Promise.race([quit, new Promise<false>((resolve) => setTimeout(resolve, timeoutMs, false).unref())]);
  if (!quitInTime) redis.disconnect();
}

/** Error codes and messages that mean "Redis is not reachable right now", not "something is wrong". */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
const UNREACHABLE_MESSAGES = [
  /connection is closed/i,
  /connect ETIMEDOUT/i,
  /stream isn't writeable/i,
  /socket closed unexpectedly/i,
  /ECONNREFUSED/,
  /enableOfflineQueue/i,
  // Sentinel and cluster: no sentinel, or no node, answers.
  /All sentinels are unreachable/i,
  /None of startup nodes is available/i,
  /Failed to refresh slots cache/i,
  /Cluster is not ready|CLUSTERDOWN/i,
];
const UNREACHABLE_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);

/**
 * Whether an error means Redis cannot be reached (down, restarting, network): the one test every
 * role and the API use, to say so once instead of logging a failure per command.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (UNREACHABLE_NAMES.has(err.name)) return true;
  const code = (err as NodeJS.ErrnoException).code;
  if (code && UNREACHABLE_CODES.has(code)) return true;
  return UNREACHABLE_MESSAGES.some((pattern) => pattern.test(err.message));
}
