/**
 * CUSUM change point: the cumulative sum of deviations from the series mean turns at the point
 * where the level shifted. Returns the index of the first value after the shift, or null for
 * fewer than three values or a flat series.
 */
export function cusumChangePoint(values: readonly number[]): number | null {
  if (values.length < 3) return null;
  const level = values.reduce((sum, v) => sum + v, 0) / values.length;
  let cumulative = 0;
  let extreme = 0;
  let extremeIndex = -1;
  for (let i = 0; i < values.length - 1; i++) {
    cumulative += values[i]! - level;
    if (Math.abs(cumulative) > Math.abs(extreme) + 1e-12) {
      extreme = cumulative;
      extremeIndex = i;
    }
  }
  return extremeIndex < 0 ? null : extremeIndex + 1;
}
