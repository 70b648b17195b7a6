// @ts-check
import { ApiError, api, basicAuthorization, storeAuthorization, storedAuthorization } from './api.js';
import { byId, setText } from './dom.js';
import { formatTime } from './format.js';
import { showProblem } from './render.js';
import { state } from './state.js';

/**
 * What a signed-in person can do from the page: run a pipeline or a check-in now, silence and
 * unsilence, acknowledge, and sign in or out. Each action that changes something re-reads the
 * page with the refresh it is given (main.js owns it).
 *
 * @import { CheckinView, Incident, Principal, RunAnswer } from './state.js'
 * @import { RowActions, Tile } from './render.js'
 */

/** @param {unknown} err */
function messageOf(err) {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Whether the API refused the request with one of these statuses.
 * @param {unknown} err
 * @param {...number} statuses
 */
function answered(err, ...statuses) {
  return err instanceof ApiError && statuses.includes(err.status);
}

/**
 * @param {Tile} tile
 * @param {string | null} message none hides the note
 */
function note(tile, message, isError = false) {
  tile.note.hidden = !message;
  tile.note.classList.toggle('error', isError);
  setText(tile.note, message ?? '');
}

/**
 * Runs `action` with the button disabled and showing `busyText`.
 * @template T
 * @param {HTMLButtonElement} button
 * @param {string} busyText
 * @param {() => Promise<T>} action
 * @returns {Promise<T>}
 */
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

/**
 * The actions of the tiles' and rows' buttons, and the sign-in form's.
 * @param {() => Promise<void>} refresh re-reads everything shown
 * @returns {RowActions & { submitSignIn: (event: Event) => Promise<void> }}
 */
export function createActions(refresh) {
  /** @param {Tile} tile */
  async function runPipeline(tile) {
    const id = tile.view.id;
    note(tile, null);
    try {
      const answer = /** @type {RunAnswer} */ (await withButton(tile.run, 'Running…', () => api('POST', `/api/pipelines/${encodeURIComponent(id)}/run?wait=1`)));
      note(tile, `Ran at ${formatTime(answer.result.checkedAt)}: ${answer.result.status}, ${answer.result.message}`);
      await refresh();
    } catch (err) {
      note(tile, messageOf(err), true);
      if (answered(err, 401)) signedOut();
    }
  }

  /** @param {Tile} tile */
  async function silence(tile) {
    const minutes = Number(tile.minutes.value);
    try {
      await withButton(tile.silence, 'Silencing…', () => api('POST', `/api/pipelines/${encodeURIComponent(tile.view.id)}/silence`, { body: { minutes } }));
      note(tile, null);
      await refresh();
    } catch (err) {
      note(tile, messageOf(err), true);
      if (answered(err, 401)) signedOut();
    }
  }

  /** @param {Tile} tile */
  async function unsilence(tile) {
    try {
      await withButton(tile.unsilence, 'Ending…', () => api('DELETE', `/api/pipelines/${encodeURIComponent(tile.view.id)}/silence`));
      note(tile, null);
      await refresh();
    } catch (err) {
      note(tile, messageOf(err), true);
      if (answered(err, 401)) signedOut();
    }
  }

  /** @param {Incident} incident @param {HTMLButtonElement} button */
  async function acknowledge(incident, button) {
    try {
      await withButton(button, 'Acknowledging…', () => api('POST', `/api/incidents/${encodeURIComponent(incident.id)}/ack`));
      await refresh();
    } catch (err) {
      showProblem(`Could not acknowledge: ${messageOf(err)}`);
      if (answered(err, 401)) signedOut();
    }
  }

  /** @param {CheckinView} checkin @param {HTMLButtonElement} button */
  async function runCheckin(checkin, button) {
    try {
      await withButton(button, 'Queued…', () => api('POST', `/api/checkins/${encodeURIComponent(checkin.id)}/run`));
      button.textContent = 'Queued';
    } catch (err) {
      showProblem(`Could not run ${checkin.label}: ${messageOf(err)}`);
      if (answered(err, 401)) signedOut();
    }
  }

  /** @param {Event} event the sign-in form's submit */
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
      const principal = /** @type {Principal} */ (await api('GET', '/api/session', { authorization }));
      storeAuthorization(authorization);
      form.reset();
      closeSignIn();
      showSignedIn(principal.name);
      state.live?.restart();
      await refresh();
    } catch (err) {
      error.hidden = false;
      setText(error, answered(err, 401) ? 'Those credentials were not accepted.' : messageOf(err));
    }
  }

  return { runPipeline, silence, unsilence, acknowledge, runCheckin, submitSignIn };
}

// ---------------------------------------------------------------- sign-in

/** @param {string | null} name who is signed in, or none */
export function showSignedIn(name) {
  state.signedInAs = name;
  document.body.classList.toggle('signed-in', Boolean(name));
  const who = byId('who');
  who.hidden = !name;
  setText(who, name ? `signed in as ${name}` : '');
  byId('sign-in').hidden = Boolean(name) || !state.meta.auth.configured;
  byId('sign-out').hidden = !name;
  byId('read-only').hidden = state.meta.auth.configured;
}

export function signedOut() {
  storeAuthorization(null);
  showSignedIn(null);
}

/** Signs out on request; the live stream reconnects without the credentials it was opened with. */
export function signOut() {
  signedOut();
  state.live?.restart();
}

export function openSignIn() {
  const dialog = /** @type {HTMLDialogElement} */ (byId('sign-in-dialog'));
  byId('sign-in-error').hidden = true;
  if (!dialog.open) dialog.showModal();
}

export function closeSignIn() {
  /** @type {HTMLDialogElement} */ (byId('sign-in-dialog')).close();
}

/** Shows who is signed in with the credentials this tab kept, if they still work. */
export async function restoreSession() {
  if (!storedAuthorization()) return;
  try {
    const principal = /** @type {Principal} */ (await api('GET', '/api/session'));
    showSignedIn(principal.name);
  } catch (err) {
    if (answered(err, 401, 403)) signedOut();
  }
}
