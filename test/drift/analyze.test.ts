import { describe, expect, it } from 'vitest';
import { decideAlert } from '../../src/drift/alert-policy.js';
import { analyzeTest, type ConfidencePoint, type DriftAnalysisResult } from '../../src/drift/analyze.js';
import { analyzeTests } from '../../src/drift/analyze-tests.js';
import { defaultDriftSettings, type DriftSettings } from '../../src/drift/settings.js';
import { stepBefore as W } from '../support/falling-series.js';
import { seededRandom } from './seeded-random.js';

const t0 = Date.parse('2026-11-01T00:00:00.000Z');
const hour = (h: number) => new Date(t0 + h * 3_600_000);
const now = new Date('2026-11-24T00:00:00.000Z');
const series = (values: number[], at: (i: number) => Date = hour): ConfidencePoint[] => values.map((confidence, i) => ({ confidence, timestamp: at(i) }));
const repeat = (value: number, times: number) => Array<number>(times).fill(value);
const analyze = (values: number[], settings: DriftSettings = defaultDriftSettings, category: string | null = 'ui') =>
  analyzeTest({ testName: 'login', category, points: series(values) }, settings, now);
const defaults = defaultDriftSettings.thresholds;
const neverAlerted = { lastAlert: null, severitiesSinceLastAlert: [] };
// Float sums of repeated decimals are off in the last bits (twenty 0.9s average 0.9000000000000001).
const near = (value: number) => expect.closeTo(value, 12);

// W runs are the detector's warm-up (30 by default): a change is only confirmed after them.
const at = (i: number) => hour(i).toISOString();

const criticalDrop = [
  'Treat login as an incident: its automated verdicts cannot be trusted until the cause is found.',
  'Review the recent failures of login for a new failure pattern the analysis does not recognise.',
  'Retrain the classifier or re-tune the rules for category ui.',
  `Check infrastructure, dependency and test-data changes around ${at(W)}.`,
  'Compare the rule-based and signal-based scores of login to see which side lost confidence.',
];
const criticalRise = [
  'Confirm the rise of login is genuine (a fix, retraining or a rule change) and not a change in its inputs.',
  'If it is, re-baseline login so future drift is measured from the new level.',
  `Match the shift around ${at(W)} against recent deployments of the analysis for category ui.`,
  'Check the scorer is not saturating: confidence near 1 for every result can hide real failures.',
];

describe('analyzeTest: whole results', () => {
  it.each<[string, number[], Partial<DriftAnalysisResult>]>([
    [
      'flat 0.9: no drift, nothing to do',
      repeat(0.9, W + 10),
      // both windows all 0.9: U = 50 = its mean, p = 1
      { baselineConfidence: near(0.9), currentConfidence: near(0.9), driftPercentage: near(0), driftAbsolute: near(0), severity: 'NONE', direction: 'STABLE', trend: 'stable', kind: null, pValue: 1, changePointAt: null, recommendations: [] },
    ],
    [
      'noisy but stable, 0.7 and 0.9 alternating: no drift, volatile',
      Array.from({ length: W + 10 }, (_, i) => (i % 2 === 0 ? 0.7 : 0.9)),
      // warm-up: median 0.8, every |deviation| 0.1 so the robust scale is 0.148 and each residual
      // +-0.674, standardised to +-1: the slow CUSUM climbs 0.5 and falls back, never near its 6.44
      // both windows hold five 0.7s and five 0.9s: identical means, U = 50, p = 1
      // trend: residual s = sqrt((0.2 - 1/665) / 18) = 0.105 > 0.08 with t = 0.37
      { baselineConfidence: near(0.8), currentConfidence: near(0.8), driftPercentage: near(0), driftAbsolute: near(0), severity: 'NONE', direction: 'STABLE', trend: 'volatile', kind: null, pValue: 1, changePointAt: null, recommendations: [] },
    ],
    [
      'step drop 0.9 -> 0.6: CRITICAL, dated at the step',
      [...repeat(0.9, W), ...repeat(0.6, 10)],
      // 0.6 is under the low cut 0.9 x 0.7 = 0.63: each run after the step adds ln(0.17 / 0.02) = 2.14
      // to the flakiness CUSUM, past ln(2000) = 7.60 at the fourth; the whole latest window is low,
      // so the level moved: a mean shift of 0.3 / 0.9 = 0.333 >= 0.30, dated at the step's first run
      // windows: U = 100, z = 49.5 / sqrt(100/12 * (21 - 1980/380)) = 4.3153
      {
        baselineConfidence: near(0.9), currentConfidence: near(0.6), driftPercentage: near(1 / 3), driftAbsolute: near(0.3),
        severity: 'CRITICAL', direction: 'DECREASING', trend: 'degrading', kind: 'MEAN_SHIFT', pValue: expect.closeTo(1.5937912e-5, 10), changePointAt: hour(W),
        recommendations: criticalDrop,
      },
    ],
    [
      'step rise 0.6 -> 0.9: CRITICAL and INCREASING',
      [...repeat(0.6, W), ...repeat(0.9, 10)],
      // flat warm-up: the yardstick is 2 % of 0.6 = 0.012, so 0.9 is clipped at 3 (and at 3 again
      // once divided by the floor spread 0.5): the fast CUSUM adds 3 - 1.5 a run, past 2.10 at the second
      // drift 0.3 / 0.6 = 0.5; the same p as the drop (two-sided)
      {
        baselineConfidence: near(0.6), currentConfidence: near(0.9), driftPercentage: near(0.5), driftAbsolute: near(0.3),
        severity: 'CRITICAL', direction: 'INCREASING', trend: 'improving', kind: 'MEAN_SHIFT', pValue: expect.closeTo(1.5937912e-5, 10), changePointAt: hour(W),
        recommendations: criticalRise,
      },
    ],
    [
      'zero baseline: the absolute change stands in for the relative one',
      [...repeat(0, W), ...repeat(0.5, 10)],
      // yardstick 0.01 (the floor); 0 -> 0.5: driftPercentage = driftAbsolute = 0.5 (CRITICAL), never Infinity
      {
        baselineConfidence: 0, currentConfidence: 0.5, driftPercentage: 0.5, driftAbsolute: 0.5,
        severity: 'CRITICAL', direction: 'INCREASING', trend: 'improving', kind: 'MEAN_SHIFT', pValue: expect.closeTo(1.5937912e-5, 10), changePointAt: hour(W),
        recommendations: criticalRise,
      },
    ],
    [
      'flakiness: four runs in ten fall low while the rest hold 0.9',
      [...repeat(0.9, W + 10), 0.3, 0.9, 0.9, 0.3, 0.9, 0.3, 0.9, 0.9, 0.3, 0.9],
      // no lows learnt, so the baseline share is the 2 % floor and the raised one 17 %: a low adds
      // ln(0.17/0.02) = 2.1401, another run ln(0.83/0.98) = -0.1661. Sum: 2.140, 1.974, 1.808, 3.948,
      // 3.782, 5.922, 5.756, 5.590, 7.730 >= ln(2000) = 7.601 at the ninth, dated at the first low.
      // The median of the latest ten is 0.9: the level held, so flakiness, sized 4/10 - 0.02 = 0.38
      // current (4 x 0.3 + 6 x 0.9) / 10 = 0.66; windows U = 10 x 6 + 4 x 0 + ties: 6 tied 0.9s each half
      {
        baselineConfidence: near(0.9), currentConfidence: near(0.66), driftPercentage: near(0.38), driftAbsolute: near(0.24),
        severity: 'CRITICAL', direction: 'DECREASING', kind: 'FLAKINESS', changePointAt: hour(W + 10),
        recommendations: [
          `Look for intermittent failures of login: 38.0 % more of its runs fall low around ${at(W + 10)}, while the rest hold their level.`,
          'Check for timing, ordering and shared-state dependencies, and for flaky infrastructure under category ui.',
          'Quarantine login from gating decisions until the low runs are explained.',
        ],
      },
    ],
    [
      'a change of spread: the level holds, every run lands outside the normal band',
      [...repeat(0.9, W), ...Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 0.96 : 0.84))],
      // the band is 3 x 0.018 = 0.054 (the floor spread 0.5 does not narrow it): +-0.06 is wild and
      // 0.84 is not low. The spread CUSUM adds ln(0.17/0.02) = 2.14 a run, past 7.60 at the fourth;
      // sized 10/10 - 0.02 = 0.98. The mean CUSUMs see +-3 alternate: never past their thresholds.
      {
        baselineConfidence: near(0.9), currentConfidence: near(0.9), driftPercentage: near(0.98), driftAbsolute: near(0),
        // the trend's own rule reads residuals of 0.06 as flat (its volatility bar is 0.08)
        severity: 'CRITICAL', direction: 'STABLE', trend: 'stable', kind: 'VARIANCE', changePointAt: hour(W),
        recommendations: [
          `Find what made the confidence of login erratic around ${at(W)}: 98.0 % more of its runs land outside its normal band.`,
          'Compare the rule-based and signal-based scores of login: one side may have become unstable.',
          'Check nondeterministic inputs (data, environment, model versions) for category ui.',
        ],
      },
    ],
  ])('%s', (_what, values, expected) => {
    expect(analyze(values)).toMatchObject({
      testName: 'login',
      category: 'ui',
      measurementsCount: values.length,
      timeSpanSeconds: (values.length - 1) * 3600,
      thresholds: defaults,
      analyzedAt: now,
      ...expected,
    });
  });
});

describe('analyzeTest: what must not alert', () => {
  it('random noise around 0.8 is at most LOW and raises no alert', () => {
    const random = seededRandom(42);
    for (let run = 0; run < 50; run++) {
      // uniform +-0.05 around 0.8, 120 runs, every one of them a look
      const values = Array.from({ length: 120 }, () => 0.8 + (random() - 0.5) * 0.1);
      for (let n = 6; n <= values.length; n++) {
        const result = analyze(values.slice(0, n));
        expect(['NONE', 'LOW']).toContain(result.severity);
        expect(decideAlert(result, neverAlerted, defaultDriftSettings).raise).toBe(false);
      }
    }
  });

  it('wide noise is volatile, and at most LOW', () => {
    const random = seededRandom(42);
    const result = analyze(Array.from({ length: 60 }, () => 0.8 + (random() - 0.5) * 0.4));
    expect(result.trend).toBe('volatile');
    expect(['NONE', 'LOW']).toContain(result.severity);
  });

  it('a test that stays flaky (one run in ten low) is at most LOW after every run', () => {
    const random = seededRandom(11);
    const values = Array.from({ length: 200 }, () => (random() < 0.1 ? 0.3 : 0.9 + (random() - 0.5) * 0.04));
    for (let n = 6; n <= values.length; n++) expect(['NONE', 'LOW']).toContain(analyze(values.slice(0, n)).severity);
  });

  it('a single outlier at the end: at most LOW, no alert', () => {
    const result = analyze([...repeat(0.9, W + 9), 0]);
    // current = 0.9 * 9 / 10 = 0.81, drift 0.09 / 0.9 = 0.1 (on the MEDIUM line), but one low run adds
    // 2.14 to the flakiness CUSUM (under 7.60) and none to the mean CUSUMs: unconfirmed, capped at LOW
    // ranks: 0 is rank 1, nineteen 0.9s share rank 11; U = 10 * 11 - 55 = 55, ties 19^3 - 19 = 6840
    // var = 100/12 * (21 - 6840/380) = 25, z = 4.5 / 5 = 0.9, p = 0.368120 (scipy: 0.3681202507)
    expect(result).toStrictEqual({
      testName: 'login',
      category: 'ui',
      baselineConfidence: near(0.9),
      currentConfidence: near(0.81),
      driftPercentage: near(0.1),
      driftAbsolute: near(0.09),
      severity: 'LOW',
      direction: 'DECREASING',
      // the last 20 runs as before: s = sqrt(0.6596 / 18) = 0.191 > 0.08, t = -1.73: volatile
      trend: 'volatile',
      kind: null,
      measurementsCount: W + 10,
      timeSpanSeconds: (W + 9) * 3600,
      recommendations: [`Keep watching login: a decrease of 10.0 % around ${at(W + 9)}.`, 'The sequential test has not confirmed the change: it may be noise.'],
      pValue: expect.closeTo(0.3681202507, 7),
      // the whole-series CUSUM turns at the last run: the outlier is the shift
      changePointAt: hour(W + 9),
      thresholds: defaults,
      analyzedAt: now,
    });
    expect(decideAlert(result, neverAlerted, defaultDriftSettings)).toStrictEqual({ raise: false, reason: 'below_threshold' });
  });
});

describe('analyzeTest: the warm-up', () => {
  it('a drop before the baseline is learnt is at most LOW, and says why', () => {
    const result = analyze([...repeat(0.9, 9), ...repeat(0.6, 9)]);
    // halves of 9: drift 0.3 / 0.9 = 33 %, CRITICAL by size; nothing can be confirmed in a warm-up
    expect(result).toMatchObject({ baselineConfidence: near(0.9), currentConfidence: near(0.6), severity: 'LOW', kind: null, changePointAt: hour(9) });
    expect(result.recommendations).toStrictEqual([
      `Keep watching login: a decrease of 33.3 % around ${at(9)}.`,
      `The detector is still learning the baseline of login (18 of ${W} runs): no change can be confirmed yet.`,
    ]);
  });

  it('a change inside the warm-up is learnt as part of the baseline', () => {
    const values = [...repeat(0.9, W / 2), ...repeat(0.6, W / 2 + 10)];
    // the warm-up's median is 0.75 with every deviation 0.15: the later 0.6s are one scale below,
    // the slow CUSUM gains 0.5 a run and after 10 runs (5.0) has not reached 6.44
    expect(analyze(values)).toMatchObject({ baselineConfidence: near(0.75), currentConfidence: near(0.6), severity: 'LOW', kind: null });
  });
});

describe('analyzeTest: too few points', () => {
  it.each([
    // halves: baseline [0.9], current [0.5, 0.4] = 0.45; drift 0.45 / 0.9 = 0.5, still reported
    ['three points', [0.9, 0.5, 0.4], 0.9, 0.45, 0.45, 0.5, 'Collect 3 more measurements of login (have 3, need 6) before its drift can be judged.'],
    // halves: [0.9, 0.8] = 0.85 vs [0.7, 0.6, 0.5] = 0.6; drift 0.25 / 0.85
    ['one short', [0.9, 0.8, 0.7, 0.6, 0.5], 0.85, 0.6, 0.25, 0.25 / 0.85, 'Collect 1 more measurement of login (have 5, need 6) before its drift can be judged.'],
    // a single point is its own baseline and current
    ['one point', [0.7], 0.7, 0.7, 0, 0, 'Collect 5 more measurements of login (have 1, need 6) before its drift can be judged.'],
    ['no points', [], 0, 0, 0, 0, 'Collect 6 more measurements of login (have 0, need 6) before its drift can be judged.'],
  ])('%s', (_what, values, baseline, current, absolute, relative, recommendation) => {
    expect(analyze(values)).toStrictEqual({
      testName: 'login',
      category: 'ui',
      baselineConfidence: near(baseline),
      currentConfidence: near(current),
      driftPercentage: near(relative),
      driftAbsolute: near(absolute),
      severity: 'NONE',
      direction: 'STABLE',
      trend: 'insufficient_data',
      measurementsCount: values.length,
      timeSpanSeconds: Math.max(0, values.length - 1) * 3600,
      kind: null,
      recommendations: [recommendation],
      pValue: null,
      changePointAt: null,
      thresholds: defaults,
      analyzedAt: now,
    });
  });
});

describe('analyzeTest: ordering', () => {
  it('points in any order are sorted by time', () => {
    const points = series([...repeat(0.9, W), ...repeat(0.6, 10)]);
    const inOrder = analyzeTest({ testName: 'login', category: 'ui', points }, defaultDriftSettings, now);
    const shuffled = [...points].reverse();
    expect(analyzeTest({ testName: 'login', category: 'ui', points: shuffled }, defaultDriftSettings, now)).toStrictEqual(inOrder);
    expect(inOrder.severity).toBe('CRITICAL');
  });

  it('equal timestamps keep the given order', () => {
    const points = series([...repeat(0.9, W), ...repeat(0.6, 10)], () => hour(0));
    const result = analyzeTest({ testName: 'login', category: 'ui', points }, defaultDriftSettings, now);
    expect(result).toMatchObject({ baselineConfidence: expect.closeTo(0.9, 12), currentConfidence: expect.closeTo(0.6, 12), severity: 'CRITICAL', direction: 'DECREASING', timeSpanSeconds: 0, changePointAt: hour(0) });
    // Reversed, the same moment now reads as a rise: the given order is the only order there is.
    expect(analyzeTest({ testName: 'login', category: 'ui', points: [...points].reverse() }, defaultDriftSettings, now).direction).toBe('INCREASING');
  });

  it('a batch, which reads columns, analyses each test as analyzeTest does alone', () => {
    const random = seededRandom(7);
    const generated = Array.from({ length: 60 }, (_, t) => {
      const n = 5 + Math.floor(random() * 120);
      const dropAt = Math.floor(random() * n);
      // Whole hours apart, some of them equal, and every third series shuffled as a store may read it.
      const points = Array.from({ length: n }, (_, i) => ({
        confidence: (random() < 0.05 ? 0.3 : i >= dropAt ? 0.7 : 0.9) + (random() - 0.5) * 0.04,
        timestamp: hour(i - (random() < 0.1 ? 1 : 0)),
      }));
      return { testName: `t${t}`, category: t % 2 === 0 ? 'ui' : null, points: t % 3 === 0 ? [...points].sort(() => random() - 0.5) : points };
    });
    const read = generated.map(({ testName, category, points }) => ({
      testName,
      category,
      confidences: Float64Array.from(points, (p) => p.confidence),
      timestamps: Float64Array.from(points, (p) => p.timestamp.getTime()),
    }));
    const names = generated.map((g) => g.testName);
    const { results, states } = analyzeTests({ names, series: read, kept: [], now }, defaultDriftSettings);
    expect(results).toStrictEqual(generated.map((g) => analyzeTest(g, defaultDriftSettings, now)));
    expect(results.filter((r) => r.severity !== 'NONE').length).toBeGreaterThan(10);
    // Continuing the kept states over ten more runs each gives what a replay from the first run gives.
    const more = generated.map((g) => ({ ...g, points: [...g.points, ...series(repeat(0.6, 10), (i) => hour(200 + i))] }));
    const continued = analyzeTests(
      {
        names,
        series: more.map(({ testName, category, points }) => ({
          testName,
          category,
          confidences: Float64Array.from(points, (p) => p.confidence),
          timestamps: Float64Array.from(points, (p) => p.timestamp.getTime()),
        })),
        kept: JSON.parse(JSON.stringify(states)),
        now,
      },
      defaultDriftSettings,
    );
    const inOrder = more.filter((_, t) => t % 3 !== 0);
    expect(continued.results.filter((_, t) => t % 3 !== 0)).toStrictEqual(inOrder.map((g) => analyzeTest(g, defaultDriftSettings, now)));
  });

  it('does not reorder the caller’s array', () => {
    const points = series([0.5, 0.6, 0.7, 0.8, 0.9, 1]).reverse();
    const before = [...points];
    analyzeTest({ testName: 'login', category: null, points }, defaultDriftSettings, now);
    expect(points).toStrictEqual(before);
  });
});

describe('analyzeTest: per-category thresholds', () => {
  const settings: DriftSettings = {
    ...defaultDriftSettings,
    categoryThresholds: { payments: { low: 0.01, medium: 0.02, high: 0.03, critical: 0.05 }, flaky: { low: 0.3, medium: 0.5 } },
  };
  // 0.9 -> 0.87: 0.03 / 0.9 = 3.3 %, confirmed (0.03 is 1.7 yardsticks of 0.018, doubled by the
  // floor spread and clipped at 3: the fast CUSUM passes 2.10 at the second run)
  const smallDrop = [...repeat(0.9, W), ...repeat(0.87, 10)];
  // 0.9 -> 0.6: 33 %
  const bigDrop = [...repeat(0.9, W), ...repeat(0.6, 10)];

  it.each([
    ['payments is strict: 3.3 % is HIGH', smallDrop, 'payments', 'HIGH', { low: 0.01, medium: 0.02, high: 0.03, critical: 0.05 }],
    ['ui keeps the defaults: 3.3 % is under LOW (but past the 2 % stable tolerance)', smallDrop, 'ui', 'NONE', defaults],
    ['no category keeps the defaults', bigDrop, null, 'CRITICAL', defaults],
    ['flaky is lenient: 33 % is only LOW', bigDrop, 'flaky', 'LOW', { low: 0.3, medium: 0.5, high: 0.5, critical: 0.5 }],
  ] as const)('%s', (_what, values, category, severity, thresholds) => {
    const result = analyze([...values], settings, category);
    expect(result).toMatchObject({ category, severity, direction: 'DECREASING', thresholds });
    // no drift worth a severity, no date for it
    expect(result.changePointAt === null).toBe(severity === 'NONE');
  });
});

describe('analyzeTest: never NaN or Infinity', () => {
  it('over generated series, windows and timestamps', () => {
    const random = seededRandom(7);
    const numbers = (result: DriftAnalysisResult) => [
      result.baselineConfidence, result.currentConfidence, result.driftPercentage, result.driftAbsolute,
      result.timeSpanSeconds, result.pValue ?? 0, ...Object.values(result.thresholds),
    ];
    for (let run = 0; run < 500; run++) {
      const length = Math.floor(random() * 60);
      const pick = random();
      // constant 0, constant 1, constant 0.5, a near-zero baseline, or uniform
      const value = (i: number) => (pick < 0.15 ? 0 : pick < 0.25 ? 1 : pick < 0.35 ? 0.5 : pick < 0.45 ? (i < length / 2 ? 5e-324 : random()) : random());
      // a few runs at the same moment, the rest unsorted
      const points = Array.from({ length }, (_, i) => ({ confidence: value(i), timestamp: hour(random() < 0.2 ? 0 : Math.floor(random() * 100)) }));
      const settings = { ...defaultDriftSettings, baselineWindow: 1 + Math.floor(random() * 12), currentWindow: 1 + Math.floor(random() * 12) };
      const result = analyzeTest({ testName: 'generated', category: null, points }, settings, now);
      for (const n of numbers(result)) expect(Number.isFinite(n)).toBe(true);
      expect(result.driftPercentage).toBeGreaterThanOrEqual(0);
      expect(result.pValue === null || (result.pValue >= 0 && result.pValue <= 1)).toBe(true);
      expect(result.changePointAt === null || !Number.isNaN(result.changePointAt.getTime())).toBe(true);
      if (result.severity !== 'NONE') expect(result.recommendations.length).toBeGreaterThan(0);
    }
  });

  it('a baseline too small to divide by falls back to the absolute change', () => {
    // 0.5 / 5e-324 overflows to Infinity
    const result = analyze([...repeat(5e-324, W), ...repeat(0.5, 10)]);
    expect(result).toMatchObject({ driftPercentage: 0.5, driftAbsolute: 0.5, severity: 'CRITICAL', direction: 'INCREASING' });
  });
});
