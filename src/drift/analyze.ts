import type { NewDriftAnalysis } from '../store/store.js';
import { cusumChangePoint } from './change-point.js';
import { directionOf } from './direction.js';
import { insufficientDataRecommendation, recommend } from './recommendations.js';
import { resolveThresholds, type DriftSettings } from './settings.js';
import { capSeverity, gradeSeverity, type SeverityThresholds } from './severity.js';
import { mannWhitneyTest, mean } from './statistics.js';
import { classifyTrend } from './trend.js';
import { splitWindows } from './windows.js';

export interface ConfidencePoint {
  confidence: number;
  timestamp: Date;
}

export interface TestSeries {
  testName: string;
  category: string | null;
  /** Any order: sorted by timestamp here, equal timestamps keeping the given order. */
  points: readonly ConfidencePoint[];
}

/** An analysis as the domain stores it, with the thresholds it was graded against. */
export interface DriftAnalysisResult extends NewDriftAnalysis {
  /** The thresholds the severity was graded against (the category's override applied). */
  thresholds: SeverityThresholds;
}

/**
 * Relative change. Against a zero baseline every change is infinitely large, so the absolute change
 * stands in: confidence lives in [0, 1], where it reads as a fraction of the whole scale, and going
 * from 0 to 0.5 grades as 50 %. The same holds for a baseline so tiny the ratio overflows.
 */
function relativeDrift(driftAbsolute: number, baseline: number): number {
  const relative = driftAbsolute / baseline;
  return baseline > 0 && Number.isFinite(relative) ? relative : driftAbsolute;
}

/** Grades one test's drift from its measurements. Pure: `now` is only stamped on the result. */
export function analyzeTest(series: TestSeries, settings: DriftSettings, now: Date): DriftAnalysisResult {
  // Array.prototype.sort is stable: equal timestamps keep the order the caller gave (the store's id order).
  const points = [...series.points].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  const values = points.map((p) => p.confidence);
  const n = points.length;
  const thresholds = resolveThresholds(settings, series.category);
  const timeSpanSeconds = n === 0 ? 0 : (points[n - 1]!.timestamp.getTime() - points[0]!.timestamp.getTime()) / 1000;
  const windows = splitWindows(values, settings);
  // A single point is its own baseline and current: no change rather than a change from 0.
  const baselineConfidence = windows.baseline.length > 0 ? mean(windows.baseline) : mean(values);
  const currentConfidence = windows.current.length > 0 ? mean(windows.current) : baselineConfidence;
  const change = currentConfidence - baselineConfidence;
  const driftAbsolute = Math.abs(change);
  const driftPercentage = relativeDrift(driftAbsolute, baselineConfidence);
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

  const direction = directionOf(change, driftPercentage, settings.stableTolerance);
  const pValue = mannWhitneyTest(windows.baseline, windows.current)?.pValue ?? null;
  const significant = pValue !== null && pValue < settings.significanceLevel;
  const graded = direction === 'STABLE' ? 'NONE' : gradeSeverity(driftPercentage, thresholds);
  // A change the windows cannot tell apart from noise is worth watching, never an alert.
  const severity = significant ? graded : capSeverity(graded, 'LOW');
  const changeIndex = severity === 'NONE' ? null : cusumChangePoint(values);
  const changePointAt = changeIndex === null ? null : points[changeIndex]!.timestamp;
  // The trend looks at the span the two windows cover at most: where the series is heading now,
  // not how it got there.
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
