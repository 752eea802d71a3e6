import type { NewDriftAnalysis } from '../store/store.js';
import { cusumChangePoint } from './change-point.js';
import { directionOf } from './direction.js';
import { insufficientDataRecommendation, recommend } from './recommendations.js';
import {
  estimates,
  foldValues,
  initialDetectorState,
  isLow,
  isWild,
  median,
  type BaselineEstimates,
  type DetectionSettings,
  type DetectorState,
  type DriftKind,
} from './sequential.js';
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

/** A series as parallel columns in time order: what a batch analyses, without an object per point. */
export interface OrderedSeries {
  testName: string;
  category: string | null;
  values: readonly number[];
  /** Epoch milliseconds, ascending, each of the value at the same index. */
  times: readonly number[];
}

/**
 * Columns in time order, copied: as given when they are already (as a store mostly reads them), else
 * sorted by time. Array.prototype.sort is stable, so equal times keep the given (id) order.
 */
export function columnsInTimeOrder(values: ArrayLike<number>, times: ArrayLike<number>): { values: number[]; times: number[] } {
  for (let i = 1; i < times.length; i++) {
    if (times[i]! < times[i - 1]!) {
      const order = Array.from(times, (_, index) => index).sort((a, b) => times[a]! - times[b]!);
      return { values: order.map((index) => values[index]!), times: order.map((index) => times[index]!) };
    }
  }
  // A loop, not Array.from: that walks a typed array through its iterator, a call per element.
  const copied = { values: new Array<number>(values.length), times: new Array<number>(times.length) };
  for (let i = 0; i < values.length; i++) {
    copied.values[i] = values[i]!;
    copied.times[i] = times[i]!;
  }
  return copied;
}

/**
 * The size of a confirmed change, by its kind, on the scale the severity thresholds read. A mean
 * shift moves the bulk of the runs, so it is the smaller of the relative change of the mean and of
 * the median: a couple of low runs drag a mean but are flakiness, judged on its own. Flakiness and
 * spread are shares of runs gone wrong, over the latest window: how much the share of low runs, or of
 * runs beyond the baseline's normal band, rose (10 % more runs going wrong is as bad as a 10 % drop).
 */
function changeSize(kind: DriftKind, current: readonly number[], latest: readonly number[], baseline: BaselineEstimates, settings: DetectionSettings, meanDrift: number): number {
  if (kind === 'FLAKINESS') return Math.max(0, latest.filter((v) => isLow(v, baseline.median, settings.lowCut)).length / latest.length - baseline.lowShare);
  if (kind === 'VARIANCE') return Math.max(0, latest.filter((v) => isWild(v, baseline, settings)).length / latest.length - baseline.wildShare);
  return Math.min(meanDrift, relativeDrift(Math.abs(median(current) - baseline.median), baseline.median));
}

/**
 * Grades one test's drift from its measurements. Pure: `now` is only stamped on the result.
 * `detector` is the sequential detector's state with every point of the series folded in (the store
 * keeps it between analyses); without it the series is replayed from its first point.
 */
export function analyzeTest(series: TestSeries, settings: DriftSettings, now: Date, detector?: DetectorState): DriftAnalysisResult {
  const { values, times } = columnsInTimeOrder(
    series.points.map((p) => p.confidence),
    series.points.map((p) => p.timestamp.getTime()),
  );
  const ordered = { testName: series.testName, category: series.category, values, times };
  return analyzeOrdered(ordered, settings, now, detector ?? foldValues(initialDetectorState(settings.detection), values, times, 0, settings.detection));
}

/** What an analysis reports of the series, however it is graded. */
type Figures = Pick<DriftAnalysisResult, 'baselineConfidence' | 'currentConfidence' | 'driftAbsolute' | 'measurementsCount' | 'timeSpanSeconds' | 'thresholds' | 'analyzedAt'>;
/** How it is graded. */
type Grade = Omit<DriftAnalysisResult, 'testName' | 'category' | keyof Figures>;

/**
 * The result, written out field by field. Spread together from shared objects (and the input of
 * recommend likewise), the results cost the engine 40 % of its time in a first full pass.
 */
function analysisOf(series: OrderedSeries, figures: Figures, grade: Grade): DriftAnalysisResult {
  return {
    testName: series.testName,
    category: series.category,
    baselineConfidence: figures.baselineConfidence,
    currentConfidence: figures.currentConfidence,
    driftAbsolute: figures.driftAbsolute,
    measurementsCount: figures.measurementsCount,
    timeSpanSeconds: figures.timeSpanSeconds,
    thresholds: figures.thresholds,
    analyzedAt: figures.analyzedAt,
    driftPercentage: grade.driftPercentage,
    severity: grade.severity,
    direction: grade.direction,
    trend: grade.trend,
    kind: grade.kind,
    recommendations: grade.recommendations,
    pValue: grade.pValue,
    changePointAt: grade.changePointAt,
  };
}

/** analyzeTest over columns already in time order, with the detector's state after all of them. */
export function analyzeOrdered(series: OrderedSeries, settings: DriftSettings, now: Date, state: DetectorState): DriftAnalysisResult {
  const { values, times } = series;
  const n = values.length;
  const thresholds = resolveThresholds(settings, series.category);
  const timeSpanSeconds = n === 0 ? 0 : (times[n - 1]! - times[0]!) / 1000;
  const windows = splitWindows(values, settings);
  const baseline = state.baseline === null ? null : estimates(state.baseline);
  const alarm = state.alarm;
  // After a confirmed change the current level is what the test did since it began (its latest
  // runs at most): older runs would dilute a step the detector has already dated. Never fewer than
  // half a window, so a single run cannot be the whole current level.
  const sinceChange = alarm === null ? n : times.filter((time) => time >= alarm.since).length;
  const currentSize = Math.min(settings.currentWindow, Math.max(sinceChange, Math.ceil(settings.currentWindow / 2)));
  const current = values.slice(-currentSize);
  // Once warmed up the baseline is the detector's: the runs it learnt what normal looks like from.
  // Before that, the earliest window, as a single look would take it.
  const baselineConfidence = baseline !== null ? baseline.level : windows.baseline.length > 0 ? mean(windows.baseline) : mean(values);
  const currentConfidence = baseline !== null ? mean(current) : windows.current.length > 0 ? mean(windows.current) : baselineConfidence;
  const change = currentConfidence - baselineConfidence;
  const driftAbsolute = Math.abs(change);
  const meanDrift = relativeDrift(driftAbsolute, baselineConfidence);
  const figures: Figures = { baselineConfidence, currentConfidence, driftAbsolute, measurementsCount: n, timeSpanSeconds, thresholds, analyzedAt: now };
  if (n < settings.minMeasurements) {
    return analysisOf(series, figures, {
      driftPercentage: meanDrift,
      severity: 'NONE',
      direction: 'STABLE',
      trend: 'insufficient_data',
      kind: null,
      recommendations: [insufficientDataRecommendation(series.testName, n, settings.minMeasurements)],
      pValue: null,
      changePointAt: null,
    });
  }

  const direction = directionOf(change, meanDrift, settings.stableTolerance);
  // Reported for a reader who wants the single-look view; it no longer decides anything.
  const pValue = mannWhitneyTest(windows.baseline, windows.current)?.pValue ?? null;
  const confirmed = alarm !== null && baseline !== null;
  // Flakiness is some runs falling low while the rest hold their level; when the bulk of the latest
  // runs is low, the level itself moved.
  const confirmedKind = !confirmed ? null : alarm.kind === 'FLAKINESS' && isLow(median(current), baseline.median, settings.detection.lowCut) ? 'MEAN_SHIFT' : alarm.kind;
  const latest = values.slice(-settings.currentWindow);
  const driftPercentage = confirmedKind !== null && baseline !== null ? changeSize(confirmedKind, current, latest, baseline, settings.detection, meanDrift) : meanDrift;
  // Flakiness and spread can grow while the mean holds still; a mean that holds still is no change.
  const graded = direction === 'STABLE' && (confirmedKind === null || confirmedKind === 'MEAN_SHIFT') ? 'NONE' : gradeSeverity(driftPercentage, thresholds);
  // A change the sequential test has not confirmed is worth watching, never an alert.
  const severity = confirmed ? graded : capSeverity(graded, 'LOW');
  const kind = severity !== 'NONE' ? confirmedKind : null;
  const changeIndex = severity === 'NONE' || confirmed ? null : cusumChangePoint(values);
  const changePointAt = severity === 'NONE' ? null : confirmed ? new Date(alarm.since) : changeIndex === null ? null : new Date(times[changeIndex]!);
  // The trend looks at the span the two windows cover at most: where the series is heading now,
  // not how it got there.
  const recent = values.slice(-(settings.baselineWindow + settings.currentWindow));
  const warmingUp = baseline === null ? { have: state.seen, need: settings.detection.warmup } : null;
  return analysisOf(series, figures, {
    driftPercentage,
    severity,
    direction,
    trend: classifyTrend(recent),
    kind,
    recommendations: recommend({ testName: series.testName, category: series.category, severity, direction, driftPercentage, kind, confirmed, warmingUp, pValue, changePointAt }),
    pValue,
    changePointAt,
  });
}
