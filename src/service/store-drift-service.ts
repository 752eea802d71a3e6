import type { DriftConfig } from '../config.js';
import { decideAlert } from '../drift/alert-policy.js';
import { analyzeTest, inTimeOrder, type DriftAnalysisResult } from '../drift/analyze.js';
import { foldPoints, initialDetectorState, parseDetectorState, unfoldedPoints, type DetectorState } from '../drift/sequential.js';
import { defaultDriftSettings, resolveThresholds, type DriftSettings } from '../drift/settings.js';
import {
  severityRank,
  type DetectorStateRow,
  type DriftAlert,
  type DriftAnalysis,
  type Measurement,
  type NewDriftAnalysis,
  type Store,
} from '../store/store.js';
import type { AlertBus } from './alert-bus.js';
import type { AnalyzeOutcome, AnalyzeRequest, DriftService, SeverityThresholds } from './drift-service.js';

/** Tests read and analysed together: one indexed query and one insert per batch. */
const testsPerBatch = 500;

export function driftSettingsFrom(config: DriftConfig): DriftSettings {
  return {
    ...defaultDriftSettings,
    ...(config.baselineWindow !== undefined && { baselineWindow: config.baselineWindow }),
    ...(config.currentWindow !== undefined && { currentWindow: config.currentWindow }),
    ...(config.minMeasurements !== undefined && { minMeasurements: config.minMeasurements }),
    ...(config.alertMinSeverity !== undefined && { alertMinSeverity: config.alertMinSeverity }),
    thresholds: { ...defaultDriftSettings.thresholds, ...config.thresholds },
    categoryThresholds: { ...defaultDriftSettings.categoryThresholds, ...config.categoryThresholds },
  };
}

function toNewAnalysis(result: DriftAnalysisResult): NewDriftAnalysis {
  const { thresholds: _inEffect, ...stored } = result;
  return stored;
}

/** Runs the pure engine over the store: reads measurements, saves analyses, raises and publishes alerts. */
export class StoreDriftService implements DriftService {
  readonly settings: DriftSettings;

  constructor(
    private readonly store: Store,
    private readonly alerts: AlertBus,
    private readonly config: DriftConfig,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.settings = driftSettingsFrom(config);
  }

  thresholdsFor(category: string | null): SeverityThresholds {
    return resolveThresholds(this.settings, category);
  }

  private since(now: Date): Date {
    return new Date(now.getTime() - this.config.lookbackDays * 86_400_000);
  }

  async preview(testName: string): Promise<NewDriftAnalysis | null> {
    const now = this.clock();
    const rows = await this.store.measurementsOfTests([testName], this.since(now));
    // Continues the kept state without saving it, so a preview answers what the next analysis would.
    const { results } = this.analyzeRows(rows, await this.store.detectorStates([testName]), now);
    return results[0] ? toNewAnalysis(results[0]) : null;
  }

  /**
   * Groups rows (ordered by test, then time) into one analysis per test. Each test's detector state
   * continues from the kept one with only the points after its last; without a usable kept state
   * (a new test, another engine version or other detection settings) it is rebuilt from the rows.
   * A measurement older than the state's last point (it arrived late) counts in the windows that
   * grade the severity but cannot enter the fold, which only runs forwards: it is left out of the
   * detector until the state is rebuilt.
   */
  private analyzeRows(rows: Measurement[], kept: DetectorStateRow[], now: Date): { results: DriftAnalysisResult[]; states: DetectorStateRow[] } {
    const keptByTest = new Map(kept.map((row) => [row.testName, row]));
    const results: DriftAnalysisResult[] = [];
    const states: DetectorStateRow[] = [];
    const detection = this.settings.detection;
    let start = 0;
    for (let i = 1; i <= rows.length; i++) {
      if (i < rows.length && rows[i]!.testName === rows[start]!.testName) continue;
      const points = rows.slice(start, i);
      const latest = points[points.length - 1]!;
      const stored = keptByTest.get(latest.testName);
      const from: DetectorState = (stored && parseDetectorState(stored.state, detection)) || initialDetectorState(detection);
      const state = foldPoints(from, unfoldedPoints(from, inTimeOrder(points)), detection);
      results.push(analyzeTest({ testName: latest.testName, category: latest.category, points }, this.settings, now, state));
      if (state !== from || stored === undefined) {
        states.push({
          testName: latest.testName,
          state,
          pointsSeen: state.seen,
          lastTimestamp: state.lastAt === null ? null : new Date(state.lastAt),
          updatedAt: now,
        });
      }
      start = i;
    }
    return { results, states };
  }

  private async *testBatches(request: AnalyzeRequest): AsyncGenerator<string[]> {
    if (request.testNames !== undefined) {
      const names = [...new Set(request.testNames)];
      for (let i = 0; i < names.length; i += testsPerBatch) yield names.slice(i, i + testsPerBatch);
      return;
    }
    let after: string | undefined;
    for (;;) {
      const names = await this.store.listTestNames({ category: request.category, after, limit: testsPerBatch });
      if (names.length === 0) return;
      yield names;
      after = names[names.length - 1];
    }
  }

  async analyze(request: AnalyzeRequest): Promise<AnalyzeOutcome> {
    const now = this.clock();
    const analyses: DriftAnalysis[] = [];
    const alerts: DriftAlert[] = [];
    for await (const names of this.testBatches(request)) {
      const rows = await this.store.measurementsOfTests(names, this.since(now));
      const { results: all, states } = this.analyzeRows(rows, await this.store.detectorStates(names), now);
      const results = all.filter((r) => request.category === undefined || r.category === request.category);
      // States are saved for every test read, in or out of the category: the fold has advanced either way.
      await this.store.saveDetectorStates(states);
      analyses.push(...(await this.store.saveAnalyses(results.map(toNewAnalysis))));
      for (const result of results) {
        const alert = await this.raiseIfDue(result, now);
        if (alert) alerts.push(alert);
      }
    }
    return { analyses, alerts };
  }

  private async raiseIfDue(result: DriftAnalysisResult, now: Date): Promise<DriftAlert | null> {
    // Below the bar the history cannot matter: spare the lock.
    if (severityRank(result.severity) < severityRank(this.settings.alertMinSeverity)) return null;
    // Read the history and write the alert under the test's lock: two instances analysing the same
    // test at once would otherwise both see "no alert yet" and both raise one.
    const alert = await this.store.withTestLock(result.testName, (locked) => this.decideAndRaise(locked, result, now));
    // Published once committed, so subscribers never hear of an alert that was rolled back.
    if (alert) this.alerts.publish(alert);
    return alert;
  }

  private async decideAndRaise(store: Store, result: DriftAnalysisResult, now: Date): Promise<DriftAlert | null> {
    const decision = decideAlert(result, await store.alertHistory(result.testName), this.settings);
    if (!decision.raise) return null;
    return store.createAlert({
      testName: result.testName,
      category: result.category,
      severity: result.severity,
      driftPercentage: result.driftPercentage,
      message: decision.message,
      recommendations: result.recommendations,
      createdAt: now,
    });
  }
}
