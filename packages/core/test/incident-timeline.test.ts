import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evaluateIncident,
  type FollowUpSettings,
  incidentFollowUps,
  type IncidentEvent,
  type IncidentInput,
  type IncidentRecord,
  incidentSettings,
  type Status,
} from '../src/index.ts';

/** README "Incident timeline", "Tickets and recovery": what each decision adds and owes, played through the real rule. */

const T0 = Date.parse('2026-03-30T07:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const PIPELINE = { id: 'etl_calls', name: 'ETL Calls' };
const RULE = incidentSettings({ escalation: { after_minutes: 60, repeat_minutes: 0, send_resolved: true } });
const JIRA: FollowUpSettings = { ticketsWhen: 'critical', hasRecovery: true };

function resultEvent(status: Status, minutes: number): IncidentEvent {
  return { type: 'result', result: { pipelineId: PIPELINE.id, status, value: 0, message: `${status} at ${minutes}`, checkedAt: at(minutes).toISOString(), details: {}, durationMs: 1 } };
}

/** Applies events in order; returns what each one added and owed. */
function play(steps: { event: IncidentEvent; minutes: number; input?: Partial<IncidentInput> }[], settings: FollowUpSettings = JIRA) {
  let previous: IncidentRecord | null = null;
  return steps.map(({ event, minutes, input }) => {
    const full: IncidentInput = { pipeline: PIPELINE, silencedUntil: null, event, ...input };
    const decision = evaluateIncident(previous, full, at(minutes), RULE);
    const follow = incidentFollowUps(previous, decision, full, at(minutes), settings);
    previous = decision.next;
    return { incident: decision.next, ...follow, events: follow.timeline.map((entry) => entry.event), ticketEvents: follow.tickets.map((entry) => entry.event) };
  });
}

describe('incident follow-ups', () => {
  it('opening CRITICAL: the timeline says so, a ticket is owed and the recovery action runs', () => {
    const [open] = play([{ event: resultEvent('CRITICAL', 0), minutes: 0 }]);
    assert.deepEqual([open?.events, open?.ticketEvents, open?.recover], [['opened'], ['opened'], true]);
    assert.match(open?.timeline[0]?.detail ?? '', /^CRITICAL: CRITICAL at 0$/);
    assert.equal(open?.tickets[0]?.deliveryId, `${open?.incident?.id}:opened:0`);
  });

  it('a WARNING gets its ticket and its recovery only when it worsens to CRITICAL (when: critical)', () => {
    const [warning, same, worse] = play([
      { event: resultEvent('WARNING', 0), minutes: 0 },
      { event: resultEvent('WARNING', 5), minutes: 5 },
      { event: resultEvent('CRITICAL', 10), minutes: 10 },
    ]);
    assert.deepEqual([warning?.ticketEvents, warning?.recover], [[], false]);
    assert.deepEqual([same?.events, same?.ticketEvents], [[], []]);
    assert.deepEqual([worse?.events, worse?.ticketEvents, worse?.recover], [['worsened'], ['opened'], true]);
  });

  it('under when: warning a WARNING has its ticket at once; improving is recorded', () => {
    const [warning, , better] = play(
      [
        { event: resultEvent('WARNING', 0), minutes: 0 },
        { event: resultEvent('CRITICAL', 5), minutes: 5 },
        { event: resultEvent('WARNING', 10), minutes: 10 },
      ],
      { ticketsWhen: 'warning', hasRecovery: false },
    );
    assert.deepEqual(warning?.ticketEvents, ['opened']);
    assert.deepEqual([better?.events, better?.ticketEvents, better?.recover], [['improved'], [], false]);
  });

  it('a pipeline blocked by its upstream gets no ticket and runs no recovery of its own', () => {
    const [blocked] = play([{ event: resultEvent('CRITICAL', 0), minutes: 0, input: { blockedBy: 'extract' } }]);
    assert.deepEqual([blocked?.ticketEvents, blocked?.recover], [[], false]);
    assert.match(blocked?.timeline[0]?.detail ?? '', /blocked by extract/);
  });

  it('escalation, acknowledgement (with who) and resolve, each once, each owed to the ticket', () => {
    const steps = play([
      { event: resultEvent('CRITICAL', 0), minutes: 0 },
      { event: { type: 'tick' }, minutes: 61 },
      { event: { type: 'tick' }, minutes: 62 },
      { event: { type: 'acknowledge', incidentId: `${PIPELINE.id}-${T0}`, by: 'ana' }, minutes: 70 },
      { event: resultEvent('OK', 80), minutes: 80 },
    ]);
    assert.deepEqual(
      steps.map((step) => [step.events, step.ticketEvents]),
      [
        [['opened'], ['opened']],
        [['escalated'], ['escalated']],
        [[], []],
        [['acknowledged'], ['acknowledged']],
        [['resolved'], ['resolved']],
      ],
    );
    assert.equal(steps[3]?.timeline[0]?.by, 'ana');
    assert.equal(steps[4]?.tickets[0]?.deliveryId, `${PIPELINE.id}-${T0}:resolved:${at(80).getTime()}`);
  });

  it('records a silence, and messages a maintenance window holds until it ends', () => {
    const until = at(120).toISOString();
    const [, silenced] = play([
      { event: resultEvent('CRITICAL', 0), minutes: 0 },
      { event: { type: 'silence' }, minutes: 5, input: { silencedUntil: until } },
    ]);
    assert.deepEqual(silenced?.timeline.map((entry) => entry.detail), [`silenced until ${until}`]);
    const [opened, , over] = play([
      { event: resultEvent('CRITICAL', 0), minutes: 0, input: { maintenanceUntil: until } },
      { event: resultEvent('CRITICAL', 60), minutes: 60, input: { maintenanceUntil: until } },
      { event: resultEvent('CRITICAL', 130), minutes: 130 },
    ]);
    assert.deepEqual(opened?.events, ['opened', 'maintenance']);
    assert.equal(opened?.recover, false, 'nothing is run during maintenance');
    assert.deepEqual([over?.timeline.map((entry) => entry.detail), over?.recover], [['maintenance window over'], true]);
  });

  it('owes nothing to tickets without a ticket system, and runs no recovery without an action', () => {
    const [open] = play([{ event: resultEvent('CRITICAL', 0), minutes: 0 }], { ticketsWhen: null, hasRecovery: false });
    assert.deepEqual([open?.ticketEvents, open?.recover], [[], false]);
  });
});
