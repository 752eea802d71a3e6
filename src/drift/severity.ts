import { severityRank, type Severity } from '../store/store.js';

/** drift_percentage fractions at which each severity starts. */
export interface SeverityThresholds {
  low: number;
  medium: number;
  high: number;
  critical: number;
}

/** The milder of a severity and a cap. */
export function capSeverity(severity: Severity, cap: Severity): Severity {
  return severityRank(severity) <= severityRank(cap) ? severity : cap;
}

/** Each threshold is where its severity starts, so a drift exactly on a threshold takes that severity. */
export function gradeSeverity(driftPercentage: number, thresholds: SeverityThresholds): Severity {
  if (driftPercentage >= thresholds.critical) return 'CRITICAL';
  if (driftPercentage >= thresholds.high) return 'HIGH';
  if (driftPercentage >= thresholds.medium) return 'MEDIUM';
  if (driftPercentage >= thresholds.low) return 'LOW';
  return 'NONE';
}
