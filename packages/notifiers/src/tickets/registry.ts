import { createHttpClient } from '@datamon/io';
import type { HttpClient } from '../notifier.ts';
import { createGitHubTracker, githubSettingsProblems } from './github.ts';
import { createJiraTracker, jiraSettingsProblems } from './jira.ts';
import type { TicketConfig } from './settings.ts';
import type { TicketKind, TicketSettings, TicketTracker } from './ticket-tracker.ts';
import { createWebhookTracker, webhookSettingsProblems } from './webhook.ts';

/** One ticket system: how it is built and what its settings need. */
export interface TicketTrackerDefinition {
  create: (settings: TicketSettings, http: HttpClient) => TicketTracker;
  problems: (settings: TicketConfig) => string[];
}

/**
 * The explicit list of ticket systems (STYLE 3): adding one is a file beside this one and one
 * line here. The map is keyed by `tickets.kind`, so a kind without a system (or twice) does not compile.
 */
export const TICKET_TRACKERS: Readonly<Record<TicketKind, TicketTrackerDefinition>> = {
  jira: { create: createJiraTracker, problems: jiraSettingsProblems },
  github: { create: createGitHubTracker, problems: githubSettingsProblems },
  webhook: { create: createWebhookTracker, problems: webhookSettingsProblems },
};

export const TICKET_KINDS = Object.keys(TICKET_TRACKERS) as TicketKind[];

function definitionOf(kind: string): TicketTrackerDefinition | null {
  return Object.hasOwn(TICKET_TRACKERS, kind) ? TICKET_TRACKERS[kind as TicketKind] : null;
}

/**
 * The ticket system of the config, or null when `tickets.kind` is empty (no tickets). Settings
 * are not checked here (see {@link ticketSettingsProblems}, for start-up): a tracker built from
 * bad ones fails each call with a permanent `TicketError` naming the problems.
 *
 * @param settings - the `tickets` section and the zone times are written in (`monitoring.timezone`)
 * @param http - the one outbound HTTP client (`createHttpClient` from @datamon/io); one is made if absent
 * @throws Error for a kind that no system is registered for (the config schema allows none)
 */
export function createTicketTracker(settings: TicketSettings, http: HttpClient = createHttpClient()): TicketTracker | null {
  if (settings.kind === '') return null;
  const definition = definitionOf(settings.kind);
  if (!definition) throw new Error(`unknown ticket system "${String(settings.kind)}" (known: ${TICKET_KINDS.join(', ')})`);
  return definition.create(settings, http);
}

/**
 * Every problem of the `tickets` settings for its kind, each starting with its key path
 * (`tickets.url: required for kind jira (...)`); none when `kind` is empty. No secret is shown.
 *
 * @param settings - the `tickets` section
 */
export function ticketSettingsProblems(settings: TicketConfig): string[] {
  if (settings.kind === '') return [];
  const definition = definitionOf(settings.kind);
  if (!definition) return [`tickets.kind: "${String(settings.kind)}" is not one of ${TICKET_KINDS.join(', ')} (or empty for none)`];
  return definition.problems(settings);
}
