import type { Direction, Severity } from '../store/store.js';
import { cusumChangePoint } from './change-point.js';
import { insufficientDataRecommendation, recommend } from './recommendations.js';
import { resolveThresholds, type DriftSettings, type SeverityThresholds } from './settings.js';
import { lowerSeverity } from './severity.js';
import { mannWhitneyPValue, mean } from './statistics.js';
import { classifyTrend, type DriftTrend } from './trend.js';

export interface ConfidencePoint {
  confidence: number;
  timestamp: Date;
}

export interface DriftAnalysisResult {
  testName: string;
  category: string | null;
  baselineConfidence: number;
  currentConfidence: number;
  /** |current - baseline| relative to the baseline, never negative: the seed's `> 0.05` finds both ways. */
  driftPercentage: number;
  driftAbsolute: number;
  severity: Severity;
  direction: Direction;
  trend: DriftTrend;
  measurementsCount: number;
  timeSpanSeconds: number;
  recommendations: string[];
  pValue: number | null;
  changePointAt: Date | null;
  /** The thresholds the severity was graded against (the category's override applied). */
  thresholds: SeverityThresholds;
  analyzedAt: Date;
}

export interface TestSeries {
  testName: string;
  category: string | null;
  points: readonly ConfidencePoint[];
}

function gradeSeverity(driftPercentage: number, thresholds: SeverityThresholds): Severity {
  if (driftPercentage >= thresholds.critical) return 'CRITICAL';
  if (driftPercentage >= thresholds.high) return 'HIGH';
  if (driftPercentage >= thresholds.medium) return 'MEDIUM';
  if (driftPercentage >= thresholds.low) return 'LOW';
  return 'NONE';
}

/** The earliest and latest windows; with too few points for both, the two halves of the series. */
function windows(values: readonly number[], settings: DriftSettings): [number[], number[]] {
  const n = values.length;
  if (n >= settings.baselineWindow + settings.currentWindow) {
    return [values.slice(0, settings.baselineWindow), values.slice(n - settings.currentWindow)];
  }
  const half = Math.floor(n / 2);
  return [values.slice(0, half), values.slice(half)];
}

/** Grades one test's drift from its measurements. Pure: `now` is only stamped on the result. */
export function analyzeTest(series: TestSeries, settings: DriftSettings, now: Date): DriftAnalysisResult {
  // Stable sort: equal timestamps keep the order the caller gave (the store's id order).
  const points = [...series.points].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  const values = points.map((p) => p.confidence);
  const n = points.length;
  const thresholds = resolveThresholds(settings, series.category);
  const timeSpanSeconds = n === 0 ? 0 : (points[n - 1]!.timestamp.getTime() - points[0]!.timestamp.getTime()) / 1000;
  const [baselineValues, currentValues] = windows(values, settings);
  const baselineConfidence = baselineValues.length > 0 ? mean(baselineValues) : mean(values);
  const currentConfidence = currentValues.length > 0 ? mean(currentValues) : baselineConfidence;
  const change = currentConfidence - baselineConfidence;
  const driftAbsolute = Math.abs(change);
  // Against a zero baseline any relative change is infinite; the absolute change is the honest,
  // finite measure there (confidence lives in [0, 1], so it reads as a fraction too).
  const driftPercentage = baselineConfidence > 0 ? driftAbsolute / baselineConfidence : driftAbsolute;
  const common = {
    testName: series.testName,
    category: series.category,
    baselineConfidence,
    currentConfidence,
    driftPercentage,
    driftAbsolute,
    measurementsCount: n,
    timeSpanSeconds,
    thresholds,
    analyzedAt: now,
  };

  if (n < settings.minMeasurements) {
    return {
      ...common,
      severity: 'NONE',
      direction: 'STABLE',
      trend: 'insufficient_data',
      recommendations: [insufficientDataRecommendation(series.testName, n, settings.minMeasurements)],
      pValue: null,
      changePointAt: null,
    };
  }

  const direction: Direction = driftPercentage < settings.stableTolerance ? 'STABLE' : change > 0 ? 'INCREASING' : 'DECREASING';
  const pValue = mannWhitneyPValue(baselineValues, currentValues);
  const significant = pValue !== null && pValue < settings.significanceLevel;
  const graded = direction === 'STABLE' ? 'NONE' : gradeSeverity(driftPercentage, thresholds);
  // A change the windows cannot tell apart from noise is worth watching, never an alert.
  const severity = significant ? graded : lowerSeverity(graded, 'LOW');
  const changeIndex = severity === 'NONE' ? null : cusumChangePoint(values);
  const changePointAt = changeIndex === null ? null : points[changeIndex]!.timestamp;
  const recent = values.slice(-(settings.baselineWindow + settings.currentWindow));
  return {
    ...common,
    severity,
    direction,
    trend: classifyTrend(recent),
    recommendations: recommend({ ...common, severity, direction, pValue, significant, changePointAt }),
    pValue,
    changePointAt,
  };
}
