export { decideAlert, formatAlertMessage, type AlertDecision, type AlertState } from './alert-policy.js';
export { analyzeTest, type ConfidencePoint, type DriftAnalysisResult, type TestSeries } from './analyze.js';
export { driftDirections, type DriftDirection } from './direction.js';
export { defaultDriftSettings, resolveThresholds, type DriftSettings } from './settings.js';
export { capSeverity, driftSeverities, gradeSeverity, severityRank, type DriftSeverity, type SeverityThresholds } from './severity.js';
export { driftTrends, type DriftTrend } from './trend.js';
