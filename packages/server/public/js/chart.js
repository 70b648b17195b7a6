// @ts-check
import { formatTime } from './format.js';

/**
 * A count's values over time with its usual band (README "Volume anomalies"): the line is the
 * value at each check, the shaded band what a usual same weekday had by then (`expected.low` to
 * `expected.high`), so a day falling out of its band shows before anyone reads a number. Only
 * pipelines whose results carry `expected` get one.
 *
 * @import UPlot from 'uplot'
 * @import { CheckedResult } from './state.js'
 */

const HEIGHT = 70;
const LINE = '#e8eaed';
const BAND = 'rgba(138, 180, 248, 0.25)';

/** @returns {typeof UPlot} */
function uPlotLibrary() {
  const library = globalThis.uPlot;
  if (typeof library !== 'function') throw new Error('uPlot did not load');
  return library;
}

export class ValueChart {
  /**
   * @param {HTMLElement} container where the canvas goes (hidden while there is no band to draw)
   */
  constructor(container) {
    this.container = container;
    /** @type {UPlot | null} */
    this.plot = null;
    this.from = 0;
    this.to = 1;
    this.resizeObserver = new ResizeObserver(() => {
      if (!this.plot) return;
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
    this.to = now.getTime() / 1000;
    this.from = this.to - hours * 3600;
    const shown = results.filter((result) => typeof result.value === 'number' && Date.parse(result.checkedAt) / 1000 >= this.from);
    const withBand = shown.some((result) => result.expected);
    this.container.hidden = !withBand;
    if (!withBand) return;
    // The last value holds until now, as on the strip: a single check still draws its band.
    const last = shown[shown.length - 1];
    if (last) shown.push({ ...last, checkedAt: now.toISOString() });
    /** @type {[number[], (number | null)[], (number | null)[], (number | null)[]]} */
    const data = [
      shown.map((result) => Date.parse(result.checkedAt) / 1000),
      shown.map((result) => /** @type {number} */ (result.value)),
      shown.map((result) => result.expected?.high ?? null),
      shown.map((result) => result.expected?.low ?? null),
    ];
    if (!this.plot) this.plot = this.create();
    this.plot.setData(data);
  }

  /** @returns {UPlot} */
  create() {
    const uPlot = uPlotLibrary();
    return new uPlot(
      {
        width: Math.max(this.container.clientWidth, 50),
        height: HEIGHT,
        padding: [4, 0, 4, 0],
        legend: { show: false },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        cursor: { x: true, y: false, points: { show: false }, drag: { x: false, y: false, setScale: false } },
        scales: { x: { time: true, auto: false, range: () => [this.from, this.to] } },
        axes: [{ show: false }, { show: false }],
        series: [
          { value: (_u, t) => formatTime(new Date(t * 1000).toISOString()) },
          { label: 'value', stroke: LINE, width: 1.5, points: { show: false } },
          { label: 'usual high', stroke: 'transparent', points: { show: false } },
          { label: 'usual low', stroke: 'transparent', points: { show: false } },
        ],
        // The usual band: filled between the high and low series.
        bands: [{ series: [2, 3], fill: BAND }],
      },
      [[], [], [], []],
      this.container,
    );
  }

  destroy() {
    this.resizeObserver.disconnect();
    this.plot?.destroy();
  }
}
