import { linearFit } from './statistics.js';

export type DriftTrend = 'improving' | 'degrading' | 'stable' | 'volatile' | 'insufficient_data';

// |t| >= 2 is a slope about 95 % unlikely to come from noise alone.
const significantSlope = 2;
// Residual scatter above 0.08 confidence means readings swing by more than the LOW..MEDIUM band
// of a typical 0.8 level: the series is too noisy to call flat.
const volatileDeviation = 0.08;

/** Direction of the recent series from its slope, or volatile when its spread swamps any slope. */
export function classifyTrend(recent: readonly number[]): Exclude<DriftTrend, 'insufficient_data'> {
  const fit = linearFit(recent);
  if (Math.abs(fit.tStatistic) >= significantSlope) return fit.slope > 0 ? 'improving' : 'degrading';
  return fit.residualDeviation > volatileDeviation ? 'volatile' : 'stable';
}
