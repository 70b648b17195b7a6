import { createHttpClient, parseRetryAfter } from '@datamon/io';
import type { HttpClient } from '../notifier.ts';
import { incidentLabel, ticketComment, ticketDescription, ticketTitle, toMarkdown } from './render.ts';
import { assertNoProblems, tokenProblems, urlProblems, type TicketConfig } from './settings.ts';
import { TicketError } from './ticket-error.ts';
import { endpoint, headerValue, sendJson, stringField, unexpectedAnswer, type FailedResponse, type TicketConnection } from './ticket-http.ts';
import type { TicketEvent, TicketRef, TicketSettings, TicketTracker } from './ticket-tracker.ts';

/** `owner/repo` as GitHub allows them: an account name, then a repository name. */
const OWNER_REPO = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;
/** A secondary rate limit without Retry-After: GitHub asks for at least a minute. */
const SECONDARY_LIMIT_WAIT_MS = 60_000;

/**
 * Problems of the `tickets` settings for `kind: github`, each naming its key: the API base URL
 * (never assumed: GitHub Enterprise has its own), `owner/repo` and the token.
 */
export function githubSettingsProblems(settings: TicketConfig): string[] {
  const problems = urlProblems(settings, 'github', 'the API base, https://api.github.com for github.com');
  const project = settings.project.trim();
  if (project === '') problems.push('tickets.project: required for kind github ("owner/repo")');
  else if (!ownerRepo(project)) problems.push(`tickets.project: "${project}" is not "owner/repo"`);
  problems.push(...tokenProblems(settings, 'github', 'a token that may write issues of tickets.project'));
  return problems;
}

/**
 * GitHub issues through the REST API with a bearer token (SPEC "Tickets"): one issue per incident
 * (labels `datamon` and the incident's label, see `incidentLabel`; GitHub keeps labels only
 * from a token with write access, and `find` relies on them), a comment per event, and on resolve
 * a comment and state closed (completed).
 *
 * @param settings - the `tickets` section (kind github) and the zone times are written in
 * @param http - the one outbound HTTP client
 * @param now - the clock, for Retry-After and rate-limit reset times
 */
export function createGitHubTracker(settings: TicketSettings, http: HttpClient = createHttpClient(), now: () => Date = () => new Date()): TicketTracker {
  const problems = githubSettingsProblems(settings);
  const base = settings.url.trim();
  const repo = ownerRepo(settings.project.trim());
  const token = settings.token.trim();
  const connection: TicketConnection = {
    tracker: 'github',
    system: 'GitHub',
    http,
    now,
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' },
    secrets: [token],
    hint: (status) =>
      status === 401
        ? 'check tickets.token'
        : status === 403
          ? 'check that tickets.token may write issues of tickets.project'
          : status === 404
            ? 'check tickets.url and tickets.project (GitHub also answers 404 to a token that cannot see the repository)'
            : status === 410
              ? 'issues are turned off for tickets.project'
              : null,
    rateLimitWait,
  };
  const ready = (): { owner: string; name: string } => {
    assertNoProblems('github', 'GitHub', problems);
    if (!repo) throw new TicketError('github', 'GitHub: tickets.project is not "owner/repo"', { permanent: true });
    return repo;
  };
  const issues = (path = '', query?: Record<string, string>) => {
    const { owner, name } = ready();
    return endpoint(base, `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/issues${path}`, query);
  };

  /** The issue number of a ref (`#12`); a missing or malformed one is a caller's mistake, not worth a retry. */
  const numberOf = (ref: TicketRef | null, event: TicketEvent): string => {
    if (!ref) throw new TicketError('github', `GitHub: incident ${event.incident.id} has no issue to ${event.event === 'resolved' ? 'close' : 'comment on'}`, { permanent: true });
    const match = /^#(\d+)$/.exec(ref.key);
    if (!match?.[1]) throw new TicketError('github', `GitHub: "${ref.key}" is not an issue reference (like #12)`, { permanent: true });
    return match[1];
  };

  const comment = async (number: string, event: TicketEvent): Promise<void> => {
    await sendJson(connection, { method: 'POST', url: issues(`/${number}/comments`) }, { body: toMarkdown(ticketComment(event, settings.zone)) });
  };

  return {
    kind: 'github',

    async open(event) {
      const url = issues();
      const created = await sendJson(connection, { method: 'POST', url }, {
        title: ticketTitle(event.incident),
        body: toMarkdown(ticketDescription(event, settings.zone)),
        labels: ['datamon', incidentLabel(event.incident.id)],
      });
      const ref = issueRef(created);
      if (!ref) throw unexpectedAnswer(connection, url, 'issue number and html_url');
      return ref;
    },

    async find(incidentId) {
      // Oldest first: should two issues exist, the first one is the incident's ticket.
      const url = issues('', { labels: incidentLabel(incidentId), state: 'all', sort: 'created', direction: 'asc', per_page: '10' });
      const found = await sendJson(connection, { method: 'GET', url });
      if (!Array.isArray(found)) throw unexpectedAnswer(connection, url, 'list of issues');
      // The issues list holds pull requests too; a label on one is not a ticket.
      const issue = found.find((item) => typeof item === 'object' && item !== null && !('pull_request' in item));
      return issue ? issueRef(issue) : null;
    },

    async comment(ref, event) {
      ready();
      await comment(numberOf(ref, event), event);
    },

    async close(ref, event) {
      ready();
      const number = numberOf(ref, event);
      await comment(number, event);
      await sendJson(connection, { method: 'PATCH', url: issues(`/${number}`) }, { state: 'closed', state_reason: 'completed' });
    },
  };
}

/** `{key: '#<number>', url: html_url}` of an issue GitHub returned, or null. */
function issueRef(issue: unknown): TicketRef | null {
  const number = typeof issue === 'object' && issue !== null ? (issue as { number?: unknown }).number : undefined;
  const url = stringField(issue, 'html_url');
  return typeof number === 'number' && Number.isInteger(number) && url ? { key: `#${number}`, url } : null;
}

function ownerRepo(project: string): { owner: string; name: string } | null {
  const match = OWNER_REPO.exec(project);
  if (!match?.[1] || !match[2] || match[2] === '.' || match[2] === '..') return null;
  return { owner: match[1], name: match[2] };
}

/**
 * GitHub answers a rate limit with 403 as well as 429 (its docs, "Rate limits for the REST API"):
 * wait for Retry-After, else until `x-ratelimit-reset` when none remain, else a minute for a
 * secondary limit. Any other 403 is a refusal (null).
 */
function rateLimitWait(response: FailedResponse, now: Date): number | null {
  if (response.statusCode !== 403) return null;
  const retryAfter = parseRetryAfter(response.headers['retry-after'], now);
  if (retryAfter !== null) return retryAfter;
  if (headerValue(response.headers, 'x-ratelimit-remaining') === '0') {
    const reset = Number(headerValue(response.headers, 'x-ratelimit-reset'));
    return Number.isFinite(reset) ? Math.max(0, reset * 1000 - now.getTime()) : SECONDARY_LIMIT_WAIT_MS;
  }
  return /rate limit/i.test(response.body) ? SECONDARY_LIMIT_WAIT_MS : null;
}
