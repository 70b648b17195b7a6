import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake Google Chat does with the next requests. */
export type ChatBehaviour =
  | { kind: 'ok' }
  /** `times`: answer so that many requests, then `ok` again (a Chat that recovers). */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string; times?: number }
  /** Answers with the request URL in the body, as a careless server might. */
  | { kind: 'echo-url'; status: number }
  | { kind: 'hang' };

export interface ChatRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  body: Record<string, unknown>;
  /** When the request arrived (ms since the epoch, real clock). */
  at: number;
}

/**
 * A node:http server on 127.0.0.1 playing a Google Chat incoming webhook: records every request
 * (path, query, JSON body) and answers as told.
 */
export class FakeGoogleChat {
  readonly requests: ChatRequest[] = [];
  behaviour: ChatBehaviour = { kind: 'ok' };
  private server: Server | null = null;
  private readonly hanging = new Set<ServerResponse>();
  port = 0;

  /** Listens on `port` (a free one by default; give the old one to come back after `stop`). */
  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** The webhook URL users paste: key and token in the query. */
  webhookUrl(key = 'KEY123', token = 'TOKEN456%3D'): string {
    return `http://127.0.0.1:${this.port}/v1/spaces/AAAA/messages?key=${key}&token=${token}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.port}`);
    const text = Buffer.concat(chunks).toString('utf8');
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      contentType: req.headers['content-type'],
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      at,
    });
    const behaviour = this.behaviour;
    switch (behaviour.kind) {
      case 'ok':
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: 'spaces/AAAA/messages/1' }));
        return;
      case 'status':
        if (behaviour.times !== undefined && --behaviour.times <= 0) this.behaviour = { kind: 'ok' };
        res.writeHead(behaviour.status, { 'content-type': 'application/json', ...behaviour.headers }).end(behaviour.body ?? '{}');
        return;
      case 'echo-url':
        res
          .writeHead(behaviour.status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { message: `Invalid request to ${req.url} (token ${url.searchParams.get('token')})` } }));
        return;
      case 'hang':
        this.hanging.add(res);
        return;
    }
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
