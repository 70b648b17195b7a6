import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evaluateIncident,
  incidentIdFor,
  incidentSettings,
  notificationIdFor,
  type CheckResult,
  type IncidentDecision,
  type IncidentEvent,
  type IncidentNotification,
  type IncidentRecord,
  type IncidentSettings,
  type Status,
} from '../src/index.ts';

/** Every row of the transition table in src/incident-rule.ts, by its number. */

const T0 = Date.parse('2026-03-30T07:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();
const PIPELINE = { id: 'etl_calls', name: 'ETL Calls' };

function settingsWith(escalation: Partial<IncidentSettings['escalation']> = {}): IncidentSettings {
  return incidentSettings({ escalation: { after_minutes: 60, repeat_minutes: 0, send_resolved: true, ...escalation } });
}

function result(status: Status, minutes: number, message = `${status.toLowerCase()} at ${minutes}`): CheckResult {
  return {
    pipelineId: PIPELINE.id,
    status,
    value: status === 'OK' ? 1 : 26,
    message,
    checkedAt: iso(minutes),
    details: { threshold: 'critical over 24 h' },
    durationMs: 5,
  };
}

/** Plays the alert worker: applies each decision, keeps what was sent. */
class Pipeline {
  state: IncidentRecord | null = null;
  silencedUntil: string | null = null;
  maintenanceUntil: string | null = null;
  sent: IncidentNotification[] = [];
  last: IncidentDecision | null = null;

  constructor(readonly settings: IncidentSettings = settingsWith()) {}

  private run(event: IncidentEvent, minutes: number): IncidentNotification[] {
    const decision = evaluateIncident(this.state, { pipeline: PIPELINE, silencedUntil: this.silencedUntil, maintenanceUntil: this.maintenanceUntil, event }, at(minutes), this.settings);
    this.last = decision;
    this.state = decision.next;
    this.sent.push(...decision.notifications);
    return decision.notifications;
  }

  result(status: Status, minutes: number, message?: string) {
    return this.run({ type: 'result', result: result(status, minutes, message) }, minutes);
  }
  tick(minutes: number) {
    return this.run({ type: 'tick' }, minutes);
  }
  ack(minutes: number, by = 'alice', incidentId = this.state?.id ?? 'none') {
    return this.run({ type: 'acknowledge', incidentId, by }, minutes);
  }
  silence(until: number | null, minutes: number) {
    this.silencedUntil = until === null ? null : iso(until);
    return this.run({ type: 'silence' }, minutes);
  }
  /** Ticks every minute from `from` to `to` inclusive; returns what they sent. */
  ticks(from: number, to: number) {
    const sent: IncidentNotification[] = [];
    for (let minute = from; minute <= to; minute += 1) sent.push(...this.tick(minute));
    return sent;
  }
}

const summary = (sent: IncidentNotification[]) => sent.map((n) => `${n.kind}:${n.channel}`);

describe('the incident rule', () => {
  describe('R1 when a pipeline with no incident turns WARNING', () => {
    it('opens a WARNING incident and sends a warning card to chat only', () => {
      const p = new Pipeline();
      const sent = p.result('WARNING', 0);
      assert.deepEqual(summary(sent), ['warning:chat']);
      assert.equal(sent[0]?.reason, 'opened');
      assert.equal(p.state?.status, 'WARNING');
      assert.equal(p.state?.criticalSince, null);
      assert.equal(p.state?.emailed, false);
    });
    it('names the incident <pipeline>-<openedAt ms> and the notification <incident>:<kind>:<seq>:<channel>', () => {
      const p = new Pipeline();
      const [card] = p.result('WARNING', 0);
      assert.equal(p.state?.id, `etl_calls-${T0}`);
      assert.equal(card?.id, `etl_calls-${T0}:warning:1:chat`);
      assert.equal(card?.incidentId, p.state?.id);
      assert.equal(card?.seq, 1);
      assert.equal(p.state?.notificationSeq, 1);
      assert.equal(incidentIdFor('etl_calls', iso(0)), `etl_calls-${T0}`);
      assert.equal(notificationIdFor('x-1', 'critical', 3, 'email'), 'x-1:critical:3:email');
    });
  });

  describe('R2 when a pipeline with no incident turns CRITICAL', () => {
    it('opens a CRITICAL incident and sends a critical card and a critical email, sharing one seq', () => {
      const p = new Pipeline();
      const sent = p.result('CRITICAL', 0, 'newest call 26.0 h old');
      assert.deepEqual(summary(sent), ['critical:chat', 'critical:email']);
      assert.deepEqual(sent.map((n) => n.id), [`etl_calls-${T0}:critical:1:chat`, `etl_calls-${T0}:critical:1:email`]);
      assert.equal(p.state?.criticalSince, iso(0));
      assert.equal(p.state?.emailed, true);
      assert.equal(p.state?.message, 'newest call 26.0 h old');
      assert.equal(p.state?.threshold, 'critical over 24 h');
      assert.equal(p.state?.value, 26);
      assert.equal(sent[0]?.incident.id, p.state?.id, 'each notification carries the incident it describes');
      assert.equal(sent[0]?.late, false);
    });
  });

  describe('R1/R2 when the previous incident closed longer ago than the flap window', () => {
    it('opens a new incident with a new id', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      const first = p.state?.id;
      p.result('OK', 10);
      const sent = p.result('CRITICAL', 41);
      assert.notEqual(p.state?.id, first);
      assert.equal(p.state?.id, `etl_calls-${at(41).getTime()}`);
      assert.equal(p.state?.reopenCount, 0);
      assert.deepEqual(summary(sent), ['critical:chat', 'critical:email']);
      assert.equal(sent[0]?.reason, 'opened');
    });
  });

  describe('R3 when OK or PENDING arrives with no open incident', () => {
    it('keeps no incident and sends nothing', () => {
      const p = new Pipeline();
      assert.deepEqual(p.result('OK', 0), []);
      assert.deepEqual(p.result('PENDING', 5), []);
      assert.equal(p.state, null);
      assert.equal(p.last?.changed, false);
    });
    it('leaves a closed incident as it was', () => {
      const p = new Pipeline();
      p.result('WARNING', 0);
      p.result('OK', 5);
      const closed = p.state;
      assert.deepEqual(p.result('OK', 10), []);
      assert.deepEqual(p.result('PENDING', 15), []);
      assert.deepEqual(p.state, closed);
      assert.equal(p.last?.changed, false);
    });
  });

  describe('R4 when a tick, an acknowledgement or a silence comes with no incident', () => {
    it('sends nothing and creates nothing', () => {
      const p = new Pipeline();
      assert.deepEqual(p.tick(100), []);
      assert.deepEqual(p.ack(100), []);
      assert.deepEqual(p.silence(200, 100), []);
      assert.equal(p.state, null);
    });
  });

  describe('R5 when the same status comes again', () => {
    it('sends nothing for WARNING after WARNING, only updates the latest message and value', () => {
      const p = new Pipeline();
      p.result('WARNING', 0);
      assert.deepEqual(p.result('WARNING', 5, 'newest call 13.1 h old'), []);
      assert.equal(p.state?.message, 'newest call 13.1 h old');
      assert.equal(p.state?.lastCheckedAt, iso(5));
    });
    it('sends nothing for CRITICAL every 5 minutes for 50 minutes', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      for (let minute = 5; minute <= 50; minute += 5) assert.deepEqual(p.result('CRITICAL', minute), []);
      assert.equal(p.state?.criticalSince, iso(0), 'the escalation clock is not reset by repeats');
    });
  });

  describe('R6 when a WARNING worsens to CRITICAL', () => {
    it('sends a critical card and email marked as a worsening, in the same incident', () => {
      const p = new Pipeline();
      p.result('WARNING', 0);
      const id = p.state?.id;
      const sent = p.result('CRITICAL', 5);
      assert.deepEqual(summary(sent), ['critical:chat', 'critical:email']);
      assert.equal(sent[0]?.reason, 'worsened');
      assert.equal(sent[0]?.seq, 2);
      assert.equal(p.state?.id, id);
      assert.equal(p.state?.status, 'CRITICAL');
      assert.equal(p.state?.worstStatus, 'CRITICAL');
      assert.equal(p.state?.criticalSince, iso(5));
    });
  });

  describe('R7 when a CRITICAL improves to WARNING', () => {
    it('keeps the incident open at WARNING, sends nothing and stops escalation', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      assert.deepEqual(p.result('WARNING', 10), []);
      assert.equal(p.state?.status, 'WARNING');
      assert.equal(p.state?.worstStatus, 'CRITICAL');
      assert.equal(p.state?.criticalSince, null);
      assert.equal(p.state?.closedAt, null);
      assert.deepEqual(p.ticks(11, 200), [], 'a WARNING never escalates');
    });
  });

  describe('R8 when it worsens to CRITICAL again after an improvement', () => {
    it('sends nothing (people were told CRITICAL) and restarts the escalation clock', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      p.result('WARNING', 10);
      assert.deepEqual(p.result('CRITICAL', 30), []);
      assert.equal(p.state?.criticalSince, iso(30));
      assert.deepEqual(p.ticks(31, 89), [], 'not 60 minutes after the first CRITICAL');
      assert.deepEqual(summary(p.tick(90)), ['escalation:chat', 'escalation:email']);
    });
  });

  describe('R9 when PENDING arrives while an incident is open', () => {
    it('leaves the incident open and as it was, and sends nothing', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0, 'file missing');
      assert.deepEqual(p.result('PENDING', 5), []);
      assert.equal(p.state?.closedAt, null);
      assert.equal(p.state?.status, 'CRITICAL');
      assert.equal(p.state?.message, 'file missing');
      assert.equal(p.state?.lastStatus, 'PENDING');
    });
    it('does not escalate while the latest result is PENDING', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      p.result('PENDING', 5);
      assert.deepEqual(p.ticks(6, 300), []);
      assert.equal(p.last?.nextDueAt, null);
    });
  });

  describe('R10 when the incident status comes back after PENDING', () => {
    it('continues the same incident silently, with its escalation clock from the first CRITICAL', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      const id = p.state?.id;
      p.result('PENDING', 5);
      assert.deepEqual(p.result('CRITICAL', 30), [], 'no state message: the status did not change');
      assert.equal(p.state?.id, id);
      assert.equal(p.state?.criticalSince, iso(0));
      assert.deepEqual(summary(p.tick(60)), ['escalation:chat', 'escalation:email'], 'the clock ran from the first CRITICAL');
    });
  });

  describe('R11 when an incident that never emailed turns OK', () => {
    it('closes it and sends a resolved card to chat only', () => {
      const p = new Pipeline();
      p.result('WARNING', 0);
      const sent = p.result('OK', 50, 'newest call 0.2 h old');
      assert.deepEqual(summary(sent), ['resolved:chat']);
      assert.equal(sent[0]?.id, `etl_calls-${T0}:resolved:2:chat`);
      assert.equal(p.state?.closedAt, iso(50));
      assert.equal(p.state?.resolution, 'newest call 0.2 h old');
      assert.equal(p.state?.status, 'WARNING', 'a closed incident keeps its last problem status');
      assert.equal(p.state?.lastStatus, 'OK');
    });
  });

  describe('R12 when an incident that emailed turns OK', () => {
    it('sends the resolved card and a resolved email', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      assert.deepEqual(summary(p.result('OK', 30)), ['resolved:chat', 'resolved:email']);
    });
    it('also emails when it only emailed through a worsening, even after improving', () => {
      const p = new Pipeline();
      p.result('WARNING', 0);
      p.result('CRITICAL', 5);
      p.result('WARNING', 10);
      assert.deepEqual(summary(p.result('OK', 15)), ['resolved:chat', 'resolved:email']);
    });
  });

  describe('R13 when send_resolved is false', () => {
    it('closes the incident and sends nothing', () => {
      const p = new Pipeline(settingsWith({ send_resolved: false }));
      p.result('CRITICAL', 0);
      assert.deepEqual(p.result('OK', 30), []);
      assert.equal(p.state?.closedAt, iso(30));
      assert.equal(p.state?.announcedStatus, 'OK');
      assert.deepEqual(p.ticks(31, 120), []);
    });
  });

  describe('R14 when a WARNING lasts', () => {
    it('never escalates by time', () => {
      const p = new Pipeline(settingsWith({ after_minutes: 10, repeat_minutes: 5 }));
      p.result('WARNING', 0);
      assert.deepEqual(p.ticks(1, 24 * 60), []);
      assert.equal(p.last?.nextDueAt, null);
    });
  });

  describe('R15 when a CRITICAL lasts less than after_minutes', () => {
    it('sends nothing and says when the escalation is due', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      assert.deepEqual(p.ticks(1, 59), []);
      assert.equal(p.last?.nextDueAt, iso(60));
    });
  });

  describe('R16 when a CRITICAL lasts after_minutes without acknowledgement', () => {
    it('sends one escalation card and email at after_minutes', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      const sent = p.tick(60);
      assert.deepEqual(summary(sent), ['escalation:chat', 'escalation:email']);
      assert.equal(sent[0]?.reason, 'escalated');
      assert.equal(sent[0]?.id, `etl_calls-${T0}:escalation:2:chat`);
      assert.equal(p.state?.escalations, 1);
      assert.equal(p.state?.lastEscalatedAt, iso(60));
      assert.equal(sent[0]?.incident.escalations, 1, 'the card can say which escalation it is');
    });
    it('escalates on a result too, when no tick came in time', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      assert.deepEqual(summary(p.result('CRITICAL', 65)), ['escalation:chat', 'escalation:email']);
    });
  });

  describe('R17 when it was escalated and repeat_minutes is 0', () => {
    it('never sends another escalation', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      p.tick(60);
      assert.deepEqual(p.ticks(61, 24 * 60), []);
      assert.equal(p.state?.escalations, 1);
    });
  });

  describe('R18 when it was escalated and repeat_minutes is above 0', () => {
    it('repeats every repeat_minutes after the last escalation', () => {
      const p = new Pipeline(settingsWith({ repeat_minutes: 30 }));
      p.result('CRITICAL', 0);
      p.tick(60);
      assert.deepEqual(p.ticks(61, 89), []);
      const repeat = p.tick(90);
      assert.deepEqual(summary(repeat), ['escalation:chat', 'escalation:email']);
      assert.equal(repeat[0]?.reason, 'repeated');
      assert.deepEqual(p.ticks(91, 119), []);
      assert.equal(p.tick(120).length, 2);
      assert.equal(p.state?.escalations, 3);
    });
  });

  describe('R19 when someone acknowledges the open incident', () => {
    it('records who and when and sends nothing', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      assert.deepEqual(p.ack(10, 'alice'), []);
      assert.equal(p.state?.acknowledged, true);
      assert.equal(p.state?.acknowledgedBy, 'alice');
      assert.equal(p.state?.acknowledgedAt, iso(10));
      p.ack(12, 'bob');
      assert.equal(p.state?.acknowledgedBy, 'alice', 'the first acknowledgement stands');
    });
  });

  describe('R20 when an acknowledged incident stays CRITICAL', () => {
    it('neither escalates nor repeats, and is still resolved with its card and email', () => {
      const p = new Pipeline(settingsWith({ repeat_minutes: 15 }));
      p.result('CRITICAL', 0);
      p.ack(30);
      assert.deepEqual(p.ticks(31, 300), []);
      assert.equal(p.last?.nextDueAt, null);
      assert.deepEqual(summary(p.result('OK', 301)), ['resolved:chat', 'resolved:email']);
    });
    it('stops repeats that had started', () => {
      const p = new Pipeline(settingsWith({ repeat_minutes: 15 }));
      p.result('CRITICAL', 0);
      p.tick(60);
      p.ack(61);
      assert.deepEqual(p.ticks(62, 300), []);
    });
    it('still sends a worsening: acknowledging stops time-based messages only', () => {
      const p = new Pipeline();
      p.result('WARNING', 0);
      p.ack(5);
      assert.deepEqual(summary(p.result('CRITICAL', 10)), ['critical:chat', 'critical:email']);
      assert.deepEqual(p.ticks(11, 200), []);
    });
  });

  describe('R21 when an acknowledgement names another incident or a closed one', () => {
    it('changes nothing', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      p.ack(5, 'alice', 'etl_calls-1');
      assert.equal(p.state?.acknowledged, false);
      p.result('OK', 10);
      p.ack(11, 'alice');
      assert.equal(p.state?.acknowledged, false);
      assert.equal(p.last?.changed, false);
    });
  });

  describe('R22 when the pipeline is silenced', () => {
    it('tracks the incident but sends nothing, escalations included', () => {
      const p = new Pipeline(settingsWith({ repeat_minutes: 10 }));
      p.silence(240, 0);
      assert.deepEqual(p.result('WARNING', 1), []);
      assert.deepEqual(p.result('CRITICAL', 6), []);
      assert.deepEqual(p.ticks(7, 239), []);
      assert.equal(p.state?.status, 'CRITICAL');
      assert.equal(p.state?.held, 'silence');
      assert.equal(p.state?.announcedStatus, null);
      assert.equal(p.last?.nextDueAt, iso(240), 'the next thing is the silence ending');
    });
    it('holds the resolved message of an incident announced before the silence', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      p.silence(120, 5);
      assert.deepEqual(p.result('OK', 10), []);
      assert.equal(p.state?.held, 'silence');
    });
  });

  describe('R38 when the pipeline is in a maintenance window', () => {
    it('tracks the incident but sends nothing, escalations included, and says it is held for maintenance', () => {
      const p = new Pipeline(settingsWith({ repeat_minutes: 10 }));
      p.maintenanceUntil = iso(90);
      assert.deepEqual(p.result('CRITICAL', 1), []);
      assert.deepEqual(p.ticks(2, 89), []);
      assert.equal(p.state?.held, 'maintenance');
      assert.equal(p.last?.nextDueAt, iso(90), 'the next thing is the window ending');
    });
    it('names the later of a silence and a window as what it waits for', () => {
      const p = new Pipeline();
      p.maintenanceUntil = iso(90);
      p.silencedUntil = iso(120);
      p.result('WARNING', 1);
      assert.deepEqual([p.state?.held, p.last?.nextDueAt], ['silence', iso(120)]);
    });
  });

  describe('R39 when the maintenance window ends with a problem still there', () => {
    it('sends one message for the state then, late, and escalates from then on', () => {
      const p = new Pipeline();
      p.maintenanceUntil = iso(90);
      p.result('CRITICAL', 1);
      const sent = p.tick(90);
      assert.deepEqual(summary(sent), ['critical:chat', 'critical:email']);
      assert.equal(sent[0]?.late, true);
      assert.deepEqual(p.ticks(91, 149), []);
      assert.deepEqual(summary(p.tick(150)), ['escalation:chat', 'escalation:email'], '60 minutes after people were told');
    });
    it('sends nothing when the problem went away during the window', () => {
      const p = new Pipeline();
      p.maintenanceUntil = iso(90);
      p.result('CRITICAL', 1);
      p.result('OK', 30);
      assert.deepEqual(p.ticks(30, 120), []);
    });
  });

  describe('R23 when the silence ends and the truth differs from what people were told', () => {
    it('sends one message for the state now, late, when the incident opened during the silence', () => {
      const p = new Pipeline();
      p.silence(120, 0);
      p.result('WARNING', 1);
      p.result('CRITICAL', 6);
      p.result('WARNING', 50);
      p.result('CRITICAL', 100);
      const sent = p.ticks(101, 120);
      assert.deepEqual(summary(sent), ['critical:chat', 'critical:email']);
      assert.equal(sent[0]?.reason, 'opened');
      assert.equal(sent[0]?.late, true);
      assert.equal(sent[0]?.decidedAt, iso(120));
      assert.equal(p.state?.held, null);
    });
    it('sends it when the silence is ended early, by the silence event itself', () => {
      const p = new Pipeline();
      p.silence(120, 0);
      p.result('CRITICAL', 1);
      assert.deepEqual(summary(p.silence(null, 30)), ['critical:chat', 'critical:email']);
    });
    it('restarts the escalation clock from the catch-up message instead of escalating at once', () => {
      const p = new Pipeline();
      p.silence(120, 0);
      p.result('CRITICAL', 1);
      assert.equal(p.tick(120).length, 2);
      assert.deepEqual(p.ticks(121, 179), []);
      assert.deepEqual(summary(p.tick(180)), ['escalation:chat', 'escalation:email']);
    });
    it('sends the held resolved message when it was fixed during the silence', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      p.silence(120, 5);
      p.result('OK', 10);
      const sent = p.tick(120);
      assert.deepEqual(summary(sent), ['resolved:chat', 'resolved:email']);
      assert.equal(sent[0]?.late, true);
    });
    it('escalates at the silence end when people were told CRITICAL before it and it lasted', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      p.silence(90, 5);
      assert.deepEqual(p.ticks(6, 89), []);
      assert.deepEqual(summary(p.tick(90)), ['escalation:chat', 'escalation:email']);
    });
  });

  describe('R24 when the silence ends and people already know the truth', () => {
    it('sends nothing for an incident born and fixed within the silence', () => {
      const p = new Pipeline();
      p.silence(120, 0);
      p.result('CRITICAL', 1);
      p.result('OK', 30);
      assert.deepEqual(p.ticks(31, 200), []);
    });
    it('sends nothing when the status told before the silence still holds and nothing is due', () => {
      const p = new Pipeline();
      p.result('WARNING', 0);
      p.silence(60, 1);
      p.result('WARNING', 30);
      assert.deepEqual(p.ticks(31, 200), []);
    });
  });

  describe('R25 when a problem comes back within the flap window of a close', () => {
    it('re-opens the same incident (same id, same thread)', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      const id = p.state?.id;
      p.result('OK', 40);
      const sent = p.result('CRITICAL', 70);
      assert.equal(p.state?.id, id);
      assert.equal(p.state?.closedAt, null);
      assert.equal(p.state?.reopenCount, 1);
      assert.equal(p.state?.resolution, null);
      assert.equal(p.state?.criticalSince, iso(70));
      assert.deepEqual(summary(sent), ['critical:chat', 'critical:email'], 'the last message was 30 minutes ago');
      assert.equal(sent[0]?.reason, 'reopened');
    });
  });

  describe('R26 when a flapping incident changes again within the quiet time', () => {
    it('holds the message, then sends the state as it is at the first event after the quiet time', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      p.result('OK', 5); // resolved at once: nothing says it flaps yet
      assert.deepEqual(p.result('CRITICAL', 10), [], 'held: the last message was 5 minutes ago');
      assert.equal(p.state?.held, 'flapping');
      assert.equal(p.last?.nextDueAt, iso(35));
      assert.deepEqual(p.ticks(11, 34), []);
      const sent = p.tick(35);
      assert.deepEqual(summary(sent), ['critical:chat', 'critical:email']);
      assert.equal(sent[0]?.reason, 'reopened');
      assert.equal(sent[0]?.late, true);
    });
    it('sends nothing after the quiet time when the state is back to what was told', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      p.result('OK', 5);
      p.result('CRITICAL', 10);
      p.result('OK', 15);
      assert.equal(p.state?.held, null);
      assert.deepEqual(p.ticks(16, 120), []);
    });
  });

  describe('R26 a pipeline flapping OK/CRITICAL every 5 minutes for 6 hours', () => {
    it('keeps one incident and sends no more than one state message per half hour', () => {
      const p = new Pipeline();
      for (let minute = 0; minute <= 360; minute += 1) {
        if (minute % 5 === 0) p.result(minute % 10 === 0 ? 'CRITICAL' : 'OK', minute);
        else p.tick(minute);
      }
      const events = [...new Map(p.sent.map((n) => [n.seq, n])).values()];
      assert.equal(new Set(p.sent.map((n) => n.incidentId)).size, 1, 'one incident, one thread');
      assert.ok(events.length <= 2 + 360 / 30, `sent ${events.length} messages`);
      for (let i = 2; i < events.length; i += 1) {
        const gap = Date.parse(events[i]?.decidedAt ?? '') - Date.parse(events[i - 1]?.decidedAt ?? '');
        assert.ok(gap >= 30 * 60_000, `messages ${i - 1} and ${i} are ${gap / 60_000} min apart`);
      }
      assert.equal(p.state?.reopenCount, 36);
    });
  });

  describe('R27 when a flapping incident that only warned turns CRITICAL', () => {
    it('sends the critical card and email at once: a first page is never held', () => {
      const p = new Pipeline();
      p.result('WARNING', 0);
      p.result('OK', 5);
      p.result('WARNING', 10);
      const sent = p.result('CRITICAL', 12);
      assert.deepEqual(summary(sent), ['critical:chat', 'critical:email']);
      assert.equal(sent[0]?.reason, 'reopened');
    });
  });

  describe('R28 when a result is not newer than the last one applied', () => {
    it('ignores a replayed result', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      const before = p.state;
      assert.deepEqual(p.result('CRITICAL', 0), []);
      assert.deepEqual(p.state, before);
      assert.equal(p.last?.changed, false);
    });
    it('ignores a stale CRITICAL that arrives after the close (it would re-open from old data)', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      p.result('OK', 10);
      assert.deepEqual(p.result('CRITICAL', 8), []);
      assert.notEqual(p.state?.closedAt, null);
    });
  });

  describe('replaying an evaluation from the same previous state', () => {
    it('decides the same notifications with the same ids, so a job id dedupes them', () => {
      const settings = settingsWith();
      const previous = evaluateIncident(null, { pipeline: PIPELINE, silencedUntil: null, event: { type: 'result', result: result('WARNING', 0) } }, at(0), settings).next;
      const input = { pipeline: PIPELINE, silencedUntil: null, event: { type: 'result', result: result('CRITICAL', 5) } } as const;
      const first = evaluateIncident(previous, input, at(5), settings);
      const again = evaluateIncident(previous, input, at(6), settings);
      assert.deepEqual(first.notifications.map((n) => n.id), again.notifications.map((n) => n.id));
      assert.deepEqual(first.next?.id, again.next?.id);
    });
    it('does not modify the previous state it was given', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      const frozen = structuredClone(p.state);
      evaluateIncident(p.state, { pipeline: PIPELINE, silencedUntil: null, event: { type: 'result', result: result('OK', 5) } }, at(5), settingsWith());
      assert.deepEqual(p.state, frozen);
    });
  });

  describe('settings and wiring', () => {
    it('turns escalation off when after_minutes is 0', () => {
      const p = new Pipeline(settingsWith({ after_minutes: 0, repeat_minutes: 5 }));
      p.result('CRITICAL', 0);
      assert.deepEqual(p.ticks(0, 300), []);
    });
    it('refuses a result of another pipeline', () => {
      const wrong = { ...result('CRITICAL', 0), pipelineId: 'operators' };
      assert.throws(
        () => evaluateIncident(null, { pipeline: PIPELINE, silencedUntil: null, event: { type: 'result', result: wrong } }, at(0), settingsWith()),
        /operators/,
      );
    });
    it('refuses an incident of another pipeline', () => {
      const p = new Pipeline();
      p.result('CRITICAL', 0);
      assert.throws(
        () => evaluateIncident(p.state, { pipeline: { id: 'operators', name: 'Operators' }, silencedUntil: null, event: { type: 'tick' } }, at(1), settingsWith()),
        /belongs to etl_calls/,
      );
    });
  });
});
