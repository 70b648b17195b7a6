/**
 * uPlot comes from a classic script (`/vendor/uplot/uPlot.iife.min.js`, uplot's own dist) that
 * sets a global, not from an import; its types are the package's.
 */

import type UPlot from 'uplot';

declare global {
  /** Undefined when the script failed to load. */
  var uPlot: typeof UPlot | undefined;
}
