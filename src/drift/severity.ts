import { severities, type Severity } from '../store/store.js';

// The domain's own list, ordered from harmless to worst: a severity's index is its rank.
export const driftSeverities = severities;
export type DriftSeverity = Severity;

/** drift_percentage fractions at which each severity starts. */
export interface SeverityThresholds {
  low: number;
  medium: number;
  high: number;
  critical: number;
}

export function severityRank(severity: DriftSeverity): number {
  return driftSeverities.indexOf(severity);
}

/** The milder of a severity and a cap. */
export function capSeverity(severity: DriftSeverity, cap: DriftSeverity): DriftSeverity {
  return severityRank(severity) <= severityRank(cap) ? severity : cap;
}

/** Each threshold is where its severity starts, so a drift exactly on a threshold takes that severity. */
export function gradeSeverity(driftPercentage: number, thresholds: SeverityThresholds): DriftSeverity {
  if (driftPercentage >= thresholds.critical) return 'CRITICAL';
  if (driftPercentage >= thresholds.high) return 'HIGH';
  if (driftPercentage >= thresholds.medium) return 'MEDIUM';
  if (driftPercentage >= thresholds.low) return 'LOW';
  return 'NONE';
}
