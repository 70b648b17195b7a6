// @ts-check
import { STATUS_COLOUR, formatDuration, formatTime } from './format.js';

/**
 * A pipeline's history as a coloured strip drawn with uPlot: each result's status holds from its
 * check until the next one (or now), which is what "since" means on the tile. uPlot provides the
 * time scale, sizing, high-DPI canvas and cursor; the bands are drawn in its draw hook.
 *
 * @import UPlot from 'uplot'
 * @import { CheckedResult } from './state.js'
 */

const HEIGHT = 26;
const PROBLEM = new Set(['WARNING', 'CRITICAL']);

/**
 * uPlot is loaded by a classic script before the modules run.
 * @returns {typeof UPlot}
 */
function uPlotLibrary() {
  const library = globalThis.uPlot;
  if (typeof library !== 'function') throw new Error('uPlot did not load');
  return library;
}

/**
 * Index of the last point at or before `t` (seconds), or -1.
 * @param {number[]} times ascending
 * @param {number} t
 */
function pointAt(times, t) {
  let low = 0;
  let high = times.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (times[middle] <= t) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

export class HistoryStrip {
  /**
   * @param {HTMLElement} container where the canvas goes
   * @param {HTMLElement} caption where the summary (or the hovered result) is written
   */
  constructor(container, caption) {
    this.container = container;
    this.caption = caption;
    /** @type {CheckedResult[]} */
    this.results = [];
    /** @type {number[]} check times in seconds, as uPlot's x scale has them */
    this.times = [];
    this.from = 0;
    this.to = 1;
    this.hours = 24;
    this.summary = '';
    const uPlot = uPlotLibrary();
    this.plot = new uPlot(
      {
        width: Math.max(container.clientWidth, 50),
        height: HEIGHT,
        padding: [0, 0, 0, 0],
        legend: { show: false },
        // The empty rectangle is uPlot's default; its Select type asks for it all the same.
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        cursor: { x: true, y: false, points: { show: false }, drag: { x: false, y: false, setScale: false } },
        scales: {
          x: { time: true, auto: false, range: () => [this.from, this.to] },
          y: { auto: false, range: [0, 1] },
        },
        axes: [{ show: false }, { show: false }],
        // One invisible series: uPlot needs data to lay out the scales; the hook draws the rest.
        series: [{}, { stroke: 'transparent', points: { show: false }, paths: () => null }],
        hooks: {
          draw: [(u) => this.drawBands(u)],
          setCursor: [(u) => this.showHovered(u)],
        },
      },
      [[0, 1], [null, null]],
      container,
    );
    this.resizeObserver = new ResizeObserver(() => {
      const width = Math.max(this.container.clientWidth, 50);
      if (width !== this.plot.width) this.plot.setSize({ width, height: HEIGHT });
    });
    this.resizeObserver.observe(container);
  }

  /**
   * @param {CheckedResult[]} results oldest first
   * @param {number} hours the window shown
   * @param {Date} now
   */
  update(results, hours, now = new Date()) {
    this.results = results;
    this.times = results.map((result) => Date.parse(result.checkedAt) / 1000);
    this.hours = hours;
    this.to = now.getTime() / 1000;
    this.from = this.to - hours * 3600;
    this.summary = this.describe();
    this.caption.textContent = this.summary;
    this.plot.setData([[this.from, this.to], [null, null]]);
  }

  /** "24 h: OK 97.9% of the time · 2 problems" from the time each status held. */
  describe() {
    const range = this.hours >= 48 ? `${Math.round(this.hours / 24)} d` : `${this.hours} h`;
    if (this.results.length === 0) return `${range}: no results yet`;
    let covered = 0;
    let problem = 0;
    let flips = 0;
    let previousWasProblem = false;
    let first = true;
    for (let index = 0; index < this.results.length; index += 1) {
      const end = index + 1 < this.times.length ? this.times[index + 1] : this.to;
      // Results from before the window only say what held at its left edge.
      if (end <= this.from) continue;
      const span = Math.max(0, end - Math.max(this.times[index], this.from));
      covered += span;
      const isProblem = PROBLEM.has(this.results[index].status);
      if (isProblem) problem += span;
      if (isProblem && (first || !previousWasProblem)) flips += 1;
      previousWasProblem = isProblem;
      first = false;
    }
    const healthy = covered > 0 ? ((covered - problem) / covered) * 100 : 100;
    const share = healthy >= 99.95 ? '100' : healthy.toFixed(1);
    return `${range}: healthy ${share}% of the time · ${flips} problem${flips === 1 ? '' : 's'}`;
  }

  /** @param {UPlot} u */
  drawBands(u) {
    const { ctx } = u;
    const { left, top, width, height } = u.bbox;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    for (let index = 0; index < this.results.length; index += 1) {
      const start = Math.max(this.times[index], this.from);
      const end = Math.min(index + 1 < this.times.length ? this.times[index + 1] : this.to, this.to);
      if (end <= this.from || end <= start) continue;
      const x0 = Math.floor(u.valToPos(start, 'x', true));
      const x1 = Math.ceil(u.valToPos(end, 'x', true));
      ctx.fillStyle = STATUS_COLOUR[this.results[index].status] ?? STATUS_COLOUR.PENDING;
      ctx.fillRect(x0, top, Math.max(1, x1 - x0), height);
    }
    ctx.restore();
  }

  /** @param {UPlot} u */
  showHovered(u) {
    const left = u.cursor.left;
    if (left === undefined || left < 0 || this.results.length === 0) {
      this.caption.textContent = this.summary;
      return;
    }
    const t = u.posToVal(left, 'x');
    const index = pointAt(this.times, t);
    if (index < 0) {
      this.caption.textContent = `${formatTime(new Date(t * 1000).toISOString())}: no result yet`;
      return;
    }
    const result = this.results[index];
    const until = index + 1 < this.times.length ? this.times[index + 1] : this.to;
    this.caption.textContent = `${formatTime(result.checkedAt)} ${result.status} for ${formatDuration((until - this.times[index]) * 1000)}: ${result.message}`;
  }

  destroy() {
    this.resizeObserver.disconnect();
    this.plot.destroy();
  }
}
