import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { LocalHttpServer } from './local-server.ts';

/** The credentials the fake accepts (basic auth user:token, as Jira Cloud). */
export const JIRA_USER = 'ops@example.com';
export const JIRA_TOKEN = 'jira-api-token-Zq81';
export const BASIC = Buffer.from(`${JIRA_USER}:${JIRA_TOKEN}`).toString('base64');

export interface JiraRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface JiraIssue {
  key: string;
  fields: Record<string, unknown>;
  comments: unknown[];
  status: { name: string; category: 'new' | 'indeterminate' | 'done' };
}

/** What the fake answers the next matching request with, instead of serving it. */
export interface Refusal {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Only requests whose path ends so (all when absent). */
  pathEndsWith?: string;
  /** Only this many requests are refused, then the fake serves again (all when absent). */
  times?: number;
}

/**
 * A node:http server on 127.0.0.1 playing Jira Cloud REST v3: keeps issues, comments and
 * workflow status, records every request, and can refuse or drop the connection when told.
 */
export class FakeJira extends LocalHttpServer {
  readonly requests: JiraRequest[] = [];
  readonly issues = new Map<string, JiraIssue>();
  transitions: { id: string; name: string; to: { name: string; category: JiraIssue['status']['category'] } }[] = [];
  refusal: Refusal | null = null;
  /** Creates the issue, then drops the connection without answering (a create interrupted mid-way). */
  dropAfterCreate = false;
  /** With `dropAfterCreate`: only the next create is dropped. */
  dropOnce = false;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  reset(): void {
    this.requests.length = 0;
    this.issues.clear();
    this.refusal = null;
    this.dropAfterCreate = false;
    this.transitions = [
      { id: '11', name: 'To Do', to: { name: 'To Do', category: 'new' } },
      { id: '21', name: 'In Progress', to: { name: 'In Progress', category: 'indeterminate' } },
      { id: '31', name: 'Done', to: { name: 'Done', category: 'done' } },
    ];
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const request: JiraRequest = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body: text ? JSON.parse(text) : null };
    this.requests.push(request);
    const json = (status: number, body?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? '' : JSON.stringify(body));
    };

    const refusal = this.refusal;
    if (refusal && (!refusal.pathEndsWith || url.pathname.endsWith(refusal.pathEndsWith))) {
      if (refusal.times !== undefined && --refusal.times <= 0) this.refusal = null;
      res.writeHead(refusal.status, { 'content-type': 'application/json', ...refusal.headers }).end(refusal.body ?? '{"errorMessages":["refused"]}');
      return;
    }
    if (req.headers.authorization !== `Basic ${BASIC}`) {
      json(401, { errorMessages: ['You are not authenticated.'] });
      return;
    }

    const issueMatch = /^\/rest\/api\/3\/issue\/([A-Z0-9_]+-\d+)(\/comment|\/transitions)?$/.exec(url.pathname);
    if (req.method === 'POST' && url.pathname === '/rest/api/3/issue') {
      const fields = (request.body as { fields: Record<string, unknown> }).fields;
      const key = `${(fields.project as { key: string }).key}-${this.issues.size + 1}`;
      this.issues.set(key, { key, fields, comments: [], status: { name: 'To Do', category: 'new' } });
      if (this.dropAfterCreate) {
        if (this.dropOnce) this.dropAfterCreate = false;
        req.socket.destroy();
        return;
      }
      json(201, { id: String(10000 + this.issues.size), key, self: `${this.url}/rest/api/3/issue/${key}` });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/rest/api/3/search/jql') {
      const label = /labels = "([^"]+)"/.exec(url.searchParams.get('jql') ?? '')?.[1];
      const found = [...this.issues.values()].filter((issue) => (issue.fields.labels as string[]).includes(label ?? ''));
      json(200, { issues: found.slice(0, Number(url.searchParams.get('maxResults') ?? 50)).map((issue) => ({ id: '1', key: issue.key })), isLast: true });
      return;
    }
    const issue = issueMatch ? this.issues.get(issueMatch[1] ?? '') : undefined;
    if (!issueMatch || !issue) {
      json(404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'] });
      return;
    }
    if (issueMatch[2] === '/comment' && req.method === 'POST') {
      issue.comments.push((request.body as { body: unknown }).body);
      json(201, { id: String(issue.comments.length) });
    } else if (issueMatch[2] === '/transitions' && req.method === 'GET') {
      // A workflow offers no way from a done status to itself.
      const offered = issue.status.category === 'done' ? this.transitions.filter((t) => t.to.category !== 'done') : this.transitions;
      json(200, { transitions: offered.map((t) => ({ id: t.id, name: t.name, to: { name: t.to.name } })) });
    } else if (issueMatch[2] === '/transitions' && req.method === 'POST') {
      const wanted = (request.body as { transition: { id: string } }).transition.id;
      const transition = this.transitions.find((t) => t.id === wanted);
      if (!transition) return json(400, { errorMessages: ['Transition is not valid.'] });
      issue.status = { name: transition.to.name, category: transition.to.category };
      json(204);
    } else if (!issueMatch[2] && req.method === 'GET') {
      json(200, { key: issue.key, fields: { status: { name: issue.status.name, statusCategory: { key: issue.status.category } } } });
    } else {
      json(405, { errorMessages: ['Method not allowed'] });
    }
  }
}
