import type { Severity } from '../store/store.js';

/** drift_percentage fractions at which each severity starts. */
export interface SeverityThresholds {
  low: number;
  medium: number;
  high: number;
  critical: number;
}

export interface DriftSettings {
  /** How many of the earliest measurements in the lookback window make the baseline. */
  baselineWindow: number;
  /** How many of the latest measurements make the current confidence. */
  currentWindow: number;
  /** Below this many measurements a test is not graded. */
  minMeasurements: number;
  /** A relative change smaller than this is STABLE. */
  stableTolerance: number;
  /** The p-value under which a change between the two windows counts as real. */
  significanceLevel: number;
  thresholds: SeverityThresholds;
  categoryThresholds: Record<string, Partial<SeverityThresholds>>;
  alertMinSeverity: Severity;
}

export const defaultDriftSettings: DriftSettings = {
  // Ten points a side keep the Mann-Whitney test meaningful (its normal approximation holds from
  // about eight per group) while following a test that runs a few times a day within a week.
  baselineWindow: 10,
  currentWindow: 10,
  minMeasurements: 6,
  stableTolerance: 0.02,
  significanceLevel: 0.05,
  // 5 % is the seed's Grafana bar for "drifting"; each step doubles-ish so CRITICAL (30 %) means
  // the classifier's confidence lost almost a third of its level.
  thresholds: { low: 0.05, medium: 0.1, high: 0.2, critical: 0.3 },
  categoryThresholds: {},
  alertMinSeverity: 'MEDIUM',
};

/**
 * The thresholds in effect for a category: its override merged over the defaults, then raised where
 * needed so each severity starts no lower than the one below it (an override of `low` alone above
 * the default `critical` must not make every drift CRITICAL).
 */
export function resolveThresholds(settings: DriftSettings, category: string | null): SeverityThresholds {
  const override = category === null ? undefined : settings.categoryThresholds[category];
  const merged = { ...settings.thresholds, ...override };
  const medium = Math.max(merged.medium, merged.low);
  const high = Math.max(merged.high, medium);
  return { low: merged.low, medium, high, critical: Math.max(merged.critical, high) };
}
