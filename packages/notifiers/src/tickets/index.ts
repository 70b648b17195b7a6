/**
 * @datamon/notifiers/tickets: the ticket systems an incident is reported to (SPEC "Tickets"),
 * one file per system listed in `registry.ts`, and what their tickets say (`render.ts`, pure).
 *
 * A caller builds one tracker with `createTicketTracker(config.tickets + zone, http)` and, per
 * incident: records its intent, `find`s a ticket an interrupted earlier try may have made, else
 * `open`s one and records its ref at once; later `comment`s and `close`s it. Every failure is a
 * `TicketError`: `permanent` (record it) or not (retry, at least `retryAfterMs` later).
 */
export * from './ticket-tracker.ts';
export * from './ticket-error.ts';
export * from './registry.ts';
export { createJiraTracker, jiraSettingsProblems } from './jira.ts';
export { createGitHubTracker, githubSettingsProblems } from './github.ts';
export { createWebhookTracker, webhookPayload, webhookSettingsProblems, webhookSignature } from './webhook.ts';
export {
  incidentLabel,
  ticketComment,
  ticketCommentHeadline,
  ticketDescription,
  ticketTitle,
  toAdf,
  toMarkdown,
  type AdfDocument,
  type AdfMark,
  type AdfNode,
  type AdfText,
  type TicketBlock,
  type TicketInline,
  type TicketText,
} from './render.ts';
