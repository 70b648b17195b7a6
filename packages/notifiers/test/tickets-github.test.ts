import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createHttpClient } from '@datamon/io';
import { createGitHubTracker, type TicketSettings, type TicketTracker } from '../src/tickets/index.ts';
import { API_PATH, FakeGitHub, GITHUB_TOKEN as TOKEN } from './helpers/fake-github.ts';
import { incident } from './helpers/fixtures.ts';
import { ticketEvent, ticketFailure } from './helpers/tickets.ts';

const INCIDENT_ID = 'etl_calls-1774852260000';
const LABEL = `datamon-${INCIDENT_ID}`;

function settings(github: FakeGitHub, overrides: Partial<TicketSettings> = {}): TicketSettings {
  return { kind: 'github', url: github.apiBase, project: 'acme/pipelines', user: '', token: TOKEN, when: 'critical', done_transition: 'Done', zone: 'Europe/London', ...overrides };
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
      await tracker.open(ticketEvent('opened'));
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
      const ref = await tracker.open(ticketEvent('opened'));
      assert.deepEqual(ref, { key: '#1', url: github.htmlUrl(1) });
    });
  });

  describe('when a create was interrupted and the issue may exist', () => {
    it('finds the issue by its incident label, in any state, skipping pull requests', async () => {
      github.issues.push({ number: 1, title: 'a PR', body: '', labels: [LABEL], state: 'open', state_reason: null, comments: [], pullRequest: true });
      await tracker.open(ticketEvent('opened'));
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
      const ref = await tracker.open(ticketEvent('opened'));
      await tracker.comment(ref, ticketEvent('escalated', { incident: incident({ escalations: 1, lastEscalatedAt: '2026-03-30T07:36:00.000Z' }) }));
      await tracker.comment(ref, ticketEvent('acknowledged', { by: 'ana', incident: incident({ acknowledged: true, acknowledgedBy: 'ana' }) }));
      await tracker.close(ref, ticketEvent('resolved', { incident: incident({ closedAt: '2026-03-30T11:14:00.000Z', resolution: 'newest FactCalls.call_start is 0.2 h old' }) }));

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
      const err = await ticketFailure(tracker.open(ticketEvent('opened')));
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
      const err = await ticketFailure(tracker.open(ticketEvent('opened')));
      assert.equal(err.permanent, false);
      assert.equal(err.statusCode, 403);
      assert.equal(err.retryAfterMs, 120_000);
    });

    it('fails transient on 503', async () => {
      github.refusal = { status: 503 };
      const err = await ticketFailure(tracker.find(INCIDENT_ID));
      assert.equal(err.permanent, false);
    });
  });

  describe('when GitHub refuses the request', () => {
    it('fails permanent on 401 and 404 and says what to check, never with the token', async () => {
      for (const status of [401, 404]) {
        github.refusal = { status, body: JSON.stringify({ message: `refused token ${TOKEN}` }) };
        const err = await ticketFailure(tracker.open(ticketEvent('opened')));
        assert.equal(err.permanent, true, `HTTP ${status}`);
        assert.equal(err.statusCode, status);
        assert.match(err.message, status === 401 ? /check tickets\.token/ : /check tickets\.url and tickets\.project/);
        assert.ok(!err.message.includes(TOKEN), `the token leaked into: ${err.message}`);
        assert.ok(!(err.stack ?? '').includes(TOKEN));
      }
    });

    it('fails permanent on a 403 that is not a rate limit', async () => {
      github.refusal = { status: 403, body: '{"message":"Resource not accessible by personal access token"}' };
      const err = await ticketFailure(tracker.open(ticketEvent('opened')));
      assert.equal(err.permanent, true);
    });
  });

  describe('when tickets.project is not "owner/repo"', () => {
    it('fails every call permanent and sends nothing', async () => {
      for (const project of ['pipelines', 'acme/pipelines/extra', 'acme/..']) {
        const broken = createGitHubTracker(settings(github, { project }), createHttpClient({ timeoutMs: 2000 }));
        const err = await ticketFailure(broken.open(ticketEvent('opened')));
        assert.equal(err.permanent, true, project);
        assert.match(err.message, /tickets\.project: .* is not "owner\/repo"/);
        await ticketFailure(broken.find(INCIDENT_ID));
      }
      assert.equal(github.requests.length, 0);
    });
  });
});
