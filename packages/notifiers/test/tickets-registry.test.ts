import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHttpClient } from '@datamon/io';
import { createTicketTracker, TICKET_KINDS, TICKET_TRACKERS, ticketSettingsProblems, type TicketSettings } from '../src/tickets/index.ts';
import { testConfig } from './helpers/config.ts';

/** The `tickets` section as a user's file gives it, through the real config loader. */
function tickets(values: Record<string, unknown>): TicketSettings {
  const config = testConfig({ tickets: values });
  return { ...config.tickets, zone: config.monitoring.timezone };
}

/** Settings as a file could give them before validation (the loader refuses bad ones, see below). */
function unchecked(values: Record<string, unknown>): TicketSettings {
  return { ...tickets({}), ...values } as TicketSettings;
}

const JIRA = { kind: 'jira', url: 'https://example.atlassian.net', project: 'DATA', user: 'ops@example.com', token: 'jira-token-1234' };
const GITHUB = { kind: 'github', url: 'https://api.github.com', project: 'acme/pipelines', token: 'ghp_token_1234' };
const WEBHOOK = { kind: 'webhook', url: 'https://hooks.example.com/datamon?key=abc123secret', token: 'whsec_1234' };

describe('the ticket system registry', () => {
  it('lists jira, github and webhook, once each', () => {
    assert.deepEqual(TICKET_KINDS, ['jira', 'github', 'webhook']);
    assert.deepEqual(Object.keys(TICKET_TRACKERS), TICKET_KINDS);
  });

  it('builds no tracker when tickets.kind is empty (the default)', () => {
    assert.equal(createTicketTracker(tickets({})), null);
  });

  it('builds the tracker of each kind', () => {
    const http = createHttpClient();
    for (const values of [JIRA, GITHUB, WEBHOOK]) assert.equal(createTicketTracker(tickets(values), http)?.kind, values.kind);
  });

  it('refuses a kind it does not know', () => {
    const settings = { ...tickets(JIRA), kind: 'trello' } as unknown as TicketSettings;
    assert.throws(() => createTicketTracker(settings), /unknown ticket system "trello" \(known: jira, github, webhook\)/);
    assert.deepEqual(ticketSettingsProblems(settings), ['tickets.kind: "trello" is not one of jira, github, webhook (or empty for none)']);
  });
});

describe('ticket settings problems', () => {
  it('stop start-up, named with the file and key', () => {
    assert.throws(() => tickets({ ...GITHUB, project: 'pipelines' }), /test-config\.yaml: tickets\.project: "pipelines" is not "owner\/repo"/);
  });

  it('finds none without tickets, or with complete settings', () => {
    assert.deepEqual(ticketSettingsProblems(tickets({})), []);
    for (const values of [JIRA, GITHUB, WEBHOOK]) assert.deepEqual(ticketSettingsProblems(tickets(values)), [], values.kind);
  });

  it('jira: names every missing key at once', () => {
    const problems = ticketSettingsProblems(unchecked({ kind: 'jira', done_transition: '' }));
    assert.equal(problems.length, 5);
    assert.match(problems[0] ?? '', /^tickets\.url: required for kind jira/);
    assert.match(problems[1] ?? '', /^tickets\.project: required for kind jira/);
    assert.match(problems[2] ?? '', /^tickets\.user: required for jira/);
    assert.match(problems[3] ?? '', /^tickets\.token: required/);
    assert.match(problems[4] ?? '', /^tickets\.done_transition: required for jira/);
  });

  it('jira: wants a project key', () => {
    assert.match(ticketSettingsProblems(unchecked({ ...JIRA, project: 'Data Team' })).join('\n'), /^tickets\.project: "Data Team" is not a Jira project key/);
  });

  it('github: wants the API base and owner/repo', () => {
    const problems = ticketSettingsProblems(unchecked({ ...GITHUB, url: '', project: 'pipelines' }));
    assert.deepEqual(problems, [
      'tickets.url: required for kind github (the API base, https://api.github.com for github.com)',
      'tickets.project: "pipelines" is not "owner/repo"',
    ]);
  });

  it('wants an http(s) URL, and never shows the query of one', () => {
    assert.match(ticketSettingsProblems(unchecked({ ...JIRA, url: 'ftp://example.atlassian.net' }))[0] ?? '', /^tickets\.url: "ftp:\/\/example\.atlassian\.net\/" is not an http\(s\) URL/);
    const webhook = ticketSettingsProblems(unchecked({ ...WEBHOOK, url: 'hooks.example.com/datamon?key=abc123secret', token: '' }));
    assert.equal(webhook.length, 2);
    assert.match(webhook[0] ?? '', /^tickets\.url: /);
    assert.ok(!webhook.join('\n').includes('abc123secret'));
    assert.match(webhook[1] ?? '', /^tickets\.token: required for kind webhook/);
  });
});
