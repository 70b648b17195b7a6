import { createHttpClient } from '@datamon/io';
import type { HttpClient } from '../notifier.ts';
import { incidentLabel, ticketComment, ticketDescription, ticketTitle, toAdf } from './render.ts';
import { assertNoProblems, tokenProblems, urlProblems, type TicketConfig } from './settings.ts';
import { TicketError } from './ticket-error.ts';
import { arrayField, endpoint, sendJson, stringField, unexpectedAnswer, type TicketConnection } from './ticket-http.ts';
import type { TicketEvent, TicketRef, TicketSettings, TicketTracker } from './ticket-tracker.ts';

/** Jira Cloud project keys: a capital letter, then capitals, digits or underscores (`DATA`, `OPS_2`). */
const PROJECT_KEY = /^[A-Z][A-Z0-9_]+$/;
/** An issue key as Jira writes it: `DATA-12`. */
const ISSUE_KEY = /^[A-Z][A-Z0-9_]+-\d+$/;

/**
 * Problems of the `tickets` settings for `kind: jira`, each naming its key: the site URL, the
 * project key, the user and API token of basic auth, and the closing transition.
 */
export function jiraSettingsProblems(settings: TicketConfig): string[] {
  const problems = urlProblems(settings, 'jira', 'the Jira site, e.g. https://example.atlassian.net');
  const project = settings.project.trim();
  if (project === '') problems.push('tickets.project: required for kind jira (the project key, e.g. DATA)');
  else if (!PROJECT_KEY.test(project)) problems.push(`tickets.project: "${project}" is not a Jira project key (capital letters, digits and _, starting with a letter, e.g. DATA)`);
  if (settings.user.trim() === '') problems.push('tickets.user: required for jira (the account the API token belongs to)');
  problems.push(...tokenProblems(settings, 'jira', 'an API token of tickets.user'));
  if (settings.done_transition.trim() === '') problems.push('tickets.done_transition: required for jira (the transition that closes an issue, e.g. Done)');
  return problems;
}

/**
 * Jira Cloud through REST v3 with basic auth `user:token` (SPEC "Tickets"). One issue per
 * incident (type Task, labels `datamon` and the incident's label, see `incidentLabel`), a comment
 * per event, and on resolve a comment and the transition named `done_transition`.
 *
 * @param settings - the `tickets` section (kind jira) and the zone times are written in
 * @param http - the one outbound HTTP client
 * @param now - the clock, for a Retry-After given as a date
 */
export function createJiraTracker(settings: TicketSettings, http: HttpClient = createHttpClient(), now: () => Date = () => new Date()): TicketTracker {
  const problems = jiraSettingsProblems(settings);
  const base = settings.url.trim().replace(/\/+$/, '');
  const project = settings.project.trim();
  const credentials = `${settings.user.trim()}:${settings.token.trim()}`;
  const basic = Buffer.from(credentials).toString('base64');
  const connection: TicketConnection = {
    tracker: 'jira',
    system: 'Jira',
    http,
    now,
    headers: { Authorization: `Basic ${basic}`, Accept: 'application/json' },
    secrets: [settings.token.trim(), basic, credentials],
    hint: (status) =>
      status === 401
        ? 'check tickets.user and tickets.token'
        : status === 403
          ? `check that tickets.user may create and edit issues in project ${project}`
          : status === 404
            ? 'check tickets.url and tickets.project'
            : null,
  };
  const ready = () => assertNoProblems('jira', 'Jira', problems);
  const api = (path: string, query?: Record<string, string>) => endpoint(base, `/rest/api/3${path}`, query);
  const refOf = (key: string): TicketRef => ({ key, url: `${base}/browse/${encodeURIComponent(key)}` });

  /** The issue key of a ref; a missing or malformed one is a caller's mistake, not worth a retry. */
  const keyOf = (ref: TicketRef | null, event: TicketEvent): string => {
    if (!ref) throw new TicketError('jira', `Jira: incident ${event.incident.id} has no issue to ${event.event === 'resolved' ? 'close' : 'comment on'}`, { permanent: true });
    if (!ISSUE_KEY.test(ref.key)) throw new TicketError('jira', `Jira: "${ref.key}" is not an issue key (like ${project}-12)`, { permanent: true });
    return ref.key;
  };

  const comment = async (key: string, event: TicketEvent): Promise<void> => {
    await sendJson(connection, { method: 'POST', url: api(`/issue/${encodeURIComponent(key)}/comment`) }, { body: toAdf(ticketComment(event, settings.zone)) });
  };

  /** Whether the issue is in a done status already (closed by someone, or by an earlier try whose answer was lost). */
  const isDone = async (key: string): Promise<boolean> => {
    const issue = await sendJson(connection, { method: 'GET', url: api(`/issue/${encodeURIComponent(key)}`, { fields: 'status' }) });
    const status = (issue as { fields?: { status?: { statusCategory?: { key?: unknown } } } } | null)?.fields?.status;
    return status?.statusCategory?.key === 'done';
  };

  return {
    kind: 'jira',

    async open(event) {
      ready();
      const url = api('/issue');
      const created = await sendJson(connection, { method: 'POST', url }, {
        fields: {
          project: { key: project },
          summary: ticketTitle(event.incident),
          description: toAdf(ticketDescription(event, settings.zone)),
          issuetype: { name: 'Task' },
          labels: ['datamon', incidentLabel(event.incident.id)],
        },
      });
      const key = stringField(created, 'key');
      if (!key) throw unexpectedAnswer(connection, url, 'issue key');
      return refOf(key);
    },

    async find(incidentId) {
      ready();
      // The enhanced JQL search (`/search/jql`) replaced `/search`, which Jira Cloud has removed.
      // It is eventually consistent: an issue created seconds ago may not be found yet, which is
      // why the caller records the key as soon as a create answers.
      const url = api('/search/jql', {
        jql: `project = ${jqlString(project)} AND labels = ${jqlString(incidentLabel(incidentId))} ORDER BY created ASC`,
        fields: 'key',
        maxResults: '1',
      });
      const found = await sendJson(connection, { method: 'GET', url });
      const key = arrayField(found, 'issues').map((issue) => stringField(issue, 'key')).find((candidate) => candidate !== null);
      return key ? refOf(key) : null;
    },

    async comment(ref, event) {
      ready();
      await comment(keyOf(ref, event), event);
    },

    async close(ref, event) {
      ready();
      const key = keyOf(ref, event);
      await comment(key, event);
      const url = api(`/issue/${encodeURIComponent(key)}/transitions`);
      const listed = await sendJson(connection, { method: 'GET', url });
      const transitions = arrayField(listed, 'transitions').flatMap((transition) => {
        const id = stringField(transition, 'id');
        const name = stringField(transition, 'name');
        return id && name ? [{ id, name }] : [];
      });
      const wanted = settings.done_transition.trim();
      const done = transitions.find((transition) => transition.name.trim().toLowerCase() === wanted.toLowerCase());
      if (done) {
        await sendJson(connection, { method: 'POST', url }, { transition: { id: done.id } });
        return;
      }
      // A retry after a transition whose answer was lost, or an issue closed by hand, finds no
      // way to "Done" from a done status: nothing is left to do then.
      if (await isDone(key)) return;
      const names = transitions.map((transition) => `"${transition.name}"`).join(', ') || 'none';
      throw new TicketError(
        'jira',
        `Jira: ${key} has no transition named "${wanted}" (its transitions: ${names}); set tickets.done_transition to the one that closes an issue`,
        { permanent: true },
      );
    },
  };
}

/** A JQL string literal: quoted, with quotes and backslashes escaped. */
function jqlString(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}
