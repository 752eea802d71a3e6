import { mean } from './statistics.js';

/**
 * CUSUM change point: the cumulative sum of deviations from the series mean climbs while the series
 * sits on one side of it and turns where the level shifted, so the largest |S| marks the last point
 * before the shift. Returns the index of the first point after it, or null for fewer than three
 * values or a flat series.
 */
export function cusumChangePoint(values: readonly number[]): number | null {
  if (values.length < 3) return null;
  const level = mean(values);
  let cumulative = 0;
  let extreme = 0;
  let extremeIndex = -1;
  // The last sum is always 0 (all deviations cancel), so it can never be the turn.
  for (let i = 0; i < values.length - 1; i++) {
    cumulative += values[i]! - level;
    // The margin keeps rounding noise on a flat series from inventing a change, and makes the first
    // of equal extremes win.
    if (Math.abs(cumulative) > Math.abs(extreme) + 1e-12) {
      extreme = cumulative;
      extremeIndex = i;
    }
  }
  return extremeIndex < 0 ? null : extremeIndex + 1;
}
