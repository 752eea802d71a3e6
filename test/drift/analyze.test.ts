import { describe, expect, it } from 'vitest';
import { decideAlert } from '../../src/drift/alert-policy.js';
import { analyzeTest, type ConfidencePoint, type DriftAnalysisResult } from '../../src/drift/analyze.js';
import { defaultDriftSettings, type DriftSettings } from '../../src/drift/settings.js';
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

const criticalDrop = [
  'Treat login as an incident: its automated verdicts cannot be trusted until the cause is found.',
  'Review the recent failures of login for a new failure pattern the analysis does not recognise.',
  'Retrain the classifier or re-tune the rules for category ui.',
  'Check infrastructure, dependency and test-data changes around 2026-11-01T10:00:00.000Z.',
  'Compare the rule-based and signal-based scores of login to see which side lost confidence.',
];

describe('analyzeTest: whole results', () => {
  it.each<[string, number[], Partial<DriftAnalysisResult>]>([
    [
      'flat 0.9: no drift, nothing to do',
      repeat(0.9, 20),
      // all forty values tied: U = 50 = its mean, p = 1
      { baselineConfidence: near(0.9), currentConfidence: near(0.9), driftPercentage: 0, driftAbsolute: 0, severity: 'NONE', direction: 'STABLE', trend: 'stable', pValue: 1, changePointAt: null, recommendations: [] },
    ],
    [
      'noisy but stable, 0.7 and 0.9 alternating: no drift, volatile',
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 0.7 : 0.9)),
      // both windows hold five 0.7s and five 0.9s in the same order: identical means, U = 50, p = 1
      // trend: residual s = sqrt((0.2 - 1/665) / 18) = 0.105 > 0.08 with t = 0.37
      { baselineConfidence: near(0.8), currentConfidence: near(0.8), driftPercentage: 0, driftAbsolute: 0, severity: 'NONE', direction: 'STABLE', trend: 'volatile', pValue: 1, changePointAt: null, recommendations: [] },
    ],
    [
      'step drop 0.9 -> 0.6: CRITICAL, dated at the step',
      [...repeat(0.9, 10), ...repeat(0.6, 10)],
      // drift 0.3 / 0.9 = 0.333 >= 0.30; U = 100, z = 49.5 / sqrt(100/12 * (21 - 1980/380)) = 4.3153
      // CUSUM: S climbs by 0.15 per point to 1.5 at index 9, so the shift starts at hour 10
      {
        baselineConfidence: near(0.9), currentConfidence: near(0.6), driftPercentage: near(1 / 3), driftAbsolute: near(0.3),
        severity: 'CRITICAL', direction: 'DECREASING', trend: 'degrading', pValue: expect.closeTo(1.5937912e-5, 10), changePointAt: hour(10),
        recommendations: criticalDrop,
      },
    ],
    [
      'step rise 0.6 -> 0.9: CRITICAL and INCREASING',
      [...repeat(0.6, 10), ...repeat(0.9, 10)],
      // drift 0.3 / 0.6 = 0.5; the same p as the drop (two-sided)
      {
        baselineConfidence: near(0.6), currentConfidence: near(0.9), driftPercentage: near(0.5), driftAbsolute: near(0.3),
        severity: 'CRITICAL', direction: 'INCREASING', trend: 'improving', pValue: expect.closeTo(1.5937912e-5, 10), changePointAt: hour(10),
        recommendations: [
          'Confirm the rise of login is genuine (a fix, retraining or a rule change) and not a change in its inputs.',
          'If it is, re-baseline login so future drift is measured from the new level.',
          'Match the shift around 2026-11-01T10:00:00.000Z against recent deployments of the analysis for category ui.',
          'Check the scorer is not saturating: confidence near 1 for every result can hide real failures.',
        ],
      },
    ],
    [
      'slow slide of 0.01 per run over 30 runs: HIGH, dated mid-series',
      Array.from({ length: 30 }, (_, i) => 0.95 - i * 0.01),
      // baseline = 0.95 - 0.045 = 0.905, current = 0.95 - 0.245 = 0.705, drift 0.2 / 0.905 = 0.22099 (HIGH)
      // no ties: z = 49.5 / sqrt(100/12 * 21) = 3.7418, p = 1.8267e-4; CUSUM: deviations last positive at i = 14
      // trend: the last 20 points are a straight line, t = -Infinity
      {
        baselineConfidence: near(0.905), currentConfidence: near(0.705), driftPercentage: near(0.2 / 0.905), driftAbsolute: near(0.2),
        severity: 'HIGH', direction: 'DECREASING', trend: 'degrading', pValue: expect.closeTo(1.8267179e-4, 10), changePointAt: hour(15),
        recommendations: [
          'Review the recent failures of login for a new failure pattern the analysis does not recognise.',
          'Retrain the classifier or re-tune the rules for category ui.',
          'Check infrastructure, dependency and test-data changes around 2026-11-01T15:00:00.000Z.',
          'Compare the rule-based and signal-based scores of login to see which side lost confidence.',
        ],
      },
    ],
    [
      'zero baseline: the absolute change stands in for the relative one',
      [...repeat(0, 10), ...repeat(0.5, 10)],
      // 0 -> 0.5: driftPercentage = driftAbsolute = 0.5 (CRITICAL), never Infinity
      {
        baselineConfidence: 0, currentConfidence: 0.5, driftPercentage: 0.5, driftAbsolute: 0.5,
        severity: 'CRITICAL', direction: 'INCREASING', trend: 'improving', pValue: expect.closeTo(1.5937912e-5, 10), changePointAt: hour(10),
        recommendations: [
          'Confirm the rise of login is genuine (a fix, retraining or a rule change) and not a change in its inputs.',
          'If it is, re-baseline login so future drift is measured from the new level.',
          'Match the shift around 2026-11-01T10:00:00.000Z against recent deployments of the analysis for category ui.',
          'Check the scorer is not saturating: confidence near 1 for every result can hide real failures.',
        ],
      },
    ],
  ])('%s', (_what, values, expected) => {
    expect(analyze(values)).toStrictEqual({
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
      // uniform ±0.05 around 0.8: the windows' means differ by about 0.01, under LOW
      const result = analyze(Array.from({ length: 40 }, () => 0.8 + (random() - 0.5) * 0.1));
      expect(['NONE', 'LOW']).toContain(result.severity);
      expect(decideAlert(result, neverAlerted, defaultDriftSettings).raise).toBe(false);
    }
  });

  it('wide noise is volatile, and at most LOW', () => {
    const random = seededRandom(42);
    const result = analyze(Array.from({ length: 40 }, () => 0.8 + (random() - 0.5) * 0.4));
    expect(result.trend).toBe('volatile');
    expect(['NONE', 'LOW']).toContain(result.severity);
  });

  it('a single outlier at the end: at most LOW, no alert', () => {
    const result = analyze([...repeat(0.9, 19), 0]);
    // current = 0.9 * 9 / 10 = 0.81, drift 0.09 / 0.9 = 0.1 (on the MEDIUM line)
    // ranks: 0 is rank 1, nineteen 0.9s share rank 11; U = 10 * 11 - 55 = 55, ties 19^3 - 19 = 6840
    // var = 100/12 * (21 - 6840/380) = 25, z = 4.5 / 5 = 0.9, p = 0.368120: not significant, capped at LOW
    expect(result).toStrictEqual({
      testName: 'login',
      category: 'ui',
      baselineConfidence: near(0.9),
      currentConfidence: near(0.81),
      driftPercentage: near(0.1),
      driftAbsolute: near(0.09),
      severity: 'LOW',
      direction: 'DECREASING',
      // the outlier is all the scatter there is: sxy = 0.9 * -9.5, slope = -8.55 / 665, residual SS =
      // 0.7695 - 8.55^2 / 665 = 0.6596, s = sqrt(0.6596 / 18) = 0.191 > 0.08, t = -1.73: volatile, not degrading
      trend: 'volatile',
      measurementsCount: 20,
      timeSpanSeconds: 19 * 3600,
      recommendations: [
        'Keep watching login: a decrease of 10.0 % around 2026-11-01T19:00:00.000Z.',
        'The change is not statistically significant (p = 0.368): it may be noise.',
      ],
      // scipy: 0.3681202507
      pValue: expect.closeTo(0.3681202507, 7),
      // CUSUM: the mean is 0.855, S climbs by 0.045 to index 18; the outlier is the shift
      changePointAt: hour(19),
      thresholds: defaults,
      analyzedAt: now,
    });
    expect(decideAlert(result, neverAlerted, defaultDriftSettings)).toStrictEqual({ raise: false, reason: 'below_threshold' });
  });

  it('a single outlier in a short current window: HIGH by size, capped at LOW by significance', () => {
    const settings = { ...defaultDriftSettings, currentWindow: 5 };
    const result = analyze([...repeat(0.9, 19), 0], settings);
    // current = 3.6 / 5 = 0.72, drift 0.18 / 0.9 = 0.2 (HIGH by size)
    // ranks: 0 is rank 1, fourteen 0.9s share 8.5; U = 85 - 55 = 30 of mean 25, ties 14^3 - 14 = 2730
    // var = 50/12 * (16 - 2730/210) = 12.5, z = 4.5 / 3.5355 = 1.2728, p = 0.203092
    expect(result.driftPercentage).toBeCloseTo(0.2, 12);
    expect(result.pValue).toBeCloseTo(0.2030918, 6);
    expect(result.severity).toBe('LOW');
    expect(decideAlert(result, neverAlerted, settings).raise).toBe(false);
  });
});

describe('analyzeTest: significance', () => {
  // 4 against 4, no ties: U = 16 of 16, var = 16/12 * 9 = 12, z = 7.5 / 3.4641 = 2.1651, p = 0.030383
  // baseline 0.915, current 0.715: drift 0.2 / 0.915 = 0.2186 (HIGH by size)
  const values = [0.9, 0.91, 0.92, 0.93, 0.7, 0.71, 0.72, 0.73];

  it.each([
    ['at alpha 0.05 the drop is significant: HIGH', 0.05, 'HIGH'],
    ['at alpha 0.01 it is not: capped at LOW', 0.01, 'LOW'],
  ] as const)('%s', (_what, significanceLevel, severity) => {
    const result = analyze(values, { ...defaultDriftSettings, significanceLevel });
    expect(result).toMatchObject({
      baselineConfidence: expect.closeTo(0.915, 12),
      currentConfidence: expect.closeTo(0.715, 12),
      driftPercentage: expect.closeTo(0.2 / 0.915, 12),
      pValue: expect.closeTo(0.0303828, 6),
      severity,
      direction: 'DECREASING',
      // CUSUM: mean 0.815, S = 0.085, 0.18, 0.285, 0.4 then falls: the shift starts at index 4
      changePointAt: hour(4),
    });
  });

  it('the cap says why', () => {
    expect(analyze(values, { ...defaultDriftSettings, significanceLevel: 0.01 }).recommendations).toStrictEqual([
      'Keep watching login: a decrease of 21.9 % around 2026-11-01T04:00:00.000Z.',
      'The change is not statistically significant (p = 0.030): it may be noise.',
    ]);
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
    const points = series([...repeat(0.9, 10), ...repeat(0.6, 10)]);
    const inOrder = analyzeTest({ testName: 'login', category: 'ui', points }, defaultDriftSettings, now);
    const shuffled = [...points].reverse();
    expect(analyzeTest({ testName: 'login', category: 'ui', points: shuffled }, defaultDriftSettings, now)).toStrictEqual(inOrder);
    expect(inOrder.severity).toBe('CRITICAL');
  });

  it('equal timestamps keep the given order', () => {
    const points = series([...repeat(0.9, 10), ...repeat(0.6, 10)], () => hour(0));
    const result = analyzeTest({ testName: 'login', category: 'ui', points }, defaultDriftSettings, now);
    expect(result).toMatchObject({ baselineConfidence: expect.closeTo(0.9, 12), currentConfidence: expect.closeTo(0.6, 12), severity: 'CRITICAL', direction: 'DECREASING', timeSpanSeconds: 0, changePointAt: hour(0) });
    // Reversed, the same moment now reads as a rise: the given order is the only order there is.
    expect(analyzeTest({ testName: 'login', category: 'ui', points: [...points].reverse() }, defaultDriftSettings, now).direction).toBe('INCREASING');
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
  // 0.9 -> 0.87: 0.03 / 0.9 = 3.3 %, significant (U = 100, p = 1.6e-5)
  const smallDrop = [...repeat(0.9, 10), ...repeat(0.87, 10)];
  // 0.9 -> 0.6: 33 %
  const bigDrop = [...repeat(0.9, 10), ...repeat(0.6, 10)];

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
    const result = analyze([...repeat(5e-324, 10), ...repeat(0.5, 10)]);
    expect(result).toMatchObject({ driftPercentage: 0.5, driftAbsolute: 0.5, severity: 'CRITICAL', direction: 'INCREASING' });
  });
});
