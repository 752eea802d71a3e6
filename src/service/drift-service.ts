import type { SeverityThresholds } from '../drift/severity.js';
import type { DriftAlert, DriftAnalysis, NewDriftAnalysis } from '../store/store.js';

export type { SeverityThresholds };

export interface AnalyzeRequest {
  /** All tests with measurements when both are left out. */
  testNames?: string[] | undefined;
  category?: string | undefined;
  /**
   * Without names, every test rather than only those with measurements stored since their latest
   * analysis (a test whose measurements have not changed would get the same analysis again).
   */
  all?: boolean | undefined;
}

export interface AnalyzeOutcome {
  analyses: DriftAnalysis[];
  alerts: DriftAlert[];
}

export interface DriftService {
  /** Computes one test's drift now and persists nothing; null when the test has no measurements. */
  preview(testName: string): Promise<NewDriftAnalysis | null>;
  /** Analyses the tests, stores each analysis, raises (and publishes) alerts where the policy says so. */
  analyze(request: AnalyzeRequest): Promise<AnalyzeOutcome>;
  /** The severity thresholds in effect for a category (its override merged over the defaults). */
  thresholdsFor(category: string | null): SeverityThresholds;
}
