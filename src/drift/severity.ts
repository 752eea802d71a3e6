import { severities, type Severity } from '../store/store.js';

export function severityRank(severity: Severity): number {
  return severities.indexOf(severity);
}

export function lowerSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) <= severityRank(b) ? a : b;
}
