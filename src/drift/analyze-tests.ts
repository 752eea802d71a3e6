import type { DetectorStateRow, TestSeriesRead } from '../store/store.js';
import { analyzeOrdered, columnsInTimeOrder, type DriftAnalysisResult } from './analyze.js';
import { firstUnfolded, foldValues, initialDetectorState, parseDetectorState, type DetectorState } from './sequential.js';
import type { DriftSettings } from './settings.js';

/** A batch of tests as analysis reads them: plain values, so it can cross to another thread. */
export interface TestsToAnalyze {
  names: readonly string[];
  series: readonly TestSeriesRead[];
  kept: readonly DetectorStateRow[];
  now: Date;
}

export interface TestsAnalysed {
  results: DriftAnalysisResult[];
  /** The detector states that changed (or are new), to be saved. */
  states: DetectorStateRow[];
}

/**
 * One analysis per named test that has points, in the order of the names. Each test's detector
 * state continues from the kept one with only the points after its last; without a usable kept
 * state (a new test, another engine version or other detection settings) it is rebuilt from the
 * rows. A measurement older than the state's last point (it arrived late) counts in the windows
 * that grade the severity but cannot enter the fold, which only runs forwards: it is left out of
 * the detector until the state is rebuilt.
 */
export function analyzeTests({ names, series, kept, now }: TestsToAnalyze, settings: DriftSettings): TestsAnalysed {
  const byTest = new Map(series.map((read) => [read.testName, read]));
  const keptByTest = new Map(kept.map((row) => [row.testName, row]));
  const results: DriftAnalysisResult[] = [];
  const states: DetectorStateRow[] = [];
  const detection = settings.detection;
  for (const name of names) {
    const read = byTest.get(name);
    if (read === undefined) continue;
    const { values, times } = columnsInTimeOrder(read.confidences, read.timestamps);
    const stored = keptByTest.get(name);
    const from: DetectorState = (stored && parseDetectorState(stored.state, detection)) || initialDetectorState(detection);
    const state = foldValues(from, values, times, firstUnfolded(from, times), detection);
    results.push(analyzeOrdered({ testName: name, category: read.category, values, times }, settings, now, state));
    if (state !== from || stored === undefined) {
      states.push({ testName: name, state, pointsSeen: state.seen, lastTimestamp: state.lastAt === null ? null : new Date(state.lastAt), updatedAt: now });
    }
  }
  return { results, states };
}
