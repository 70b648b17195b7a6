import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { LocalHttpServer } from './local-server.ts';

/** The token the fake accepts. */
export const GITHUB_TOKEN = 'ghp_datamonTestToken0042';
const TOKEN = GITHUB_TOKEN;
/** GitHub Enterprise serves the API under a path: the base keeps it. */
export const API_PATH = '/api/v3';

export interface GitHubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> | null;
}

export interface GitHubIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: 'open' | 'closed';
  state_reason: string | null;
  comments: string[];
  pullRequest: boolean;
}

export interface Refusal {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * A node:http server on 127.0.0.1 playing the GitHub REST API for one repository (`acme/pipelines`):
 * keeps issues (and pull requests, which its issues list also returns), records every request,
 * refuses when told.
 */
export class FakeGitHub extends LocalHttpServer {
  readonly requests: GitHubRequest[] = [];
  readonly issues: GitHubIssue[] = [];
  refusal: Refusal | null = null;

  get apiBase(): string {
    return `http://127.0.0.1:${this.port}${API_PATH}`;
  }

  htmlUrl(number: number): string {
    return `http://127.0.0.1:${this.port}/acme/pipelines/issues/${number}`;
  }

  reset(): void {
    this.requests.length = 0;
    this.issues.length = 0;
    this.refusal = null;
  }

  private view(issue: GitHubIssue): Record<string, unknown> {
    return {
      number: issue.number,
      html_url: this.htmlUrl(issue.number),
      title: issue.title,
      state: issue.state,
      state_reason: issue.state_reason,
      labels: issue.labels.map((name) => ({ name })),
      ...(issue.pullRequest ? { pull_request: { url: 'x' } } : {}),
    };
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.port}`);
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
    this.requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body });
    const json = (status: number, payload: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };

    if (this.refusal) {
      res.writeHead(this.refusal.status, { 'content-type': 'application/json', ...this.refusal.headers }).end(this.refusal.body ?? '{"message":"refused"}');
      return;
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(401, { message: 'Bad credentials' });

    const route = url.pathname.slice(`${API_PATH}/repos/acme/pipelines/issues`.length);
    if (!url.pathname.startsWith(`${API_PATH}/repos/acme/pipelines/issues`)) return json(404, { message: 'Not Found' });
    if (route === '' && req.method === 'POST') {
      const issue: GitHubIssue = {
        number: this.issues.length + 1,
        title: String(body?.title),
        body: String(body?.body),
        labels: (body?.labels as string[]) ?? [],
        state: 'open',
        state_reason: null,
        comments: [],
        pullRequest: false,
      };
      this.issues.push(issue);
      return json(201, this.view(issue));
    }
    if (route === '' && req.method === 'GET') {
      const label = url.searchParams.get('labels') ?? '';
      const state = url.searchParams.get('state') ?? 'open';
      const listed = this.issues.filter((issue) => issue.labels.includes(label) && (state === 'all' || issue.state === state));
      if (url.searchParams.get('direction') !== 'asc') listed.reverse();
      return json(200, listed.map((issue) => this.view(issue)));
    }
    const match = /^\/(\d+)(\/comments)?$/.exec(route);
    const issue = match ? this.issues.find((candidate) => candidate.number === Number(match[1])) : undefined;
    if (!match || !issue) return json(404, { message: 'Not Found' });
    if (match[2] && req.method === 'POST') {
      issue.comments.push(String(body?.body));
      return json(201, { id: issue.comments.length, body: body?.body });
    }
    if (!match[2] && req.method === 'PATCH') {
      if (body?.state === 'closed' || body?.state === 'open') issue.state = body.state;
      if (typeof body?.state_reason === 'string') issue.state_reason = body.state_reason;
      return json(200, this.view(issue));
    }
    json(404, { message: 'Not Found' });
  }
}
