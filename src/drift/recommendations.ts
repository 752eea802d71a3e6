import { severityRank, type Direction, type DriftKind, type Severity } from '../store/store.js';

export interface RecommendationInput {
  testName: string;
  category: string | null;
  severity: Severity;
  direction: Direction;
  driftPercentage: number;
  kind: DriftKind | null;
  /** Whether the sequential detector confirmed the change. */
  confirmed: boolean;
  /** Set while the detector is still learning the test's baseline. */
  warmingUp: { have: number; need: number } | null;
  pValue: number | null;
  changePointAt: Date | null;
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;

export function insufficientDataRecommendation(testName: string, have: number, need: number): string {
  return `Collect ${need - have} more measurement${need - have === 1 ? '' : 's'} of ${testName} (have ${have}, need ${need}) before its drift can be judged.`;
}

/**
 * What a person should do next, most useful first. Empty for NONE: a line on every healthy test would
 * bury the few that need attention, and the trend already says how a healthy test is doing.
 */
export function recommend(input: RecommendationInput): string[] {
  const { testName, severity, direction, kind } = input;
  if (severity === 'NONE' || (direction === 'STABLE' && (kind === null || kind === 'MEAN_SHIFT'))) return [];
  const category = input.category === null ? 'its category' : `category ${input.category}`;
  const around = input.changePointAt ? ` around ${input.changePointAt.toISOString()}` : '';
  const moved = kind === 'FLAKINESS' ? 'rise in low runs' : kind === 'VARIANCE' ? 'widening' : direction === 'DECREASING' ? 'decrease' : 'increase';

  if (severity === 'LOW') {
    return [
      `Keep watching ${testName}: a ${moved} of ${percent(input.driftPercentage)}${around}.`,
      input.confirmed
        ? `Re-check ${testName} after its next runs; escalate if the ${moved} continues.`
        : input.warmingUp !== null
          ? `The detector is still learning the baseline of ${testName} (${input.warmingUp.have} of ${input.warmingUp.need} runs): no change can be confirmed yet.`
          : `The sequential test has not confirmed the change: it may be noise.`,
    ];
  }

  if (kind === 'FLAKINESS') {
    return [
      `Look for intermittent failures of ${testName}: ${percent(input.driftPercentage)} more of its runs fall low${around}, while the rest hold their level.`,
      `Check for timing, ordering and shared-state dependencies, and for flaky infrastructure under ${category}.`,
      `Quarantine ${testName} from gating decisions until the low runs are explained.`,
    ];
  }

  if (kind === 'VARIANCE') {
    return [
      `Find what made the confidence of ${testName} erratic${around}: ${percent(input.driftPercentage)} more of its runs land outside its normal band.`,
      `Compare the rule-based and signal-based scores of ${testName}: one side may have become unstable.`,
      `Check nondeterministic inputs (data, environment, model versions) for ${category}.`,
    ];
  }

  if (direction === 'DECREASING') {
    const steps = [
      `Review the recent failures of ${testName} for a new failure pattern the analysis does not recognise.`,
      `Retrain the classifier or re-tune the rules for ${category}.`,
      `Check infrastructure, dependency and test-data changes${around || ' in the analysed period'}.`,
    ];
    if (severityRank(severity) >= severityRank('HIGH')) {
      steps.push(`Compare the rule-based and signal-based scores of ${testName} to see which side lost confidence.`);
    }
    if (severity === 'CRITICAL') {
      steps.unshift(`Treat ${testName} as an incident: its automated verdicts cannot be trusted until the cause is found.`);
    }
    return steps;
  }

  const steps = [
    `Confirm the rise of ${testName} is genuine (a fix, retraining or a rule change) and not a change in its inputs.`,
    `If it is, re-baseline ${testName} so future drift is measured from the new level.`,
    `Match the shift${around || ''} against recent deployments of the analysis for ${category}.`,
  ];
  if (severity === 'CRITICAL') {
    steps.push(`Check the scorer is not saturating: confidence near 1 for every result can hide real failures.`);
  }
  return steps;
}
