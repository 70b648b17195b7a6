import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createHttpClient } from '@datamon/io';
import { createJiraTracker, incidentLabel, type TicketSettings, type TicketTracker } from '../src/tickets/index.ts';
import { BASIC, FakeJira, JIRA_TOKEN as TOKEN, JIRA_USER as USER } from './helpers/fake-jira.ts';
import { incident } from './helpers/fixtures.ts';
import { ticketEvent, ticketFailure } from './helpers/tickets.ts';

const INCIDENT_ID = 'etl_calls-1774852260000';

function settings(jira: FakeJira, overrides: Partial<TicketSettings> = {}): TicketSettings {
  return { kind: 'jira', url: `${jira.url}/`, project: 'DATA', user: USER, token: TOKEN, when: 'critical', done_transition: 'Done', zone: 'Europe/London', ...overrides };
}

/** All the text of an Atlassian document, in order. */
function adfText(node: unknown): string {
  if (typeof node !== 'object' || node === null) return '';
  const { text, content } = node as { text?: string; content?: unknown[] };
  return (text ?? '') + (content ?? []).map(adfText).join(node && (node as { type?: string }).type === 'doc' ? '\n' : '');
}

function assertNoSecret(text: string): void {
  for (const secret of [TOKEN, BASIC, `${USER}:${TOKEN}`]) assert.ok(!text.includes(secret), `a secret leaked into: ${text}`);
}

describe('the Jira ticket tracker, against a local Jira', () => {
  const jira = new FakeJira();
  let tracker: TicketTracker;

  before(async () => {
    await jira.start();
    tracker = createJiraTracker(settings(jira), createHttpClient({ timeoutMs: 2000 }));
  });
  after(() => jira.stop());
  beforeEach(() => jira.reset());

  describe('when a CRITICAL incident opens a ticket', () => {
    it('creates a Task in the project with basic auth, the title, the incident labels and an ADF description', async () => {
      await tracker.open(ticketEvent('opened'));
      const [request] = jira.requests;
      assert.ok(request);
      assert.equal(request.method, 'POST');
      assert.equal(request.path, '/rest/api/3/issue');
      assert.equal(request.headers.authorization, `Basic ${BASIC}`);
      assert.match(request.headers['content-type'] ?? '', /application\/json/);
      const { fields } = request.body as { fields: Record<string, unknown> };
      assert.deepEqual(fields.project, { key: 'DATA' });
      assert.deepEqual(fields.issuetype, { name: 'Task' });
      assert.equal(fields.summary, '[datamon] CRITICAL: ETL Calls');
      assert.deepEqual(fields.labels, ['datamon', `datamon-${INCIDENT_ID}`]);
      const description = fields.description as { type: string; version: number };
      assert.equal(description.type, 'doc');
      assert.equal(description.version, 1);
      const text = adfText(description);
      assert.match(text, /What failed: newest FactCalls\.call_start is 26\.0 h old \(critical over 24 h\)/);
      assert.match(text, /Measured: 26 against critical over 24 h/);
      assert.match(text, /First detected: 2026-03-30 07:31 \(Europe\/London\)/);
      assert.match(text, /Check the FactCalls load job, then re-run it\./);
      assert.match(text, new RegExp(`Incident: ${INCIDENT_ID}`));
    });

    it('returns the issue key and its browse link', async () => {
      const ref = await tracker.open(ticketEvent('opened'));
      assert.deepEqual(ref, { key: 'DATA-1', url: `${jira.url}/browse/DATA-1` });
    });
  });

  describe('when a create was interrupted after Jira made the issue', () => {
    it('fails transient, and find then returns the issue it made, so no second one is needed', async () => {
      jira.dropAfterCreate = true;
      const err = await ticketFailure(tracker.open(ticketEvent('opened')));
      assert.equal(err.permanent, false);
      assert.equal(jira.issues.size, 1);
      jira.dropAfterCreate = false;

      const found = await tracker.find(INCIDENT_ID);
      assert.deepEqual(found, { key: 'DATA-1', url: `${jira.url}/browse/DATA-1` });
      const search = jira.requests.at(-1);
      assert.equal(search?.method, 'GET');
      assert.equal(search?.path, '/rest/api/3/search/jql');
      assert.match(search?.query.get('jql') ?? '', new RegExp(`^project = "DATA" AND labels = "datamon-${INCIDENT_ID}"`));
      assert.equal(search?.query.get('fields'), 'key');
      assert.equal(search?.headers.authorization, `Basic ${BASIC}`);
    });

    it('finds nothing for an incident that has no issue', async () => {
      await tracker.open(ticketEvent('opened'));
      assert.equal(await tracker.find('etl_calls-1774900000000'), null);
    });
  });

  describe('when the incident escalates and is acknowledged', () => {
    it('comments on the issue with how long it has been CRITICAL, then who acknowledged it', async () => {
      const ref = await tracker.open(ticketEvent('opened'));
      await tracker.comment(ref, ticketEvent('escalated', { incident: incident({ escalations: 1, lastEscalatedAt: '2026-03-30T07:36:00.000Z' }) }));
      await tracker.comment(
        ref,
        ticketEvent('acknowledged', { by: 'ana', incident: incident({ acknowledged: true, acknowledgedBy: 'ana', acknowledgedAt: '2026-03-30T07:40:00.000Z' }) }),
      );
      const comments = jira.issues.get('DATA-1')?.comments ?? [];
      assert.equal(comments.length, 2);
      assert.match(adfText(comments[0]), /CRITICAL for 1 h 5 min, not acknowledged/);
      assert.match(adfText(comments[1]), /acknowledged by ana at 2026-03-30 08:40/);
      const posted = jira.requests.filter((request) => request.path === '/rest/api/3/issue/DATA-1/comment');
      assert.equal(posted.length, 2);
      assert.equal((posted[0]?.body as { body: { type: string } }).body.type, 'doc');
    });

    it('refuses, permanent, to comment without an issue', async () => {
      const err = await ticketFailure(tracker.comment(null, ticketEvent('escalated')));
      assert.equal(err.permanent, true);
      assert.equal(jira.requests.length, 0);
    });
  });

  describe('when the incident resolves', () => {
    const resolved = () => ticketEvent('resolved', { incident: incident({ closedAt: '2026-03-30T11:14:00.000Z', resolution: 'newest FactCalls.call_start is 0.2 h old' }) });

    it('comments with the resolution, then moves the issue through the transition named done_transition', async () => {
      jira.transitions = [
        { id: '11', name: 'To Do', to: { name: 'To Do', category: 'new' } },
        { id: '41', name: 'DONE', to: { name: 'Closed', category: 'done' } },
      ];
      const ref = await tracker.open(ticketEvent('opened'));
      await tracker.close(ref, resolved());
      const issue = jira.issues.get('DATA-1');
      assert.match(adfText(issue?.comments[0]), /resolved: newest FactCalls\.call_start is 0\.2 h old/);
      assert.equal(issue?.status.category, 'done');
      const calls = jira.requests.slice(1).map((request) => `${request.method} ${request.path}`);
      assert.deepEqual(calls, [
        'POST /rest/api/3/issue/DATA-1/comment',
        'GET /rest/api/3/issue/DATA-1/transitions',
        'POST /rest/api/3/issue/DATA-1/transitions',
      ]);
      assert.deepEqual(jira.requests.at(-1)?.body, { transition: { id: '41' } });
    });

    it('fails permanent, naming the transitions that exist, when none has that name', async () => {
      const strict = createJiraTracker(settings(jira, { done_transition: 'Resolve Issue' }), createHttpClient({ timeoutMs: 2000 }));
      const ref = await strict.open(ticketEvent('opened'));
      const err = await ticketFailure(strict.close(ref, resolved()));
      assert.equal(err.permanent, true);
      assert.match(err.message, /no transition named "Resolve Issue"/);
      assert.match(err.message, /"To Do", "In Progress", "Done"/);
      assert.match(err.message, /tickets\.done_transition/);
      assert.equal(jira.issues.get('DATA-1')?.status.category, 'new');
    });

    it('succeeds when a retry finds the issue done already (the first answer was lost)', async () => {
      const ref = await tracker.open(ticketEvent('opened'));
      await tracker.close(ref, resolved());
      await tracker.close(ref, resolved());
      assert.equal(jira.issues.get('DATA-1')?.status.category, 'done');
    });
  });

  describe('when Jira is busy or down', () => {
    it('fails transient on 429, with the wait Retry-After asked for', async () => {
      jira.refusal = { status: 429, headers: { 'retry-after': '7' } };
      const err = await ticketFailure(tracker.open(ticketEvent('opened')));
      assert.equal(err.permanent, false);
      assert.equal(err.statusCode, 429);
      assert.equal(err.retryAfterMs, 7000);
      assert.equal(err.tracker, 'jira');
    });

    it('fails transient on 503', async () => {
      jira.refusal = { status: 503 };
      const err = await ticketFailure(tracker.find(INCIDENT_ID));
      assert.equal(err.permanent, false);
      assert.equal(err.statusCode, 503);
    });
  });

  describe('when Jira refuses the request', () => {
    it('fails permanent on 401 and says what to check, without the token even when Jira echoes it', async () => {
      jira.refusal = { status: 401, body: JSON.stringify({ errorMessages: [`bad credentials Basic ${BASIC} (${USER}:${TOKEN})`] }) };
      const err = await ticketFailure(tracker.open(ticketEvent('opened')));
      assert.equal(err.permanent, true);
      assert.equal(err.statusCode, 401);
      assert.match(err.message, /^Jira: HTTP 401 from http:\/\/127\.0\.0\.1:\d+\/rest\/api\/3\/issue/);
      assert.match(err.message, /check tickets\.user and tickets\.token/);
      assertNoSecret(err.message);
      assertNoSecret(err.stack ?? '');
    });

    it('fails permanent on 404 for an issue that is gone', async () => {
      const err = await ticketFailure(tracker.comment({ key: 'DATA-99', url: `${jira.url}/browse/DATA-99` }, ticketEvent('escalated')));
      assert.equal(err.permanent, true);
      assert.equal(err.statusCode, 404);
      assertNoSecret(err.message);
    });

    it('keeps the search query (everything after "?") out of an error', async () => {
      jira.refusal = { status: 400 };
      const err = await ticketFailure(tracker.find(INCIDENT_ID));
      assert.match(err.message, /\/rest\/api\/3\/search\/jql\?\[redacted\]/);
      assert.ok(!err.message.includes(incidentLabel(INCIDENT_ID)));
    });
  });

  describe('when the settings are incomplete', () => {
    it('fails every call permanent, naming the keys, and sends nothing', async () => {
      const broken = createJiraTracker(settings(jira, { user: '', project: 'data team' }), createHttpClient({ timeoutMs: 2000 }));
      const err = await ticketFailure(broken.open(ticketEvent('opened')));
      assert.equal(err.permanent, true);
      assert.match(err.message, /tickets\.user: required for jira/);
      assert.match(err.message, /tickets\.project: "data team" is not a Jira project key/);
      assert.equal(jira.requests.length, 0);
    });
  });
});
