import type { Direction } from '../store/store.js';

/**
 * The sign of a change, or STABLE when its relative size is under the tolerance: a couple of percent
 * is what a healthy classifier wobbles by, and calling that a direction would only be noise.
 */
export function directionOf(change: number, relativeChange: number, stableTolerance: number): Direction {
  if (relativeChange < stableTolerance) return 'STABLE';
  return change > 0 ? 'INCREASING' : 'DECREASING';
}
