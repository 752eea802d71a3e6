import { severityRank, type Severity } from '../store/store.js';
import type { DriftAnalysisResult } from './analyze.js';
import type { DriftSettings } from './settings.js';

/** What the policy needs of a test's alert history, as the store keeps it. */
export interface AlertState {
  lastAlert: { severity: Severity } | null;
  /** Severities of the analyses stored after the last alert. */
  severitiesSinceLastAlert: readonly Severity[];
}

export type AlertDecision =
  | { raise: true; reason: 'new_episode' | 'escalation'; message: string }
  | { raise: false; reason: 'below_threshold' | 'same_episode' };

/**
 * One drift episode, one alert: raise on the first crossing of the threshold, again only when the
 * severity escalates past the last alert's, or after the test recovered and drifted anew.
 * Acknowledgement is deliberately no input: acknowledging an alert does not re-arm it.
 */
export function decideAlert(analysis: DriftAnalysisResult, state: AlertState, settings: DriftSettings): AlertDecision {
  const minimum = severityRank(settings.alertMinSeverity);
  if (severityRank(analysis.severity) < minimum) return { raise: false, reason: 'below_threshold' };
  const message = formatAlertMessage(analysis);
  // An analysis below the bar since the last alert ended that episode.
  const recovered = state.severitiesSinceLastAlert.some((severity) => severityRank(severity) < minimum);
  if (state.lastAlert === null || recovered) return { raise: true, reason: 'new_episode', message };
  if (severityRank(analysis.severity) > severityRank(state.lastAlert.severity)) return { raise: true, reason: 'escalation', message };
  return { raise: false, reason: 'same_episode' };
}

/**
 * e.g. `login: confidence fell from 0.92 to 0.71 (-22.8 %, HIGH) since 2026-11-20T10:00:00.000Z`;
 * flakiness and spread say what rose, since their size is a share of runs, not a change of level.
 */
export function formatAlertMessage(analysis: DriftAnalysisResult): string {
  const since = analysis.changePointAt ? ` since ${analysis.changePointAt.toISOString()}` : '';
  const share = `${(analysis.driftPercentage * 100).toFixed(1)} %`;
  if (analysis.kind === 'FLAKINESS') {
    return `${analysis.testName}: flaky, ${share} more runs fall low (confidence ${analysis.baselineConfidence.toFixed(2)} to ${analysis.currentConfidence.toFixed(2)}, ${analysis.severity})${since}`;
  }
  if (analysis.kind === 'VARIANCE') {
    return `${analysis.testName}: erratic, ${share} more runs land outside the normal band (confidence ${analysis.baselineConfidence.toFixed(2)} to ${analysis.currentConfidence.toFixed(2)}, ${analysis.severity})${since}`;
  }
  const verb = analysis.direction === 'DECREASING' ? 'fell' : analysis.direction === 'INCREASING' ? 'rose' : 'held';
  const signed = (analysis.direction === 'DECREASING' ? -1 : 1) * analysis.driftPercentage * 100;
  return (
    `${analysis.testName}: confidence ${verb} from ${analysis.baselineConfidence.toFixed(2)} to ` +
    `${analysis.currentConfidence.toFixed(2)} (${signed >= 0 ? '+' : ''}${signed.toFixed(1)} %, ${analysis.severity})${since}`
  );
}
