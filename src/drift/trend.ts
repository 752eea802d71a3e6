import type { Trend } from '../store/store.js';
import { linearFit } from './statistics.js';

// |t| >= 2 is a slope about 95 % unlikely to come from noise alone.
const significantSlope = 2;
// Residual scatter above 0.08 confidence is 10 % of a typical 0.8 level, the MEDIUM threshold:
// readings that swing that far around their line cannot be called flat.
const volatileDeviation = 0.08;

/**
 * The way the recent series is heading. The slope is fitted per measurement, not per second: every
 * run is one observation, so a burst of reruns minutes apart cannot fake a steep slope. A slope that
 * stands out from the scatter (|t| >= 2) is improving or degrading; otherwise the series is volatile
 * when that scatter is large, stable when it is not.
 */
export function classifyTrend(recent: readonly number[]): Exclude<Trend, 'insufficient_data'> {
  const fit = linearFit(recent);
  if (Math.abs(fit.tStatistic) >= significantSlope) return fit.slope > 0 ? 'improving' : 'degrading';
  return fit.residualDeviation > volatileDeviation ? 'volatile' : 'stable';
}
