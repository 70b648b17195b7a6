// @ts-check
import { requestHeaders } from './api.js';

/**
 * How the page gets updates: `live` while the stream is open, `polling` while it is not.
 * @typedef {'live' | 'polling'} ConnectionMode
 */

/**
 * What connectLive gives back.
 * @typedef {object} LiveConnection
 * @property {() => void} restart reconnects now, e.g. after signing in (the stream may have been refused before)
 * @property {() => void} stop
 */

/**
 * Live updates from `GET /api/events` (Server-Sent Events), read with fetch() rather than
 * EventSource so the request can carry the Authorization header when reads are protected.
 * Reconnects with a growing pause; the page's interval refresh covers any gap.
 * @param {{ onSnapshot: () => void, onState: (mode: ConnectionMode) => void }} handlers
 * @returns {LiveConnection}
 */
export function connectLive({ onSnapshot, onState }) {
  let stopped = false;
  /** @type {AbortController | null} */
  let controller = null;
  let pause = 1000;
  let connectedBefore = false;

  async function readStream() {
    controller = new AbortController();
    const response = await fetch('/api/events', { headers: { ...requestHeaders(), Accept: 'text/event-stream' }, cache: 'no-store', signal: controller.signal });
    if (!response.ok || !response.body) throw new Error(`live updates answered ${response.status}`);
    onState('live');
    pause = 1000;
    // Whatever was announced while the stream was down is caught up with one refresh.
    if (connectedBefore) onSnapshot();
    connectedBefore = true;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = block.split('\n').find((line) => line.startsWith('event: '));
        const name = event ? event.slice(7) : 'message';
        if (name === 'snapshot' || name === 'reconnected') onSnapshot();
      }
    }
  }

  async function run() {
    while (!stopped) {
      try {
        await readStream();
      } catch {
        // Falls through to the pause: the stream failed or was refused.
      }
      if (stopped) return;
      onState('polling');
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 30_000);
    }
  }

  run();
  return {
    /** Reconnects now, e.g. after signing in (the stream may have been refused before). */
    restart() {
      pause = 1000;
      controller?.abort();
    },
    stop() {
      stopped = true;
      controller?.abort();
    },
  };
}
