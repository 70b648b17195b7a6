import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { CheckResult, DatamonConfig, Status } from '@datamon/core';
import { createLogger } from '@datamon/io';
import { applyIncidentEvent, createQueues, type DatamonQueues } from '@datamon/jobs';
import { DatamonStore } from '@datamon/store';
import { type AlertWorkerHandle, startAlertWorker } from '@datamon/workers';
import { testConfig } from '../packages/notifiers/test/helpers/config.ts';
import { FakeGoogleChat } from '../packages/notifiers/test/helpers/fake-chat.ts';
import { FakeJira, JIRA_TOKEN, JIRA_USER } from '../packages/notifiers/test/helpers/fake-jira.ts';
import { waitFor } from '../packages/workers/test/helpers.ts';

/**
 * README "Tickets and recovery", tickets end to end: the alert role on real Redis tells a local
 * Jira about an incident from open to resolve (one issue, even when the create first meets a 503
 * and then a connection cut after Jira really made the issue), and a webhook receiver gets each
 * event once, signed, with the same delivery id on the retry.
 */

process.env.DATAMON_DELIVERY_BACKOFF_MS = '50';

const quiet = createLogger({ role: 'test', destination: new Writable({ write: (_c, _e, done) => done() }) });
const T0 = Date.parse('2026-03-31T08:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

function result(pipelineId: string, status: Status, minutes: number, message: string): CheckResult {
  return { pipelineId, status, value: status === 'OK' ? 1 : 0, message, checkedAt: at(minutes).toISOString(), details: {}, durationMs: 5 };
}


interface Running {
  config: DatamonConfig;
  queues: DatamonQueues;
  store: DatamonStore;
  alerts: AlertWorkerHandle;
  clock: { now: Date };
  apply: (event: Parameters<typeof applyIncidentEvent>[2], minutes: number) => ReturnType<typeof applyIncidentEvent>;
  stop: () => Promise<void>;
}

async function start(overrides: Record<string, unknown>): Promise<Running> {
  const config = testConfig({
    redis: { prefix: `test-${randomUUID()}` },
    pipelines: [{ id: 'etl_calls', name: 'ETL Calls', kind: 'mysql_freshness', table: 'FactCalls', column: 'call_start', warning_hours: 12, critical_hours: 24 }],
    escalation: { after_minutes: 30 },
    schedule: { checkins: { morning: { pipelines: ['etl_calls'] }, first_shift: { enabled: false }, second_shift: { enabled: false } } },
    ...overrides,
  });
  const clock = { now: at(0) };
  const queues = createQueues(config);
  const store = new DatamonStore(queues.connection, { prefix: config.redis.prefix, historyDays: 90 });
  const alerts = await startAlertWorker({ config, logger: quiet, now: () => clock.now, watchEveryMs: 3_600_000 });
  await alerts.ready;
  return {
    config,
    queues,
    store,
    alerts,
    clock,
    apply: (event, minutes) => {
      clock.now = at(minutes);
      return applyIncidentEvent({ config, store, queues }, 'etl_calls', event, clock.now);
    },
    async stop() {
      await alerts.close();
      await queues.obliterate();
      await store.clear();
      await queues.close();
    },
  };
}

describe('a Jira project', () => {
  const jira = new FakeJira();
  const chat = new FakeGoogleChat();
  let run: Running;
  let incidentId = '';

  before(async () => {
    await jira.start();
    jira.reset();
    await chat.start();
    run = await start({
      tickets: { kind: 'jira', url: jira.url, project: 'DATA', user: JIRA_USER, token: JIRA_TOKEN, when: 'critical' },
      google_chat: { webhook_url: chat.webhookUrl() },
    });
  });
  after(async () => {
    await run?.stop();
    await jira.stop();
    await chat.stop();
  });

  it('gets one issue for a CRITICAL incident, through a 503 and a create cut off after Jira made it', async () => {
    jira.refusal = { status: 503, pathEndsWith: '/rest/api/3/issue', times: 1 };
    jira.dropAfterCreate = true;
    jira.dropOnce = true;
    const { decision } = await run.apply({ type: 'result', result: result('etl_calls', 'CRITICAL', 0, 'newest call 26.0 h ago (critical over 24 h)') }, 0);
    incidentId = decision.next?.id ?? '';
    const ticket = await waitFor(async () => {
      const state = await run.store.tickets.get(incidentId);
      return state?.state === 'open' ? state : null;
    }, 30_000, 'the ticket key');
    assert.deepEqual([ticket.key, jira.issues.size], ['DATA-1', 1]);
    const creates = jira.requests.filter((request) => request.method === 'POST' && request.path === '/rest/api/3/issue');
    assert.equal(creates.length, 2, 'the 503, then the create that was cut off; the third try found it');
    const notes = (await run.store.incidents.timeline(incidentId)).filter((entry) => entry.event === 'ticket').map((entry) => entry.detail);
    assert.equal(notes.length, 3);
    assert.match(notes[0] ?? '', /^opened: retrying/);
    assert.match(notes[2] ?? '', /^found DATA-1 http/);
    const labels = (jira.issues.get('DATA-1')?.fields.labels ?? []) as string[];
    assert.ok(labels.includes(`datamon-${incidentId}`));
  });

  it('shows the ticket in later cards, comments on escalation and acknowledgement, and closes it on resolve', async () => {
    const escalated = await run.apply({ type: 'tick' }, 31);
    assert.ok(escalated.decision.notifications.some((notification) => notification.kind === 'escalation'));
    await waitFor(() => (jira.issues.get('DATA-1')?.comments.length ?? 0) >= 1, 30_000, 'the escalation comment');
    const card = await waitFor(() => chat.requests.find((request) => JSON.stringify(request.body).includes('ESCALATION')), 30_000, 'the escalation card');
    assert.match(JSON.stringify(card.body), /DATA-1/);

    await run.apply({ type: 'acknowledge', incidentId, by: 'ana' }, 35);
    await waitFor(() => (jira.issues.get('DATA-1')?.comments.length ?? 0) >= 2, 30_000, 'the acknowledgement comment');
    assert.match(JSON.stringify(jira.issues.get('DATA-1')?.comments[1]), /acknowledged by ana/);

    await run.apply({ type: 'result', result: result('etl_calls', 'OK', 40, 'newest call 5 min ago') }, 40);
    await waitFor(() => jira.issues.get('DATA-1')?.status.category === 'done', 30_000, 'the issue to be closed');
    assert.equal((await run.store.tickets.get(incidentId))?.state, 'closed');
    assert.equal(jira.issues.size, 1);
  });

  it('keeps the timeline of the incident from open to resolve', async () => {
    const timeline = await run.store.incidents.timeline(incidentId);
    const story = timeline.filter((entry) => entry.event !== 'notified' && entry.event !== 'ticket').map((entry) => `${entry.event}${entry.by ? ` by ${entry.by}` : ''}`);
    assert.deepEqual(story, ['opened', 'escalated', 'acknowledged by ana', 'resolved']);
    assert.ok(timeline.some((entry) => entry.event === 'ticket' && entry.detail === 'closed DATA-1'));
    assert.ok(timeline.some((entry) => entry.event === 'notified' && /^chat escalation: sent/.test(entry.detail)));
  });
});

describe('a webhook receiver', () => {
  const SECRET = 'whsec-datamon-e2e-0042';
  const received: { event: string; delivery: string; signatureOk: boolean; status: number }[] = [];
  let receiver: Server;
  let run: Running;

  before(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const expected = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
        const event = String(request.headers['x-datamon-event']);
        // The first try of each event fails: the retry must carry the same delivery id.
        const status = received.some((entry) => entry.event === event) ? 200 : 503;
        received.push({ event, delivery: String(request.headers['x-datamon-delivery']), signatureOk: request.headers['x-datamon-signature'] === expected, status });
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    run = await start({ tickets: { kind: 'webhook', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/datamon`, token: SECRET, when: 'warning' } });
  });
  after(async () => {
    await run?.stop();
    receiver?.close();
  });

  it('gets each event signed, once accepted, with one delivery id across the retry', async () => {
    await run.apply({ type: 'result', result: result('etl_calls', 'WARNING', 0, 'newest call 13.0 h ago (warning over 12 h)') }, 0);
    await waitFor(() => received.some((entry) => entry.event === 'opened' && entry.status === 200), 30_000, 'the opened event to be accepted');
    await run.apply({ type: 'result', result: result('etl_calls', 'OK', 10, 'newest call 1 min ago') }, 10);
    await waitFor(() => received.some((entry) => entry.event === 'resolved' && entry.status === 200), 30_000, 'the resolved event to be accepted');
    assert.deepEqual(
      received.map((entry) => `${entry.event} ${entry.status}`),
      ['opened 503', 'opened 200', 'resolved 503', 'resolved 200'],
    );
    assert.ok(received.every((entry) => entry.signatureOk), 'every body is signed with the secret');
    assert.equal(received[0]?.delivery, received[1]?.delivery, 'the retry carries the same delivery id');
    assert.notEqual(received[0]?.delivery, received[2]?.delivery);
  });
});
