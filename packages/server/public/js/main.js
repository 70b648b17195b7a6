// @ts-check
import { closeSignIn, createActions, openSignIn, restoreSession, showSignedIn, signedOut, signOut } from './actions.js';
import { ApiError, api } from './api.js';
import { byId } from './dom.js';
import { formatClock, useTimeZone } from './format.js';
import { connectLive } from './live.js';
import { incidentInAddress, showIncidentFromAddress } from './incident.js';
import {
  renderBanner,
  renderCheckins,
  renderDependencies,
  renderIncidents,
  renderNotifications,
  renderRecentIncidents,
  renderReload,
  renderTiles,
  renderUpdated,
  renderWatch,
  setConnection,
  setRange,
  showProblem,
} from './render.js';
import { coalesce } from './shared.js';
import { state } from './state.js';

/**
 * The datamon dashboard: the banner, a tile per pipeline, today's check-ins, open incidents and
 * the recent notifications. It re-reads /api/status every `refreshSeconds` and whenever the
 * server announces a new snapshot. Every value is written with textContent.
 *
 * @import { Incident, Meta, NotificationRecord, ReloadStatus, StatusSnapshot, WatchReport } from './state.js'
 */

const NOTIFICATIONS_SHOWN = 15;

/** Re-reads everything; calls made while it runs share one more run after it. */
const refresh = coalesce(refreshOnce);
const actions = createActions(refresh);

async function refreshOnce() {
  try {
    const [snapshot, incidents, recent, notifications, watch, reload] = /** @type {[StatusSnapshot, Incident[], Incident[], NotificationRecord[], WatchReport | null, ReloadStatus | null]} */ (
      await Promise.all([
        api('GET', '/api/status'),
        api('GET', '/api/incidents?state=open'),
        api('GET', '/api/incidents?state=all&limit=20'),
        api('GET', `/api/notifications?limit=${NOTIFICATIONS_SHOWN}`),
        // The watchman's verdict is news of its own: without it the page still shows the status.
        api('GET', '/api/monitor').catch(() => null),
        api('GET', '/api/admin/reload').catch(() => null),
      ])
    );
    const now = new Date();
    state.snapshot = snapshot;
    state.lastSuccess = now;
    showProblem(null);
    renderWatch(watch);
    renderReload(reload);
    renderBanner(snapshot);
    renderUpdated();
    renderTiles(snapshot, now, actions);
    renderDependencies(snapshot);
    renderCheckins(snapshot.checkins, now, actions);
    renderIncidents(incidents, now, actions);
    renderRecentIncidents(recent, now);
    // An incident page stays current while it is open.
    if (incidentInAddress()) await showIncidentFromAddress(showProblem, signedOut);
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

async function start() {
  try {
    state.meta = /** @type {Meta} */ (await api('GET', '/api/meta'));
  } catch {
    // Defaults stand in; the first refresh reports the unreachable API.
  }
  useTimeZone(state.meta.timezone);
  showSignedIn(null);
  byId('sign-in').addEventListener('click', openSignIn);
  byId('sign-out').addEventListener('click', signOut);
  byId('sign-in-form').addEventListener('submit', actions.submitSignIn);
  byId('sign-in-cancel').addEventListener('click', closeSignIn);
  for (const button of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.range-button'))) button.addEventListener('click', () => setRange(Number(button.dataset.hours)));

  const incidentDialog = /** @type {HTMLDialogElement} */ (byId('incident-dialog'));
  window.addEventListener('hashchange', () => showIncidentFromAddress(showProblem, signedOut));
  // Closing the page (Escape, the button) takes its address away, so Back does not reopen it.
  incidentDialog.addEventListener('close', () => {
    if (incidentInAddress()) history.replaceState(null, '', location.pathname + location.search);
  });
  byId('incident-close').addEventListener('click', (event) => {
    event.preventDefault();
    incidentDialog.close();
  });

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
  /** @type {ReturnType<typeof setTimeout> | null} */
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
