export { decideAlert, formatAlertMessage, type AlertDecision, type AlertState } from './alert-policy.js';
export { analyzeTest, type ConfidencePoint, type DriftAnalysisResult, type TestSeries } from './analyze.js';
export { defaultDriftSettings, resolveThresholds, type DriftSettings, type SeverityThresholds } from './settings.js';
export { severityRank } from './severity.js';
export type { DriftTrend } from './trend.js';
