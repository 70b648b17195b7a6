import type { ServerResponse } from 'node:http';
import type { DatamonConfig } from '@datamon/core';
import { closeRedis, createRedisConnection, type RedisClient } from '@datamon/store';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** The Server-Sent Events fan-out: one Redis subscription, any number of open pages. */
export interface LiveUpdates {
  /**
   * Starts streaming snapshot announcements to a response whose headers were already written.
   *
   * @param address - the client's address (at most `maxPerAddress` streams each)
   * @returns a function that stops the stream (called when the client goes away)
   */
  attach(response: ServerResponse, address: string): () => void;
  /** Open streams, for tests and /metrics. */
  readonly clients: number;
  /** No room for another stream: the route answers 503 rather than attach one. */
  readonly full: boolean;
  /** No room for another stream from this address (one client cannot take every slot). */
  fullFor(address: string): boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    live: LiveUpdates;
  }
}

export interface LiveUpdatesOptions {
  config: DatamonConfig;
  /** Comment lines keep proxies from closing an idle stream. */
  heartbeatMs?: number;
  maxClients?: number;
  /** Streams per client address (a wall screen, a few tabs, a few people behind one proxy). */
  maxPerAddress?: number;
}

/**
 * Live updates. The store publishes the new snapshot's `generatedAt` on `snapshotChannel` each
 * time it rebuilds it; this plugin holds one dedicated subscriber connection (a subscribed
 * connection can run no other command) and forwards each announcement as an SSE `snapshot`
 * event. The page re-fetches /api/status on each: the event carries no data worth protecting.
 */
async function liveUpdatesPlugin(fastify: FastifyInstance, options: LiveUpdatesOptions): Promise<void> {
  const channel = fastify.store.keys.snapshotChannel;
  const clients = new Set<ServerResponse>();
  const maxClients = options.maxClients ?? 1_000;
  const maxPerAddress = options.maxPerAddress ?? 20;
  const perAddress = new Map<string, number>();
  let subscriber: RedisClient | null = null;

  const broadcast = (chunk: string): void => {
    for (const client of clients) client.write(chunk);
  };

  const subscribe = (): void => {
    if (subscriber) return;
    subscriber = createRedisConnection(options.config.redis, { connectionName: 'datamon-api-live' });
    subscriber.on('error', (err) => fastify.log.warn({ err }, 'live updates connection error'));
    subscriber.on('message', (_channel: string, generatedAt: string) => {
      broadcast(`event: snapshot\ndata: ${JSON.stringify({ generatedAt })}\n\n`);
    });
    // ioredis re-subscribes by itself after a reconnect; the pages are told so they catch up on
    // what was announced while it was away.
    let connectedBefore = false;
    subscriber.on('ready', () => {
      if (connectedBefore) broadcast('event: reconnected\ndata: {}\n\n');
      connectedBefore = true;
    });
    subscriber.subscribe(channel).catch((err: unknown) => fastify.log.error({ err, channel }, 'cannot subscribe to snapshot updates'));
  };

  const heartbeat = setInterval(() => broadcast(': keep-alive\n\n'), options.heartbeatMs ?? 25_000);
  heartbeat.unref();

  fastify.decorate('live', {
    attach(response: ServerResponse, address: string) {
      if (clients.size >= maxClients) throw new Error('too many live-update clients');
      subscribe();
      clients.add(response);
      perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
      // Tells EventSource-style readers how long to wait before reconnecting.
      response.write('retry: 5000\nevent: hello\ndata: {}\n\n');
      let attached = true;
      return () => {
        if (!attached) return;
        attached = false;
        clients.delete(response);
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left > 0) perAddress.set(address, left);
        else perAddress.delete(address);
      };
    },
    fullFor(address: string) {
      return (perAddress.get(address) ?? 0) >= maxPerAddress;
    },
    get clients() {
      return clients.size;
    },
    get full() {
      return clients.size >= maxClients;
    },
  });

  // Open streams never finish by themselves: end them first, or close() would wait for them.
  fastify.addHook('preClose', async () => {
    clearInterval(heartbeat);
    for (const client of clients) client.end();
    clients.clear();
  });
  fastify.addHook('onClose', async () => {
    if (subscriber) await closeRedis(subscriber);
  });
}

export default fp(liveUpdatesPlugin, { name: 'datamon-live-updates', fastify: '5.x', dependencies: ['datamon-redis'] });
