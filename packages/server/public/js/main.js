import { ApiError, api, basicAuthorization, storeAuthorization, storedAuthorization } from './api.js';
import { byId, el, setText } from './dom.js';
import { STATUS_ICON, formatClock, formatDuration, formatSince, formatTime, formatValue, isToday, useTimeZone } from './format.js';
import { connectLive } from './live.js';
import { HistoryStrip } from './strip.js';

/**
 * The datamon dashboard: the banner, a tile per pipeline, today's check-ins, open incidents and
 * the recent notifications. It re-reads /api/status every `refreshSeconds` and whenever the
 * server announces a new snapshot. Every value is written with textContent.
 */

const state = {
  meta: { refreshSeconds: 60, timezone: undefined, auth: { configured: false, basic: false, protectReads: false } },
  snapshot: null,
  hours: 24,
  /** @type {Map<string, ReturnType<typeof createTile>>} */
  tiles: new Map(),
  signedInAs: null,
  lastSuccess: null,
  refreshing: null,
  refreshAgain: false,
  live: null,
};

const NOTIFICATIONS_SHOWN = 15;
/** How often a strip re-reads its pipeline's whole history. */
const HISTORY_RESYNC_MS = 10 * 60_000;

// ---------------------------------------------------------------- banner

function renderBanner(snapshot) {
  const banner = byId('banner');
  banner.dataset.status = snapshot.overall;
  setText(byId('banner-icon'), STATUS_ICON[snapshot.overall]);
  const { counts } = snapshot;
  const total = snapshot.pipelines.length;
  const title =
    snapshot.overall === 'OK'
      ? counts.PENDING > 0
        ? `All clear · ${counts.PENDING} waiting`
        : `All ${total} pipelines OK`
      : snapshot.overall === 'CRITICAL'
        ? `CRITICAL · ${plural(counts.CRITICAL, 'pipeline')} failing`
        : `WARNING · ${plural(counts.WARNING, 'pipeline')} need${counts.WARNING === 1 ? 's' : ''} a look`;
  setText(byId('banner-title'), title);
  const parts = [];
  for (const status of ['CRITICAL', 'WARNING', 'OK', 'PENDING']) if (counts[status] > 0) parts.push(`${counts[status]} ${status.toLowerCase()}`);
  setText(byId('banner-detail'), parts.join(' · '));
  document.title = `${STATUS_ICON[snapshot.overall]} ${snapshot.overall} · datamon`;
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function renderUpdated() {
  const when = state.snapshot ? `status of ${formatClock(new Date(state.snapshot.generatedAt))}` : '';
  setText(byId('banner-updated'), when);
}

// ---------------------------------------------------------------- tiles

function createTile(pipeline) {
  const template = /** @type {HTMLTemplateElement} */ (byId('tile-template'));
  const root = /** @type {HTMLElement} */ (template.content.firstElementChild.cloneNode(true));
  root.dataset.pipeline = pipeline.id;
  const part = (selector) => root.querySelector(selector);
  const tile = {
    root,
    icon: part('.tile-icon'),
    name: part('.tile-name'),
    pill: part('.pill'),
    message: part('.tile-message'),
    value: part('.fact-value'),
    since: part('.fact-since'),
    checked: part('.fact-checked'),
    badges: part('.badges'),
    note: part('.tile-note'),
    run: part('.run'),
    minutes: part('.silence-minutes'),
    silence: part('.silence'),
    unsilence: part('.unsilence'),
    strip: null,
    history: { hours: 0, at: 0, loading: false },
    view: pipeline,
  };
  tile.strip = new HistoryStrip(part('.strip'), part('.strip-caption'));
  tile.run.addEventListener('click', () => runPipeline(tile));
  tile.silence.addEventListener('click', () => silence(tile));
  tile.unsilence.addEventListener('click', () => unsilence(tile));
  return tile;
}

function updateTile(tile, pipeline, now) {
  tile.view = pipeline;
  tile.root.dataset.status = pipeline.status;
  setText(tile.icon, STATUS_ICON[pipeline.status]);
  setText(tile.name, pipeline.name);
  setText(tile.pill, pipeline.status);
  setText(tile.message, pipeline.message);
  setText(tile.value, formatValue(pipeline.value));
  setText(tile.since, formatSince(pipeline.since, now));
  setText(tile.checked, pipeline.checkedAt ? formatTime(pipeline.checkedAt, now) : 'not yet');

  const badges = [];
  if (pipeline.silencedUntil) badges.push(el('span', { className: 'badge silenced', text: `🔕 silenced until ${formatTime(pipeline.silencedUntil, now)}` }));
  if (pipeline.incident) {
    badges.push(
      pipeline.acknowledged
        ? el('span', { className: 'badge acknowledged', text: '✔ incident acknowledged' })
        : el('span', { className: 'badge incident', text: '● incident open' }),
    );
  }
  if (!pipeline.quickCheck) badges.push(el('span', { className: 'badge schedule', text: '⏱ checked at check-ins only' }));
  tile.badges.replaceChildren(...badges);
  tile.silence.hidden = Boolean(pipeline.silencedUntil);
  tile.minutes.hidden = Boolean(pipeline.silencedUntil);
  tile.unsilence.hidden = !pipeline.silencedUntil;
}

function renderTiles(snapshot, now) {
  const container = byId('tiles');
  const seen = new Set();
  snapshot.pipelines.forEach((pipeline, index) => {
    seen.add(pipeline.id);
    let tile = state.tiles.get(pipeline.id);
    if (!tile) {
      tile = createTile(pipeline);
      state.tiles.set(pipeline.id, tile);
    }
    if (container.children[index] !== tile.root) container.insertBefore(tile.root, container.children[index] ?? null);
    updateTile(tile, pipeline, now);
    // Created before the history is read: the strip needs its place in the layout to size itself.
    refreshHistory(tile, now);
  });
  for (const [id, tile] of state.tiles) {
    if (seen.has(id)) continue;
    tile.strip.destroy();
    tile.root.remove();
    state.tiles.delete(id);
  }
}

/**
 * Keeps a tile's strip current. The full history is read when the tile appears, when the range
 * changes and every few minutes; in between, a new result seen in the snapshot is appended
 * locally, so a wall screen does not re-read days of history on every update.
 */
async function refreshHistory(tile, now, force = false) {
  const pipeline = tile.view;
  const history = tile.history;
  if (history.loading) return;
  const due = force || history.hours !== state.hours || Date.now() - history.at >= HISTORY_RESYNC_MS;
  if (!due) {
    const results = tile.strip.results;
    const last = results[results.length - 1];
    if (pipeline.checkedAt && (!last || Date.parse(pipeline.checkedAt) > Date.parse(last.checkedAt))) {
      results.push({ status: pipeline.status, value: pipeline.value, message: pipeline.message, checkedAt: pipeline.checkedAt });
    }
    tile.strip.update(results, history.hours, now);
    return;
  }
  history.loading = true;
  const hours = state.hours;
  try {
    // A few hours before the window too: the status at its left edge is the one checked before it.
    const data = await api('GET', `/api/pipelines/${encodeURIComponent(pipeline.id)}/history?hours=${Math.min(hours + 6, 2160)}`);
    history.hours = hours;
    history.at = Date.now();
    tile.strip.update(data.results, hours, new Date());
  } catch {
    // The strip keeps what it had; the banner reports an unreachable API.
  } finally {
    history.loading = false;
  }
}

function setRange(hours) {
  state.hours = hours;
  for (const button of document.querySelectorAll('.range-button')) button.setAttribute('aria-pressed', String(Number(button.dataset.hours) === hours));
  const now = new Date();
  for (const tile of state.tiles.values()) refreshHistory(tile, now, true);
}

// ---------------------------------------------------------------- check-ins, incidents, notifications

function renderCheckins(checkins, now) {
  const items = checkins.map((checkin) => {
    const ranToday = isToday(checkin.lastRunAt, now);
    const status = ranToday && checkin.status ? checkin.status : 'PENDING';
    const detail = ranToday ? `ran ${formatTime(checkin.lastRunAt, now)}` : checkin.lastRunAt ? `not yet today · last ran ${formatTime(checkin.lastRunAt, now)}` : 'not run yet';
    const button = el('button', { className: 'button small ghost writer', text: 'Run now', attrs: { type: 'button' } });
    button.addEventListener('click', () => runCheckin(checkin, button));
    return el('li', { status, attrs: { 'data-checkin': checkin.id } }, [
      el('span', { className: 'row-time', text: checkin.time ?? '' }),
      el('span', { className: 'row-icon', text: STATUS_ICON[status] }),
      el('div', { className: 'row-main' }, [
        el('strong', { text: checkin.label }),
        el('div', { className: 'row-line' }, [
          ranToday ? el('span', { className: 'status-word', text: status }) : null,
          el('span', { text: detail }),
          ranToday && checkin.late ? el('span', { className: 'badge late', text: 'late', title: 'ran after its time because nothing was running then' }) : null,
        ]),
      ]),
      button,
    ]);
  });
  byId('checkins').replaceChildren(...(items.length ? items : [el('li', { className: 'empty', text: 'No check-ins configured.' })]));
}

function pipelineName(id) {
  return state.snapshot?.pipelines.find((pipeline) => pipeline.id === id)?.name ?? id ?? '';
}

function renderIncidents(incidents, now) {
  const items = incidents.map((incident) => {
    const opened = `opened ${formatTime(incident.openedAt, now)} (${formatDuration(now.getTime() - Date.parse(incident.openedAt))} ago)`;
    const ack = incident.acknowledged ? `acknowledged${incident.acknowledgedBy ? ` by ${incident.acknowledgedBy}` : ''} ${formatTime(incident.acknowledgedAt, now)}` : null;
    const button = incident.acknowledged ? null : el('button', { className: 'button small writer', text: 'Acknowledge', attrs: { type: 'button' } });
    button?.addEventListener('click', () => acknowledge(incident, button));
    return el('li', { status: incident.status, attrs: { 'data-incident': incident.id } }, [
      el('span', { className: 'row-icon', text: STATUS_ICON[incident.status] }),
      el('div', { className: 'row-main' }, [
        el('strong', { text: incident.pipelineName || pipelineName(incident.pipeline) }),
        ' ',
        el('span', { className: 'status-word', text: incident.status }),
        el('small', { text: incident.message }),
        el('small', { text: [opened, ack, incident.escalations ? `${plural(incident.escalations, 'escalation')} sent` : null, incident.held ? `messages held (${incident.held})` : null].filter(Boolean).join(' · ') }),
      ]),
      button,
    ]);
  });
  byId('incidents').replaceChildren(...(items.length ? items : [el('li', { className: 'empty', text: 'No open incidents.' })]));
}

const CHANNEL_ICON = { chat: '💬', email: '✉️' };
const KIND_LABEL = {
  checkin: 'check-in',
  critical: 'critical alert',
  warning: 'warning alert',
  escalation: 'escalation',
  resolved: 'resolved',
  daily_summary: 'daily summary',
  test: 'test message',
};

function renderNotifications(notifications, now) {
  const items = notifications.map((notification) =>
    el('li', {}, [
      el('span', { className: 'row-time', text: formatTime(notification.at, now) }),
      el('span', { className: 'row-icon', text: CHANNEL_ICON[notification.channel] ?? '•', title: notification.channel }),
      el('div', { className: 'row-main' }, [
        el('span', { text: `${KIND_LABEL[notification.kind] ?? notification.kind}${notification.pipelineId ? ` · ${pipelineName(notification.pipelineId)}` : ''}` }),
        notification.error ? el('small', { text: notification.error }) : null,
      ]),
      el('span', { className: `outcome outcome-${notification.outcome}`, text: notification.outcome }),
    ]),
  );
  byId('notifications').replaceChildren(...(items.length ? items : [el('li', { className: 'empty', text: 'Nothing sent yet.' })]));
}

// ---------------------------------------------------------------- refresh

function showProblem(message) {
  const problem = byId('problem');
  problem.hidden = !message;
  setText(problem, message ?? '');
}

/** Re-reads everything; calls while one is running coalesce into one more. */
function refresh() {
  if (state.refreshing) {
    state.refreshAgain = true;
    return state.refreshing;
  }
  state.refreshing = (async () => {
    try {
      do {
        state.refreshAgain = false;
        await refreshOnce();
      } while (state.refreshAgain);
    } finally {
      state.refreshing = null;
    }
  })();
  return state.refreshing;
}

async function refreshOnce() {
  try {
    const [snapshot, incidents, notifications] = await Promise.all([
      api('GET', '/api/status'),
      api('GET', '/api/incidents?state=open'),
      api('GET', `/api/notifications?limit=${NOTIFICATIONS_SHOWN}`),
    ]);
    const now = new Date();
    state.snapshot = snapshot;
    state.lastSuccess = now;
    showProblem(null);
    renderBanner(snapshot);
    renderUpdated();
    renderTiles(snapshot, now);
    renderCheckins(snapshot.checkins, now);
    renderIncidents(incidents, now);
    renderNotifications(notifications, now);
    document.body.dataset.ready = 'true';
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      showProblem('Sign in to see the status: reads are protected on this server.');
      if (!state.signedInAs) openSignIn();
      return;
    }
    const since = state.lastSuccess ? ` Showing what was known at ${formatClock(state.lastSuccess)}.` : '';
    showProblem(`${err instanceof Error ? err.message : String(err)}; retrying.${since}`);
    byId('connection').className = 'connection down';
  }
}

function setConnection(mode) {
  const connection = byId('connection');
  connection.className = `connection ${mode === 'live' ? 'live' : ''}`;
  setText(connection, mode === 'live' ? 'live' : `refreshing every ${state.meta.refreshSeconds} s`);
}

// ---------------------------------------------------------------- actions

function note(tile, message, isError = false) {
  tile.note.hidden = !message;
  tile.note.classList.toggle('error', isError);
  setText(tile.note, message ?? '');
}

async function withButton(button, busyText, action) {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = busyText;
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

async function runPipeline(tile) {
  const id = tile.view.id;
  note(tile, null);
  try {
    const answer = await withButton(tile.run, 'Running…', () => api('POST', `/api/pipelines/${encodeURIComponent(id)}/run?wait=1`));
    note(tile, `Ran at ${formatTime(answer.result.checkedAt)}: ${answer.result.status}, ${answer.result.message}`);
    await refresh();
  } catch (err) {
    note(tile, err.message, true);
    if (err.status === 401) signedOut();
  }
}

async function silence(tile) {
  const minutes = Number(tile.minutes.value);
  try {
    await withButton(tile.silence, 'Silencing…', () => api('POST', `/api/pipelines/${encodeURIComponent(tile.view.id)}/silence`, { body: { minutes } }));
    note(tile, null);
    await refresh();
  } catch (err) {
    note(tile, err.message, true);
    if (err.status === 401) signedOut();
  }
}

async function unsilence(tile) {
  try {
    await withButton(tile.unsilence, 'Ending…', () => api('DELETE', `/api/pipelines/${encodeURIComponent(tile.view.id)}/silence`));
    note(tile, null);
    await refresh();
  } catch (err) {
    note(tile, err.message, true);
    if (err.status === 401) signedOut();
  }
}

async function acknowledge(incident, button) {
  try {
    await withButton(button, 'Acknowledging…', () => api('POST', `/api/incidents/${encodeURIComponent(incident.id)}/ack`));
    await refresh();
  } catch (err) {
    showProblem(`Could not acknowledge: ${err.message}`);
    if (err.status === 401) signedOut();
  }
}

async function runCheckin(checkin, button) {
  try {
    await withButton(button, 'Queued…', () => api('POST', `/api/checkins/${encodeURIComponent(checkin.id)}/run`));
    button.textContent = 'Queued';
  } catch (err) {
    showProblem(`Could not run ${checkin.label}: ${err.message}`);
    if (err.status === 401) signedOut();
  }
}

// ---------------------------------------------------------------- sign-in

function showSignedIn(name) {
  state.signedInAs = name;
  document.body.classList.toggle('signed-in', Boolean(name));
  const who = byId('who');
  who.hidden = !name;
  setText(who, name ? `signed in as ${name}` : '');
  byId('sign-in').hidden = Boolean(name) || !state.meta.auth.configured;
  byId('sign-out').hidden = !name;
  byId('read-only').hidden = state.meta.auth.configured;
}

function signedOut() {
  storeAuthorization(null);
  showSignedIn(null);
}

function openSignIn() {
  const dialog = /** @type {HTMLDialogElement} */ (byId('sign-in-dialog'));
  byId('sign-in-error').hidden = true;
  if (!dialog.open) dialog.showModal();
}

async function submitSignIn(event) {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.target);
  const data = new FormData(form);
  const token = String(data.get('token') ?? '').trim();
  const username = String(data.get('username') ?? '');
  const password = String(data.get('password') ?? '');
  const authorization = token ? `Bearer ${token}` : username || password ? basicAuthorization(username, password) : null;
  const error = byId('sign-in-error');
  if (!authorization) {
    error.hidden = false;
    setText(error, 'Enter a user name and password, or a token.');
    return;
  }
  try {
    const principal = await api('GET', '/api/session', { authorization });
    storeAuthorization(authorization);
    form.reset();
    /** @type {HTMLDialogElement} */ (byId('sign-in-dialog')).close();
    showSignedIn(principal.name);
    state.live?.restart();
    await refresh();
  } catch (err) {
    error.hidden = false;
    setText(error, err.status === 401 ? 'Those credentials were not accepted.' : err.message);
  }
}

async function restoreSession() {
  if (!storedAuthorization()) return;
  try {
    const principal = await api('GET', '/api/session');
    showSignedIn(principal.name);
  } catch (err) {
    if (err.status === 401 || err.status === 403) signedOut();
  }
}

// ---------------------------------------------------------------- start

async function start() {
  try {
    state.meta = await api('GET', '/api/meta');
  } catch {
    // Defaults stand in; the first refresh reports the unreachable API.
  }
  useTimeZone(state.meta.timezone);
  showSignedIn(null);
  byId('sign-in').addEventListener('click', openSignIn);
  byId('sign-out').addEventListener('click', () => {
    signedOut();
    state.live?.restart();
  });
  byId('sign-in-form').addEventListener('submit', submitSignIn);
  byId('sign-in-cancel').addEventListener('click', () => /** @type {HTMLDialogElement} */ (byId('sign-in-dialog')).close());
  for (const button of document.querySelectorAll('.range-button')) button.addEventListener('click', () => setRange(Number(button.dataset.hours)));

  await restoreSession();
  setConnection('polling');
  await refresh();
  setInterval(refresh, Math.max(5, state.meta.refreshSeconds) * 1000);
  // A laptop waking up or a tab brought back shows the present at once, not at the next tick.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refresh();
  });

  // Several snapshots can be announced within moments (a check-in stores each pipeline's
  // result): one refresh after a short pause covers them all.
  let pending = null;
  state.live = connectLive({
    onSnapshot() {
      if (pending) return;
      pending = setTimeout(() => {
        pending = null;
        refresh();
      }, 150);
    },
    onState: setConnection,
  });
}

start();
