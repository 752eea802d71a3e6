import type { DriftConfig } from '../config.js';
import { decideAlert } from '../drift/alert-policy.js';
import type { DriftAnalysisResult } from '../drift/analyze.js';
import { analyzeTests, type TestsAnalysed } from '../drift/analyze-tests.js';
import { defaultDriftSettings, resolveThresholds, type DriftSettings } from '../drift/settings.js';
import {
  severityRank,
  type AnalysisMark,
  type DetectorStateRow,
  type DriftAlert,
  type DriftAnalysis,
  type NewDriftAlert,
  type NewDriftAnalysis,
  type TestSeriesRead,
  type Store,
} from '../store/store.js';
import type { AlertBus } from './alert-bus.js';
import type { AnalyzeOutcome, AnalyzeRequest, DriftService, SeverityThresholds } from './drift-service.js';
import { engineWorker } from './engine-worker.js';

interface BatchRead {
  names: string[];
  marks: AnalysisMark[];
  series: TestSeriesRead[];
  kept: DetectorStateRow[];
}

interface AnalysedBatch {
  read: BatchRead;
  analysed: TestsAnalysed;
}

interface SavedBatch {
  marks: AnalysisMark[];
  results: DriftAnalysisResult[];
}

/** Tests read and analysed together: one indexed query and one insert per batch. */
const testsPerBatch = 1000;

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

function* inBatches(names: readonly string[]): Generator<string[]> {
  for (let i = 0; i < names.length; i += testsPerBatch) yield names.slice(i, i + testsPerBatch);
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
    const [series, kept] = await Promise.all([this.store.seriesOfTests([testName], this.since(now)), this.store.detectorStates([testName])]);
    // Continues the kept state without saving it, so a preview answers what the next analysis would.
    const { results } = analyzeTests({ names: [testName], series, kept, now }, this.settings);
    return results[0] ? toNewAnalysis(results[0]) : null;
  }

  private async *testBatches(request: AnalyzeRequest): AsyncGenerator<string[]> {
    if (request.testNames !== undefined) return yield* inBatches([...new Set(request.testNames)].sort());
    // Pending tests all at once: a page of them had to compare every test's summary with its mark
    // to fill up (at 100,000 tests 230-240 ms a page; the whole list, hashed, 130 ms).
    if (request.all !== true) return yield* inBatches(await this.store.listTestNames({ category: request.category, pending: true }));
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
    // Batches in flight at each step: the database reads the next one while the engine thread
    // analyses this one, the main thread saves the analyses of the one before, and the marks and
    // alerts of the one before that go in. Each stage waits for the same stage of the batch before.
    // So when marking a batch fails, the next one's analyses may be saved already: its tests stay
    // pending all the same, and the next pass analyses them again.
    let reading: Promise<BatchRead> | null = null;
    let analysing: Promise<AnalysedBatch> | null = null;
    let settling: Promise<void> | null = null;
    const step = async (next: Promise<BatchRead> | null) => {
      const analysed = reading && this.analyzeBatch(await reading, now, next === null);
      // Awaited in its turn; meanwhile a failure must not count as unhandled.
      analysed?.catch(() => {});
      if (analysing) {
        const saved = await this.saveBatch(await analysing, request, analyses);
        await settling;
        settling = this.settleBatch(saved, now, alerts);
        settling.catch(() => {});
      }
      reading = next;
      analysing = analysed;
    };
    try {
      for await (const names of this.testBatches(request)) {
        const next = this.readBatch(names, now);
        next.catch(() => {});
        await step(next);
      }
      await step(null);
      await step(null);
      await settling;
    } catch (error) {
      // A batch failed: the one settling before it still ends before the pass answers, so the
      // caller finds every test either marked or pending, none about to change.
      await (settling as Promise<void> | null)?.catch(() => {});
      throw error;
    }
    return { analyses, alerts };
  }

  private async analyzeBatch(read: BatchRead, now: Date, last: boolean): Promise<AnalysedBatch> {
    const { names, series, kept } = read;
    const input = { names, series, kept, now };
    // Starting the thread costs more than a batch of analysis (it loads the engine's modules): a
    // pass of one batch, the usual incremental one, is analysed here unless the thread is up already
    // (a server starts it at once: see EngineWorker.prepare).
    if (last && !engineWorker.started) return { read, analysed: analyzeTests(input, this.settings) };
    return { read, analysed: await engineWorker.analyze(input, this.settings) };
  }

  private async readBatch(names: string[], now: Date): Promise<BatchRead> {
    // Marks are read before the measurements: a write landing meanwhile leaves its test pending for the next pass.
    const marks = await this.store.analysisMarks(names);
    const [series, kept] = await Promise.all([this.store.seriesOfTests(names, this.since(now)), this.store.detectorStates(names)]);
    return { names, marks, series, kept };
  }

  /** Saves a batch's detector states and analyses; returns what its settling needs. */
  private async saveBatch({ read: { marks }, analysed: { results: all, states } }: AnalysedBatch, request: AnalyzeRequest, analyses: DriftAnalysis[]): Promise<SavedBatch> {
    const results = all.filter((r) => request.category === undefined || r.category === request.category);
    // States are saved for every test read, in or out of the category: the fold has advanced either
    // way. The two writes are independent and go at once.
    const [savedStates, savedAnalyses] = await Promise.allSettled([this.store.saveDetectorStates(states), this.store.saveAnalyses(results.map(toNewAnalysis))]);
    if (savedStates.status === 'rejected') throw savedStates.reason;
    if (savedAnalyses.status === 'rejected') throw savedAnalyses.reason;
    analyses.push(...savedAnalyses.value);
    return { marks, results };
  }

  /**
   * Once a batch's states and analyses are in: marks its tests analysed, then raises its alerts. A
   * test whose analysis or state was not saved never gets here, so it stays pending; a pass that
   * fails to mark raises no alert of the batch.
   */
  private async settleBatch({ marks, results }: SavedBatch, now: Date, alerts: DriftAlert[]): Promise<void> {
    const analysed = new Set(results.map((r) => r.testName));
    await this.store.markAnalyzed(marks.filter((mark) => analysed.has(mark.testName)));
    alerts.push(...(await this.raiseDue(results, now)));
  }

  /** Raises the alerts the policy calls for among a batch's results, in one transaction. */
  private async raiseDue(results: DriftAnalysisResult[], now: Date): Promise<DriftAlert[]> {
    // Below the bar the history cannot matter: spare the locks.
    const due = results.filter((result) => severityRank(result.severity) >= severityRank(this.settings.alertMinSeverity));
    if (due.length === 0) return [];
    // Read the histories and write the alerts under the tests' locks: two instances analysing the
    // same test at once would otherwise both see "no alert yet" and both raise one.
    const raised = await this.store.withTestLocks(
      due.map((result) => result.testName),
      (locked) => this.decideAndRaise(locked, due, now),
    );
    // Published once committed, so subscribers never hear of an alert that was rolled back.
    for (const alert of raised) this.alerts.publish(alert);
    return raised;
  }

  private async decideAndRaise(store: Store, due: DriftAnalysisResult[], now: Date): Promise<DriftAlert[]> {
    const histories = await store.alertHistories(due.map((result) => result.testName));
    const alerts: NewDriftAlert[] = [];
    for (const result of due) {
      const decision = decideAlert(result, histories.get(result.testName)!, this.settings);
      if (!decision.raise) continue;
      alerts.push({
        testName: result.testName,
        category: result.category,
        severity: result.severity,
        driftPercentage: result.driftPercentage,
        message: decision.message,
        recommendations: result.recommendations,
        createdAt: now,
      });
    }
    return store.createAlerts(alerts);
  }
}
