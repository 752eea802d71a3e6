import type { Severity } from '../store/store.js';
import type { DetectionSettings } from './sequential.js';
import type { SeverityThresholds } from './severity.js';

export interface DriftSettings {
  /** How many of the earliest measurements are averaged into the baseline. */
  baselineWindow: number;
  /** How many of the latest measurements are averaged into the current confidence. */
  currentWindow: number;
  /** Below this many measurements a test is not graded. */
  minMeasurements: number;
  /** A relative change smaller than this is STABLE. */
  stableTolerance: number;
  /** The sequential detector that decides whether a change is real (src/drift/sequential.ts). */
  detection: DetectionSettings;
  thresholds: SeverityThresholds;
  /** Per category, the thresholds it overrides; the rest come from `thresholds`. */
  categoryThresholds: Record<string, Partial<SeverityThresholds>>;
  /** The least severity that raises an alert. */
  alertMinSeverity: Severity;
}

export const defaultDriftSettings: DriftSettings = {
  // Ten points a side keep the Mann-Whitney normal approximation sound (it holds from about eight
  // per group) while still following a test that runs a few times a day within a week.
  baselineWindow: 10,
  currentWindow: 10,
  // Six points split into three against three, the fewest for which the rank test can say anything.
  minMeasurements: 6,
  stableTolerance: 0.02,
  // Set from `npm run bench -- detection` (BENCH_DETECTION_TUNE=1 prints the grid) on its tuning
  // seed: of the settings within half a point of the best detection, the one with the fewest false
  // alarms. A 30-run warm-up learns a flaky test's share of lows and an autocorrelated test's
  // wander far better than 20 runs do, and costs no delay: the fast CUSUM still confirms a large
  // drop within a few runs. The report seed's figures are in the README.
  detection: {
    warmup: 30,
    baselineLimit: 60,
    learnDelay: 10,
    targetRunLength: 2000,
    slowShift: 0.5,
    fastShift: 1.5,
    clip: 3,
    lowCut: 0.3,
    shareRise: 0.15,
    wildBand: 3,
  },
  // 5 % is the Grafana dashboard's bar for "drifting"; each step roughly doubles, so CRITICAL (30 %)
  // means the analysis lost almost a third of its confidence.
  thresholds: { low: 0.05, medium: 0.1, high: 0.2, critical: 0.3 },
  categoryThresholds: {},
  // LOW is worth a line on the dashboard, not a page: alerts start at MEDIUM.
  alertMinSeverity: 'MEDIUM',
};

/**
 * The thresholds in effect for a category: its override merged over the defaults, then raised where
 * needed so each severity starts no lower than the one below it (an override of `low` alone above
 * the default `critical` must not make every drift CRITICAL).
 */
export function resolveThresholds(settings: DriftSettings, category: string | null): SeverityThresholds {
  const override = category === null ? undefined : settings.categoryThresholds[category];
  const merged = { ...settings.thresholds, ...definedOnly(override) };
  const medium = Math.max(merged.medium, merged.low);
  const high = Math.max(merged.high, medium);
  return { low: merged.low, medium, high, critical: Math.max(merged.critical, high) };
}

// `{ low: undefined }` from a hand-built override must not wipe the default out.
function definedOnly(override: Partial<SeverityThresholds> | undefined): Partial<SeverityThresholds> {
  if (override === undefined) return {};
  return Object.fromEntries(Object.entries(override).filter(([, value]) => value !== undefined));
}
