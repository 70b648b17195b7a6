import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createHttpClient } from '@datamon/io';
import { createGitHubTracker, TicketError, type TicketEvent, type TicketSettings, type TicketTracker } from '../src/tickets/index.ts';
import { incident } from './helpers/fixtures.ts';

const TOKEN = 'ghp_datamonTestToken0042';
const INCIDENT_ID = 'etl_calls-1774852260000';
const LABEL = `datamon-${INCIDENT_ID}`;
/** GitHub Enterprise serves the API under a path: the base keeps it. */
const API_PATH = '/api/v3';

interface GitHubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> | null;
}

interface GitHubIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: 'open' | 'closed';
  state_reason: string | null;
  comments: string[];
  pullRequest: boolean;
}

interface Refusal {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * A node:http server on 127.0.0.1 playing the GitHub REST API for one repository (`acme/pipelines`):
 * keeps issues (and pull requests, which its issues list also returns), records every request,
 * refuses when told.
 */
class FakeGitHub {
  readonly requests: GitHubRequest[] = [];
  readonly issues: GitHubIssue[] = [];
  refusal: Refusal | null = null;
  private server: Server | null = null;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

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

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
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

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function settings(github: FakeGitHub, overrides: Partial<TicketSettings> = {}): TicketSettings {
  return { kind: 'github', url: github.apiBase, project: 'acme/pipelines', user: '', token: TOKEN, when: 'critical', done_transition: 'Done', zone: 'Europe/London', ...overrides };
}

function event(name: TicketEvent['event'], overrides: Partial<TicketEvent> = {}): TicketEvent {
  return {
    event: name,
    deliveryId: `${INCIDENT_ID}:${name}:1`,
    incident: incident(),
    pipeline: { id: 'etl_calls', name: 'ETL Calls', kind: 'sql_freshness', action: 'Check the FactCalls load job, then re-run it.' },
    dashboardUrl: 'https://datamon.example.com/',
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<TicketError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof TicketError, `expected a TicketError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

describe('the GitHub ticket tracker, against a local GitHub API', () => {
  const github = new FakeGitHub();
  const now = new Date('2026-03-30T10:00:00Z');
  let tracker: TicketTracker;

  before(async () => {
    await github.start();
    tracker = createGitHubTracker(settings(github), createHttpClient({ timeoutMs: 2000 }), () => now);
  });
  after(() => github.stop());
  beforeEach(() => github.reset());

  describe('when a CRITICAL incident opens a ticket', () => {
    it('creates an issue in owner/repo with the bearer token, API version, title, Markdown body and labels', async () => {
      await tracker.open(event('opened'));
      const [request] = github.requests;
      assert.ok(request);
      assert.equal(request.method, 'POST');
      assert.equal(request.path, `${API_PATH}/repos/acme/pipelines/issues`);
      assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
      assert.equal(request.headers.accept, 'application/vnd.github+json');
      assert.equal(request.headers['x-github-api-version'], '2022-11-28');
      assert.equal(request.body?.title, '[datamon] CRITICAL: ETL Calls');
      assert.deepEqual(request.body?.labels, ['datamon', LABEL]);
      const body = String(request.body?.body);
      assert.match(body, /- \*\*What failed:\*\* newest FactCalls\.call\\_start is 26\.0 h old \(critical over 24 h\)/);
      assert.match(body, /- \*\*First detected:\*\* 2026-03-30 07:31 \(Europe\/London\)/);
      assert.match(body, /### Required action\n\nCheck the FactCalls load job, then re-run it\./);
      assert.match(body, /\[Open the dashboard\]\(<https:\/\/datamon\.example\.com\/>\)/);
    });

    it('returns #number and the issue page', async () => {
      const ref = await tracker.open(event('opened'));
      assert.deepEqual(ref, { key: '#1', url: github.htmlUrl(1) });
    });
  });

  describe('when a create was interrupted and the issue may exist', () => {
    it('finds the issue by its incident label, in any state, skipping pull requests', async () => {
      github.issues.push({ number: 1, title: 'a PR', body: '', labels: [LABEL], state: 'open', state_reason: null, comments: [], pullRequest: true });
      await tracker.open(event('opened'));
      const found = await tracker.find(INCIDENT_ID);
      assert.deepEqual(found, { key: '#2', url: github.htmlUrl(2) });
      const search = github.requests.at(-1);
      assert.equal(search?.method, 'GET');
      assert.equal(search?.path, `${API_PATH}/repos/acme/pipelines/issues`);
      assert.equal(search?.query.get('labels'), LABEL);
      assert.equal(search?.query.get('state'), 'all');
    });

    it('finds nothing for an incident without an issue', async () => {
      assert.equal(await tracker.find(INCIDENT_ID), null);
    });
  });

  describe('when the incident escalates, is acknowledged and resolves', () => {
    it('comments on escalation and acknowledgement, then comments and closes the issue as completed', async () => {
      const ref = await tracker.open(event('opened'));
      await tracker.comment(ref, event('escalated', { incident: incident({ escalations: 1, lastEscalatedAt: '2026-03-30T07:36:00.000Z' }) }));
      await tracker.comment(ref, event('acknowledged', { by: 'ana', incident: incident({ acknowledged: true, acknowledgedBy: 'ana' }) }));
      await tracker.close(ref, event('resolved', { incident: incident({ closedAt: '2026-03-30T11:14:00.000Z', resolution: 'newest FactCalls.call_start is 0.2 h old' }) }));

      const [issue] = github.issues;
      assert.equal(issue?.comments.length, 3);
      assert.match(issue?.comments[0] ?? '', /^\*\*datamon\*\*: CRITICAL for 1 h 5 min, not acknowledged/);
      assert.match(issue?.comments[1] ?? '', /^\*\*datamon\*\*: acknowledged by ana/);
      assert.match(issue?.comments[2] ?? '', /^\*\*datamon\*\*: resolved: newest FactCalls\.call\\_start is 0\.2 h old/);
      assert.equal(issue?.state, 'closed');
      assert.equal(issue?.state_reason, 'completed');
      const patch = github.requests.at(-1);
      assert.equal(patch?.method, 'PATCH');
      assert.equal(patch?.path, `${API_PATH}/repos/acme/pipelines/issues/1`);
      assert.deepEqual(patch?.body, { state: 'closed', state_reason: 'completed' });
    });
  });

  describe('when GitHub is busy or down', () => {
    it('fails transient on 429, with the wait Retry-After asked for', async () => {
      github.refusal = { status: 429, headers: { 'retry-after': '30' } };
      const err = await failure(tracker.open(event('opened')));
      assert.equal(err.permanent, false);
      assert.equal(err.retryAfterMs, 30_000);
      assert.equal(err.tracker, 'github');
    });

    it('fails transient on a 403 that is a rate limit, until the limit resets', async () => {
      github.refusal = {
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now.getTime() / 1000 + 120) },
        body: '{"message":"API rate limit exceeded"}',
      };
      const err = await failure(tracker.open(event('opened')));
      assert.equal(err.permanent, false);
      assert.equal(err.statusCode, 403);
      assert.equal(err.retryAfterMs, 120_000);
    });

    it('fails transient on 503', async () => {
      github.refusal = { status: 503 };
      const err = await failure(tracker.find(INCIDENT_ID));
      assert.equal(err.permanent, false);
    });
  });

  describe('when GitHub refuses the request', () => {
    it('fails permanent on 401 and 404 and says what to check, never with the token', async () => {
      for (const status of [401, 404]) {
        github.refusal = { status, body: JSON.stringify({ message: `refused token ${TOKEN}` }) };
        const err = await failure(tracker.open(event('opened')));
        assert.equal(err.permanent, true, `HTTP ${status}`);
        assert.equal(err.statusCode, status);
        assert.match(err.message, status === 401 ? /check tickets\.token/ : /check tickets\.url and tickets\.project/);
        assert.ok(!err.message.includes(TOKEN), `the token leaked into: ${err.message}`);
        assert.ok(!(err.stack ?? '').includes(TOKEN));
      }
    });

    it('fails permanent on a 403 that is not a rate limit', async () => {
      github.refusal = { status: 403, body: '{"message":"Resource not accessible by personal access token"}' };
      const err = await failure(tracker.open(event('opened')));
      assert.equal(err.permanent, true);
    });
  });

  describe('when tickets.project is not "owner/repo"', () => {
    it('fails every call permanent and sends nothing', async () => {
      for (const project of ['pipelines', 'acme/pipelines/extra', 'acme/..']) {
        const broken = createGitHubTracker(settings(github, { project }), createHttpClient({ timeoutMs: 2000 }));
        const err = await failure(broken.open(event('opened')));
        assert.equal(err.permanent, true, project);
        assert.match(err.message, /tickets\.project: .* is not "owner\/repo"/);
        await failure(broken.find(INCIDENT_ID));
      }
      assert.equal(github.requests.length, 0);
    });
  });
});
