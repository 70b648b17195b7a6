/** Number formatting shared by the rules' messages. Pure. */

const GROUPED = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });

/** A whole number with thousands separators: 1234567 -> "1,234,567". */
export function formatCount(value: number): string {
  return GROUPED.format(value);
}

/**
 * `value` with `decimals` decimals, or more when that would print the bound it is being compared
 * with: an age of 24.02 h shown as "24.0 h" beside "critical over 24 h" reads as a contradiction.
 */
export function formatNearBound(value: number, bound: number, decimals = 1): string {
  let digits = decimals;
  let text = value.toFixed(digits);
  while (value !== bound && Number(text) === bound && digits < 4) {
    digits += 1;
    text = value.toFixed(digits);
  }
  return text;
}

/** A bound as people write it: 24 -> "24", 0.5 -> "0.5". */
export function formatBound(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)));
}

/** Rounds to one decimal for a result's `value` (ages). */
export function roundTenth(value: number): number {
  return Math.round(value * 10) / 10;
}
