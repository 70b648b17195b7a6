// @ts-check
import { api } from './api.js';
import { byId, el, find, setText } from './dom.js';
import { incidentHref } from './incident.js';
import { STATUS_ICON, formatClock, formatDuration, formatSince, formatTime, formatValue, fullDate, isToday } from './format.js';
import { ValueChart } from './chart.js';
import { HistoryStrip } from './strip.js';
import { state } from './state.js';

/**
 * Everything the page shows: the banner, a tile per pipeline, today's check-ins, open incidents
 * and the recent notifications. Every value is written with textContent (see dom.js).
 *
 * @import { CheckinView, History, Incident, NotificationRecord, Ping, PipelineView, ReloadStatus, StatusSnapshot, WatchReport } from './state.js'
 * @import { ConnectionMode } from './live.js'
 */

/**
 * One pipeline's tile and the parts a refresh writes to.
 * @typedef {object} Tile
 * @property {HTMLElement} root
 * @property {HTMLElement} icon
 * @property {HTMLElement} name
 * @property {HTMLElement} pill
 * @property {HTMLElement} message
 * @property {HTMLElement} value
 * @property {HTMLElement} since
 * @property {HTMLElement} checked
 * @property {HTMLElement} badges
 * @property {HTMLElement} deps what it depends on and what it feeds
 * @property {HTMLElement} runs a heartbeat's last runs (hidden for other kinds)
 * @property {{ checkedAt: string | null, loading: boolean }} runsSeen the result the runs were read for
 * @property {HTMLElement} action what to do, shown while it fails
 * @property {HTMLElement} note
 * @property {HTMLButtonElement} run
 * @property {HTMLSelectElement} minutes
 * @property {HTMLButtonElement} silence
 * @property {HTMLButtonElement} unsilence
 * @property {HistoryStrip} strip
 * @property {ValueChart} chart the value with its usual band (counts with an anomaly baseline)
 * @property {{ hours: number, at: number, loading: boolean }} history what the strip last read
 * @property {PipelineView} view the pipeline as last shown
 */

/**
 * What the buttons in tiles and rows do (actions.js). Passed in, so that rendering does not
 * import the actions, which show their outcome with this module.
 * @typedef {object} RowActions
 * @property {(tile: Tile) => unknown} runPipeline
 * @property {(tile: Tile) => unknown} silence
 * @property {(tile: Tile) => unknown} unsilence
 * @property {(incident: Incident, button: HTMLButtonElement) => unknown} acknowledge
 * @property {(checkin: CheckinView, button: HTMLButtonElement) => unknown} runCheckin
 */

/** How often a strip re-reads its pipeline's whole history. */
const HISTORY_RESYNC_MS = 10 * 60_000;

// ---------------------------------------------------------------- banner

/** The icon of a pipeline never checked: no verdict, so none of the statuses' icons. */
export const UNCHECKED_ICON = '◌';

/** @param {PipelineView['status'] | StatusSnapshot['overall']} status */
function iconOf(status) {
  return status === null || status === 'CHECKING' ? UNCHECKED_ICON : STATUS_ICON[status];
}

/** @param {StatusSnapshot} snapshot */
export function renderBanner(snapshot) {
  const banner = byId('banner');
  banner.dataset.status = snapshot.overall;
  setText(byId('banner-icon'), iconOf(snapshot.overall));
  const { counts } = snapshot;
  const total = snapshot.pipelines.length;
  const title =
    snapshot.overall === 'CHECKING'
      ? `Checking… · ${counts.UNCHECKED} not checked yet`
      : snapshot.overall === 'OK'
        ? counts.PENDING > 0
          ? `All clear · ${counts.PENDING} waiting`
          : `All ${total} pipelines OK`
        : snapshot.overall === 'CRITICAL'
          ? `CRITICAL · ${plural(counts.CRITICAL, 'pipeline')} failing`
          : `WARNING · ${plural(counts.WARNING, 'pipeline')} need${counts.WARNING === 1 ? 's' : ''} a look`;
  setText(byId('banner-title'), title);
  const parts = [];
  for (const status of /** @type {const} */ (['CRITICAL', 'WARNING', 'OK', 'PENDING'])) if (counts[status] > 0) parts.push(`${counts[status]} ${status.toLowerCase()}`);
  if (counts.UNCHECKED > 0) parts.push(`${counts.UNCHECKED} not checked yet`);
  setText(byId('banner-detail'), parts.join(' · '));
  document.title = `${iconOf(snapshot.overall)} ${snapshot.overall} · datamon`;
}

/** The roles as people name them, for the "not checking" banner. */
const ROLE_LABEL = /** @type {Readonly<Record<string, string>>} */ ({ scheduler: 'scheduler', checks: 'check workers', alerts: 'alert worker' });

/**
 * The watchman's banner: red, above everything, while the monitor is not checking (dead
 * workers, a gone scheduler, a paused queue). A quiet page must never pass for a healthy one.
 * @param {WatchReport | null} report null: unknown (the API could not say)
 */
export function renderWatch(report) {
  const watch = byId('watch');
  const down = report && !report.healthy;
  watch.hidden = !down;
  if (!report || !down) {
    if (report) setConnectionChecking(true);
    return;
  }
  setConnectionChecking(false);
  const missing = report.roles.filter((role) => !role.up).map((role) => ROLE_LABEL[role.role] ?? role.role);
  const paused = report.problems.filter((problem) => problem.kind === 'paused').map((problem) => `${problem.subject} queue paused`);
  const guess = [...(missing.length > 0 ? [`${missing.join(' / ')} down?`] : []), ...paused].join(' · ') || 'no quick-check round is completing';
  setText(byId('watch-title'), `Monitor not checking since ${formatTime(report.since)}: ${guess}`);
  byId('watch-title').title = fullDate(report.since);
  setText(byId('watch-detail'), report.problems.map((problem) => `${problem.message} (since ${formatTime(problem.since)})`).join(' · '));
}

/**
 * A refused config reload stays on the page until a later one succeeds: the monitor runs the
 * previous config meanwhile (README "Reloading the config").
 * @param {ReloadStatus | null} status
 */
export function renderReload(status) {
  const line = byId('reload-problem');
  line.hidden = !status || status.ok;
  if (!status || status.ok) return;
  const [first = ''] = status.message.split('\n');
  setText(line, `The config reload at ${formatTime(status.at)} (${status.by}) was refused; the previous config is still running: ${first}`);
  line.title = status.message;
}

/** @param {boolean} checking */
function setConnectionChecking(checking) {
  byId('connection').classList.toggle('stale', !checking);
}

/** @param {number} count @param {string} word */
function plural(count, word) {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function renderUpdated() {
  const when = state.snapshot ? `status of ${formatClock(new Date(state.snapshot.generatedAt))}` : '';
  setText(byId('banner-updated'), when);
}

/** @param {string | null} message none hides the problem line */
export function showProblem(message) {
  const problem = byId('problem');
  problem.hidden = !message;
  setText(problem, message ?? '');
}

/** @param {ConnectionMode} mode */
export function setConnection(mode) {
  const connection = byId('connection');
  connection.className = `connection ${mode === 'live' ? 'live' : ''}`;
  setText(connection, mode === 'live' ? 'live' : `refreshing every ${state.meta.refreshSeconds} s`);
}

// ---------------------------------------------------------------- tiles

/**
 * @param {PipelineView} pipeline
 * @param {RowActions} actions
 * @returns {Tile}
 */
function createTile(pipeline, actions) {
  const template = /** @type {HTMLTemplateElement} */ (byId('tile-template'));
  const first = template.content.firstElementChild;
  if (!first) throw new Error('empty #tile-template');
  const root = /** @type {HTMLElement} */ (first.cloneNode(true));
  root.dataset.pipeline = pipeline.id;
  /** @param {string} selector */
  const part = (selector) => find(root, selector);
  /** @type {Tile} */
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
    deps: part('.tile-deps'),
    runs: part('.tile-runs'),
    runsSeen: { checkedAt: null, loading: false },
    action: part('.tile-action'),
    note: part('.tile-note'),
    run: /** @type {HTMLButtonElement} */ (part('.run')),
    minutes: /** @type {HTMLSelectElement} */ (part('.silence-minutes')),
    silence: /** @type {HTMLButtonElement} */ (part('.silence')),
    unsilence: /** @type {HTMLButtonElement} */ (part('.unsilence')),
    strip: new HistoryStrip(part('.strip'), part('.strip-caption')),
    chart: new ValueChart(part('.chart')),
    history: { hours: 0, at: 0, loading: false },
    view: pipeline,
  };
  tile.run.addEventListener('click', () => actions.runPipeline(tile));
  tile.silence.addEventListener('click', () => actions.silence(tile));
  tile.unsilence.addEventListener('click', () => actions.unsilence(tile));
  return tile;
}

/**
 * @param {Tile} tile
 * @param {PipelineView} pipeline
 * @param {Date} now
 * @param {string[]} feeds names of the pipelines that depend on it
 */
function updateTile(tile, pipeline, now, feeds) {
  tile.view = pipeline;
  tile.root.dataset.status = pipeline.status ?? 'UNCHECKED';
  setText(tile.icon, iconOf(pipeline.status));
  setText(tile.name, pipeline.name);
  setText(tile.pill, pipeline.status ?? 'NOT CHECKED');
  setText(tile.message, pipeline.message);
  setText(tile.value, formatValue(pipeline.value));
  setText(tile.since, formatSince(pipeline.since, now));
  tile.since.title = fullDate(pipeline.since);
  setText(tile.checked, pipeline.checkedAt ? formatTime(pipeline.checkedAt, now) : 'not yet');
  tile.checked.title = fullDate(pipeline.checkedAt);
  tile.action.hidden = !pipeline.action;
  setText(tile.action, pipeline.action ? `What to do: ${pipeline.action}` : '');

  const deps = [
    pipeline.dependsOn.length ? `Depends on ${pipeline.dependsOn.map(pipelineName).join(', ')}` : '',
    feeds.length ? `Feeds ${feeds.join(', ')}` : '',
  ].filter(Boolean);
  tile.deps.hidden = deps.length === 0;
  setText(tile.deps, deps.join(' · '));

  const badges = [];
  if (pipeline.blockedBy) {
    badges.push(
      el('span', {
        className: 'badge blocked',
        text: `⛓ blocked by ${pipelineName(pipeline.blockedBy)}`,
        title: `Part of ${pipelineName(pipeline.blockedBy)}'s failure: its alerts list this one, which sends none of its own until that is fixed`,
      }),
    );
  }
  if (pipeline.maintenance) {
    badges.push(
      el('span', {
        className: 'badge maintenance',
        text: `🛠 maintenance until ${formatTime(pipeline.maintenance.until, now)}`,
        title: `${pipeline.maintenance.name}: checked and shown as usual; nothing is sent until it ends, then a problem still there is told once`,
      }),
    );
  }
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

/**
 * @param {StatusSnapshot} snapshot
 * @param {Date} now
 * @param {RowActions} actions
 */
export function renderTiles(snapshot, now, actions) {
  const container = byId('tiles');
  const seen = new Set();
  snapshot.pipelines.forEach((pipeline, index) => {
    seen.add(pipeline.id);
    let tile = state.tiles.get(pipeline.id);
    if (!tile) {
      tile = createTile(pipeline, actions);
      state.tiles.set(pipeline.id, tile);
    }
    if (container.children[index] !== tile.root) container.insertBefore(tile.root, container.children[index] ?? null);
    updateTile(tile, pipeline, now, feedsOf(snapshot, pipeline.id));
    // Created before the history is read: the strip needs its place in the layout to size itself.
    refreshHistory(tile, now);
    if (pipeline.kind === 'heartbeat') refreshRuns(tile, now);
  });
  for (const [id, tile] of state.tiles) {
    if (seen.has(id)) continue;
    tile.strip.destroy();
    tile.chart.destroy();
    tile.root.remove();
    state.tiles.delete(id);
  }
}

/**
 * @param {StatusSnapshot} snapshot
 * @param {string} id
 * @returns {string[]} names of the pipelines that depend on `id`
 */
function feedsOf(snapshot, id) {
  return snapshot.pipelines.filter((pipeline) => pipeline.dependsOn.includes(id)).map((pipeline) => pipeline.name);
}

/**
 * The dependencies as an indented list: each root (a pipeline others depend on, depending on
 * none) with what depends on it below, status icons and "blocked" marks included. Hidden when no
 * pipeline depends on another.
 * @param {StatusSnapshot} snapshot
 */
export function renderDependencies(snapshot) {
  const panel = byId('dependencies-panel');
  const byId_ = new Map(snapshot.pipelines.map((pipeline) => [pipeline.id, pipeline]));
  const below = (/** @type {string} */ id) => snapshot.pipelines.filter((pipeline) => pipeline.dependsOn.includes(id));
  const roots = snapshot.pipelines.filter((pipeline) => pipeline.dependsOn.length === 0 && below(pipeline.id).length > 0);
  panel.hidden = roots.length === 0;
  /**
   * @param {PipelineView} pipeline
   * @param {Set<string>} path ids above it (a cycle is refused by the config, but never loop here)
   * @returns {HTMLElement}
   */
  const item = (pipeline, path) => {
    const children = below(pipeline.id).filter((child) => !path.has(child.id));
    const note = pipeline.blockedBy ? `blocked by ${byId_.get(pipeline.blockedBy)?.name ?? pipeline.blockedBy}` : (pipeline.status ?? 'not checked yet');
    return el('li', { attrs: { 'data-pipeline': pipeline.id } }, [
      el('span', { text: `${iconOf(pipeline.status)} ${pipeline.name}` }),
      el('span', { className: 'tree-status', text: note }),
      children.length ? el('ul', {}, children.map((child) => item(child, new Set([...path, pipeline.id])))) : null,
    ]);
  };
  byId('dependencies').replaceChildren(...roots.map((root) => item(root, new Set())));
}

/**
 * Keeps a tile's strip current. The full history is read when the tile appears, when the range
 * changes and every few minutes; in between, a new result seen in the snapshot is appended
 * locally, so a wall screen does not re-read days of history on every update.
 * @param {Tile} tile
 * @param {Date} now
 * @param {boolean} [force] read the whole history whether or not it is due
 */
async function refreshHistory(tile, now, force = false) {
  const pipeline = tile.view;
  const history = tile.history;
  if (history.loading) return;
  const due = force || history.hours !== state.hours || Date.now() - history.at >= HISTORY_RESYNC_MS;
  if (!due) {
    const results = tile.strip.results;
    const last = results[results.length - 1];
    if (pipeline.status && pipeline.checkedAt && (!last || Date.parse(pipeline.checkedAt) > Date.parse(last.checkedAt))) {
      results.push({ status: pipeline.status, value: pipeline.value, message: pipeline.message, checkedAt: pipeline.checkedAt, ...(pipeline.expected ? { expected: pipeline.expected } : {}) });
    }
    tile.strip.update(results, history.hours, now);
    tile.chart.update(results, history.hours, now);
    return;
  }
  history.loading = true;
  const hours = state.hours;
  try {
    // A few hours before the window too: the status at its left edge is the one checked before it.
    const data = /** @type {History} */ (await api('GET', `/api/pipelines/${encodeURIComponent(pipeline.id)}/history?hours=${Math.min(hours + 6, 2160)}`));
    history.hours = hours;
    history.at = Date.now();
    tile.strip.update(data.results, hours, new Date());
    tile.chart.update(data.results, hours, new Date());
  } catch {
    // The strip keeps what it had; the banner reports an unreachable API.
  } finally {
    history.loading = false;
  }
}

/** Finishes shown in a heartbeat's tile. */
const RUNS_SHOWN = 5;

/**
 * A heartbeat's last runs (README "Heartbeats"): each finish with its time, outcome, duration and
 * exit code; a failed run's output opens as text. Read again when a new result arrives.
 * @param {Tile} tile
 * @param {Date} now
 */
async function refreshRuns(tile, now) {
  const seen = tile.runsSeen;
  if (seen.loading || seen.checkedAt === tile.view.checkedAt) return;
  seen.loading = true;
  const checkedAt = tile.view.checkedAt;
  try {
    const data = /** @type {{ pings: Ping[] }} */ (await api('GET', `/api/pipelines/${encodeURIComponent(tile.view.id)}/pings?limit=50`));
    seen.checkedAt = checkedAt;
    const runs = data.pings.filter((ping) => ping.type === 'success' || ping.type === 'fail').slice(0, RUNS_SHOWN);
    const running = data.pings.find((ping) => ping.type === 'start' && !data.pings.some((other) => (other.type === 'success' || other.type === 'fail') && Date.parse(other.at) >= Date.parse(ping.at)));
    const items = runs.map((run) => runItem(run, now));
    if (running) items.unshift(el('li', { text: `⏳ running since ${formatTime(running.at, now)}`, title: fullDate(running.at) }));
    tile.runs.hidden = false;
    find(tile.runs, '.runs').replaceChildren(...(items.length ? items : [el('li', { className: 'empty', text: 'no run reported yet' })]));
  } catch {
    // The runs keep what they had; the banner reports an unreachable API.
  } finally {
    seen.loading = false;
  }
}

/**
 * @param {Ping} run a finish
 * @param {Date} now
 */
function runItem(run, now) {
  const failed = run.type === 'fail';
  const took = run.durationMs === null ? '' : `, took ${formatDuration(run.durationMs)}`;
  const outcome = failed ? (run.exitCode === null ? 'failed' : `exit ${run.exitCode}`) : 'succeeded';
  const line = `${failed ? '🔴' : '✅'} ${formatTime(run.at, now)} ${outcome}${took}`;
  if (!failed || !run.body) return el('li', { text: line, title: fullDate(run.at) });
  // The job's own output, shown as text: never parsed as markup.
  return el('li', {}, [el('details', {}, [el('summary', { text: line, title: fullDate(run.at) }), el('pre', { text: run.body })])]);
}

/** @param {number} hours the strips' window */
export function setRange(hours) {
  state.hours = hours;
  for (const button of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.range-button'))) button.setAttribute('aria-pressed', String(Number(button.dataset.hours) === hours));
  const now = new Date();
  for (const tile of state.tiles.values()) refreshHistory(tile, now, true);
}

// ---------------------------------------------------------------- check-ins, incidents, notifications

/**
 * @param {CheckinView[]} checkins
 * @param {Date} now
 * @param {RowActions} actions
 */
export function renderCheckins(checkins, now, actions) {
  const items = checkins.map((checkin) => {
    const ranToday = isToday(checkin.lastRunAt, now);
    const status = ranToday && checkin.status ? checkin.status : 'PENDING';
    const detail = ranToday ? `ran ${formatTime(checkin.lastRunAt, now)}` : checkin.lastRunAt ? `not yet today · last ran ${formatTime(checkin.lastRunAt, now)}` : 'not run yet';
    const word = status === 'PENDING' ? 'WAITING' : status;
    const button = el('button', { className: 'button small ghost writer', text: 'Run now', attrs: { type: 'button' } });
    button.addEventListener('click', () => actions.runCheckin(checkin, button));
    return el('li', { status, attrs: { 'data-checkin': checkin.id } }, [
      el('span', { className: 'row-time', text: checkin.time ?? '' }),
      el('span', { className: 'row-icon', text: STATUS_ICON[status] }),
      el('div', { className: 'row-main' }, [
        el('strong', { text: checkin.label }),
        el('div', { className: 'row-line' }, [
          ranToday ? el('span', { className: 'status-word', text: word }) : null,
          el('span', { text: detail, title: fullDate(checkin.lastRunAt) }),
          ranToday && checkin.late ? el('span', { className: 'badge late', text: 'late', title: 'ran after its time because nothing was running then' }) : null,
          checkin.manual ? el('span', { className: 'badge manual', text: 'run by hand', title: checkin.requestedBy ? `by ${checkin.requestedBy}` : 'started by a person, not the schedule' }) : null,
        ]),
      ]),
      button,
    ]);
  });
  byId('checkins').replaceChildren(...(items.length ? items : [el('li', { className: 'empty', text: 'No check-ins configured.' })]));
}

/** @param {string | null} id */
function pipelineName(id) {
  return state.snapshot?.pipelines.find((pipeline) => pipeline.id === id)?.name ?? id ?? '';
}

/**
 * @param {Incident[]} incidents
 * @param {Date} now
 * @param {RowActions} actions
 */
export function renderIncidents(incidents, now, actions) {
  const items = incidents.map((incident) => {
    const opened = `opened ${formatTime(incident.openedAt, now)} (${formatDuration(now.getTime() - Date.parse(incident.openedAt))} ago)`;
    const ack = incident.acknowledged ? `acknowledged${incident.acknowledgedBy ? ` by ${incident.acknowledgedBy}` : ''} ${formatTime(incident.acknowledgedAt, now)}` : null;
    const button = incident.acknowledged ? null : el('button', { className: 'button small writer', text: 'Acknowledge', attrs: { type: 'button' } });
    button?.addEventListener('click', () => actions.acknowledge(incident, button));
    return el('li', { status: incident.status, attrs: { 'data-incident': incident.id } }, [
      el('span', { className: 'row-icon', text: STATUS_ICON[incident.status] }),
      el('div', { className: 'row-main' }, [
        el('strong', { text: incident.pipelineName || pipelineName(incident.pipeline) }),
        ' ',
        el('span', { className: 'status-word', text: incident.status }),
        ' ',
        el('a', { className: 'timeline-link', text: 'timeline', attrs: { href: incidentHref(incident.id) } }),
        incident.ticket ? ' · ' : null,
        incident.ticket ? el('a', { className: 'ticket-link', text: incident.ticket.key, attrs: { href: incident.ticket.url, target: '_blank', rel: 'noopener noreferrer' } }) : null,
        el('small', { text: incident.message }),
        incident.action ? el('small', { className: 'row-action', text: `What to do: ${incident.action}` }) : null,
        incident.blockedBy ? el('small', { className: 'row-blocked', text: `blocked by ${pipelineName(incident.blockedBy)}: its alerts cover this one` }) : null,
        incident.affects?.length ? el('small', { text: `also affected: ${incident.affects.map(pipelineName).join(', ')}` }) : null,
        el('small', { text: [opened, ack, incident.escalations ? `${plural(incident.escalations, 'escalation')} sent` : null, incident.held && incident.held !== 'blocked' ? `messages held (${incident.held})` : null].filter(Boolean).join(' · ') }),
      ]),
      button,
    ]);
  });
  byId('incidents').replaceChildren(...(items.length ? items : [el('li', { className: 'empty', text: 'No open incidents.' })]));
}

/**
 * The latest resolved incidents, each opening its timeline.
 * @param {Incident[]} incidents newest first, open ones among them
 * @param {Date} now
 */
export function renderRecentIncidents(incidents, now) {
  const items = incidents
    .filter((incident) => incident.closedAt)
    .slice(0, 8)
    .map((incident) =>
      el('li', { attrs: { 'data-incident': incident.id } }, [
        el('span', { className: 'row-time', text: formatTime(incident.closedAt ?? null, now), title: fullDate(incident.closedAt ?? null) }),
        el('span', { className: 'row-icon', text: STATUS_ICON.OK }),
        el('div', { className: 'row-main' }, [
          el('a', { text: incident.pipelineName || pipelineName(incident.pipeline), attrs: { href: incidentHref(incident.id) } }),
          el('small', { text: `was ${incident.worstStatus ?? incident.status} for ${formatDuration(Date.parse(incident.closedAt ?? '') - Date.parse(incident.openedAt))}${incident.resolution ? ` · ${incident.resolution}` : ''}` }),
        ]),
      ]),
    );
  byId('recent-incidents').replaceChildren(...(items.length ? items : [el('li', { className: 'empty', text: 'None in the latest incidents.' })]));
}

/** @type {Readonly<Record<string, string>>} */
const CHANNEL_ICON = { chat: '💬', email: '✉️' };
/** @type {Readonly<Record<string, string>>} */
const KIND_LABEL = {
  checkin: 'check-in',
  critical: 'critical alert',
  warning: 'warning alert',
  escalation: 'escalation',
  resolved: 'resolved',
  daily_summary: 'daily summary',
  test: 'test message',
  monitor: 'monitor itself',
};

/**
 * What a notification was about: its pipeline, or the check-in it reported.
 * @param {NotificationRecord} notification
 */
function subjectOf(notification) {
  if (notification.pipelineId) return ` · ${pipelineName(notification.pipelineId)}`;
  if (notification.checkinId) return ` · ${state.snapshot?.checkins.find((checkin) => checkin.id === notification.checkinId)?.label ?? notification.checkinId}`;
  return '';
}

/**
 * @param {NotificationRecord[]} notifications newest first
 * @param {Date} now
 */
export function renderNotifications(notifications, now) {
  const items = notifications.map((notification) =>
    el('li', {}, [
      el('span', { className: 'row-time', text: formatTime(notification.at, now), title: fullDate(notification.at) }),
      el('span', { className: 'row-icon', text: CHANNEL_ICON[notification.channel] ?? '•', title: notification.channel }),
      el('div', { className: 'row-main' }, [
        el('span', { text: `${KIND_LABEL[notification.kind] ?? notification.kind}${subjectOf(notification)}` }),
        notification.error ? el('small', { text: notification.error }) : null,
      ]),
      el('span', { className: `outcome outcome-${notification.outcome}`, text: notification.outcome }),
    ]),
  );
  byId('notifications').replaceChildren(...(items.length ? items : [el('li', { className: 'empty', text: 'Nothing sent yet.' })]));
}
