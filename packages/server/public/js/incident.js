// @ts-check
import { ApiError, api } from './api.js';
import { byId, el } from './dom.js';
import { STATUS_ICON, formatDuration, formatTime, fullDate } from './format.js';

/**
 * The incident page (README "Incident timeline"): opened from the open and recent incidents by
 * its address, `#incident/<id>`, so a link to it can be shared. It reads
 * `GET /api/incidents/:id` and shows what the incident is, its ticket, its recovery runs (with a
 * button that runs the configured action again, for writers) and every event in order.
 *
 * @import { IncidentDetail } from './state.js'
 */

const PREFIX = '#incident/';

/** @type {Readonly<Record<string, string>>} */
const EVENT_ICON = {
  opened: '●',
  worsened: '▲',
  improved: '▼',
  notified: '✉',
  escalated: '⏫',
  acknowledged: '✔',
  silenced: '🔕',
  maintenance: '🛠',
  ticket: '🎫',
  recovery: '🔧',
  resolved: '✅',
};

/** The incident id the address names, or null. */
export function incidentInAddress() {
  return location.hash.startsWith(PREFIX) ? decodeURIComponent(location.hash.slice(PREFIX.length)) : null;
}

/** @param {string} id */
export function incidentHref(id) {
  return `${PREFIX}${encodeURIComponent(id)}`;
}

/**
 * Shows the incident the address names (or closes the page when it names none).
 * @param {(message: string | null) => void} showProblem
 * @param {() => void} onSignedOut
 */
export async function showIncidentFromAddress(showProblem, onSignedOut) {
  const dialog = /** @type {HTMLDialogElement} */ (byId('incident-dialog'));
  const id = incidentInAddress();
  if (!id) {
    if (dialog.open) dialog.close();
    return;
  }
  try {
    const detail = /** @type {IncidentDetail} */ (await api('GET', `/api/incidents/${encodeURIComponent(id)}`));
    renderIncidentPage(detail, new Date(), showProblem, onSignedOut);
    if (!dialog.open) dialog.showModal();
  } catch (err) {
    showProblem(`Could not open incident ${id}: ${err instanceof Error ? err.message : String(err)}`);
    if (err instanceof ApiError && err.status === 401) onSignedOut();
  }
}

/**
 * @param {IncidentDetail} incident
 * @param {Date} now
 * @param {(message: string | null) => void} showProblem
 * @param {() => void} onSignedOut
 */
function renderIncidentPage(incident, now, showProblem, onSignedOut) {
  const open = incident.closedAt === null;
  const lasted = formatDuration((incident.closedAt ? Date.parse(incident.closedAt) : now.getTime()) - Date.parse(incident.openedAt));
  const facts = [
    ['Status', open ? `${incident.status} (open for ${lasted})` : `resolved after ${lasted}, worst ${incident.worstStatus}`],
    ['Opened', fullDate(incident.openedAt)],
    ['Closed', incident.closedAt ? fullDate(incident.closedAt) : null],
    ['What failed', incident.message],
    ['Resolution', incident.resolution],
    ['Acknowledged', incident.acknowledged ? `by ${incident.acknowledgedBy ?? 'someone'} at ${formatTime(incident.acknowledgedAt, now)}` : open ? 'not yet' : 'no'],
    ['Blocked by', incident.blockedBy ?? null],
    ['What to do', incident.action],
    ['Incident', incident.id],
  ];
  const ticket = incident.ticket ? el('a', { text: incident.ticket.key, attrs: { href: incident.ticket.url, target: '_blank', rel: 'noopener noreferrer', class: 'ticket-link' } }) : null;
  const recovery = incident.recovery;
  const runButton = recovery.configured && open ? el('button', { className: 'button small writer', text: recovery.running ? 'Recovery running…' : 'Run recovery now', attrs: { type: 'button', id: 'incident-recover' } }) : null;
  if (runButton && recovery.running) runButton.disabled = true;
  runButton?.addEventListener('click', async () => {
    runButton.disabled = true;
    runButton.textContent = 'Queued…';
    try {
      await api('POST', `/api/incidents/${encodeURIComponent(incident.id)}/recover`);
      runButton.textContent = 'Queued: see the timeline';
    } catch (err) {
      runButton.disabled = false;
      runButton.textContent = 'Run recovery now';
      showProblem(`Could not run the recovery action: ${err instanceof Error ? err.message : String(err)}`);
      if (err instanceof ApiError && err.status === 401) onSignedOut();
    }
  });

  byId('incident-title').textContent = `${STATUS_ICON[open ? incident.status : 'OK']} ${incident.pipelineName}`;
  const rows = facts.filter(([, value]) => value).map(([label, value]) => el('div', {}, [el('dt', { text: label }), el('dd', { text: value })]));
  if (ticket) rows.push(el('div', {}, [el('dt', { text: 'Ticket' }), el('dd', {}, [ticket])]));
  if (recovery.configured) {
    const last = recovery.runs.at(-1);
    rows.push(el('div', {}, [el('dt', { text: 'Recovery' }), el('dd', { text: `${recovery.attempts} of ${recovery.maxAttempts ?? '?'} automatic attempts used${last ? ` · last: ${last.outcome}` : ''}` })]));
  }
  byId('incident-facts').replaceChildren(...rows);
  byId('incident-actions').replaceChildren(...(runButton ? [runButton] : []));
  const entries = incident.timeline.map((entry) => {
    const [first, ...rest] = entry.detail.split('\n');
    return el('li', { attrs: { 'data-event': entry.event } }, [
      el('span', { className: 'row-time', text: formatTime(entry.at, now), title: fullDate(entry.at) }),
      el('span', { className: 'row-icon', text: EVENT_ICON[entry.event] ?? '•', title: entry.event }),
      el('div', { className: 'row-main' }, [
        el('strong', { text: entry.event }),
        ' ',
        el('span', { text: first ?? '' }),
        entry.by ? el('small', { text: `by ${entry.by}` }) : null,
        rest.length ? el('pre', { className: 'output', text: rest.join('\n') }) : null,
      ]),
    ]);
  });
  byId('incident-timeline').replaceChildren(...(entries.length ? entries : [el('li', { className: 'empty', text: 'Nothing recorded yet.' })]));
}
