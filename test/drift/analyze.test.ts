import { describe, expect, it } from 'vitest';
import { analyzeTest, defaultDriftSettings, type DriftSettings } from '../../src/drift/index.js';
import { seededRandom } from './seeded-random.js';

const t0 = Date.parse('2026-11-01T00:00:00.000Z');
const hour = (h: number) => new Date(t0 + h * 3_600_000);
const now = new Date('2026-11-24T00:00:00.000Z');
const series = (values: number[], at: (i: number) => Date = hour) => values.map((confidence, i) => ({ confidence, timestamp: at(i) }));
const repeat = (value: number, times: number) => Array<number>(times).fill(value);
const analyze = (values: number[], settings: DriftSettings = defaultDriftSettings, category: string | null = 'ui', at?: (i: number) => Date) =>
  analyzeTest({ testName: 'login', category, points: series(values, at) }, settings, now);
const defaults = defaultDriftSettings.thresholds;

describe('analyzeTest', () => {
  it('a flat series has no drift', () => {
    expect(analyze(repeat(0.9, 20))).toStrictEqual({
      testName: 'login',
      category: 'ui',
      // a float sum of twenty 0.9s is 0.9000000000000001
      baselineConfidence: expect.closeTo(0.9, 12),
      currentConfidence: expect.closeTo(0.9, 12),
      driftPercentage: 0,
      driftAbsolute: 0,
      severity: 'NONE',
      direction: 'STABLE',
      trend: 'stable',
      measurementsCount: 20,
      timeSpanSeconds: 19 * 3600,
      recommendations: [],
      // every value tied: no evidence of a difference
      pValue: 1,
      changePointAt: null,
      thresholds: defaults,
      analyzedAt: now,
    });
  });

  it('a step drop from 0.9 to 0.6 is CRITICAL, significant, and dated at the step', () => {
    const result = analyze([...repeat(0.9, 10), ...repeat(0.6, 10)]);
    // drift = 0.3 / 0.9 = 0.333 >= 0.30; U = 100 of 100, z = 49.5 / sqrt(100/12 * (21 - 1980/380)) = 4.315
    expect(result).toMatchObject({
      baselineConfidence: expect.closeTo(0.9, 12),
      currentConfidence: expect.closeTo(0.6, 12),
      severity: 'CRITICAL',
      direction: 'DECREASING',
      trend: 'degrading',
      changePointAt: hour(10),
    });
    expect(result.driftAbsolute).toBeCloseTo(0.3, 12);
    expect(result.driftPercentage).toBeCloseTo(1 / 3, 12);
    expect(result.pValue).toBeCloseTo(1.5938e-5, 7);
    expect(result.recommendations[0]).toBe('Treat login as an incident: its automated verdicts cannot be trusted until the cause is found.');
    expect(result.recommendations).toContain('Retrain the classifier or re-tune the rules for category ui.');
    expect(result.recommendations).toContain('Check infrastructure, dependency and test-data changes around 2026-11-01T10:00:00.000Z.');
  });

  it('a step rise from 0.6 to 0.9 is CRITICAL and INCREASING', () => {
    const result = analyze([...repeat(0.6, 10), ...repeat(0.9, 10)]);
    // drift = 0.3 / 0.6 = 0.5
    expect(result).toMatchObject({ severity: 'CRITICAL', direction: 'INCREASING', trend: 'improving', changePointAt: hour(10) });
    expect(result.driftPercentage).toBeCloseTo(0.5, 12);
    expect(result.recommendations[1]).toBe('If it is, re-baseline login so future drift is measured from the new level.');
  });

  it('a slow slide of 0.01 per run is HIGH and dated mid-series', () => {
    const result = analyze(Array.from({ length: 30 }, (_, i) => 0.95 - i * 0.01));
    // baseline = 0.95 - 0.045 = 0.905, current = 0.95 - 0.245 = 0.705, drift = 0.2 / 0.905 = 0.221
    expect(result.baselineConfidence).toBeCloseTo(0.905, 12);
    expect(result.currentConfidence).toBeCloseTo(0.705, 12);
    expect(result.driftPercentage).toBeCloseTo(0.2 / 0.905, 12);
    expect(result).toMatchObject({ severity: 'HIGH', direction: 'DECREASING', trend: 'degrading', changePointAt: hour(15) });
    // no ties: z = 49.5 / sqrt(175)
    expect(result.pValue).toBeCloseTo(1.8267e-4, 6);
  });

  it('a noisy but stable series is at most LOW and volatile', () => {
    const random = seededRandom(42);
    const result = analyze(Array.from({ length: 40 }, () => 0.8 + (random() - 0.5) * 0.4));
    expect(['NONE', 'LOW']).toContain(result.severity);
    expect(result.trend).toBe('volatile');
  });

  it('a single outlier is not significant, so a MEDIUM-sized drop is capped at LOW', () => {
    const result = analyze([...repeat(0.9, 19), 0]);
    // current = 0.9 * 9 / 10 = 0.81, drift = 0.09 / 0.9 = 0.1 (MEDIUM); ranks: U = 55, z = 4.5 / 5 = 0.9
    expect(result.driftPercentage).toBeCloseTo(0.1, 12);
    expect(result.pValue).toBeCloseTo(0.368120, 5);
    expect(result.severity).toBe('LOW');
    expect(result.recommendations[1]).toBe('The change is not statistically significant (p = 0.368): it may be noise.');
  });

  it('too few points: NONE, insufficient data, and how many more are needed', () => {
    const result = analyze([0.9, 0.5, 0.4]);
    // halves: baseline [0.9], current [0.5, 0.4]
    expect(result).toMatchObject({
      baselineConfidence: 0.9,
      currentConfidence: 0.45,
      severity: 'NONE',
      direction: 'STABLE',
      trend: 'insufficient_data',
      pValue: null,
      changePointAt: null,
      recommendations: ['Collect 3 more measurements of login (have 3, need 6) before its drift can be judged.'],
    });
    expect(analyze([])).toMatchObject({
      baselineConfidence: 0,
      currentConfidence: 0,
      driftPercentage: 0,
      measurementsCount: 0,
      timeSpanSeconds: 0,
      recommendations: ['Collect 6 more measurements of login (have 0, need 6) before its drift can be judged.'],
    });
  });

  it('a zero baseline gives a finite drift: the absolute change', () => {
    const result = analyze([...repeat(0, 10), ...repeat(0.5, 10)]);
    expect(result).toMatchObject({ baselineConfidence: 0, currentConfidence: 0.5, driftPercentage: 0.5, driftAbsolute: 0.5, severity: 'CRITICAL' });
  });

  it('equal timestamps keep the given order', () => {
    const sameMoment = () => hour(0);
    const result = analyze([...repeat(0.9, 10), ...repeat(0.6, 10)], defaultDriftSettings, 'ui', sameMoment);
    expect(result).toMatchObject({ severity: 'CRITICAL', direction: 'DECREASING', timeSpanSeconds: 0, changePointAt: hour(0) });
  });

  it('grades against the category’s own thresholds', () => {
    const settings: DriftSettings = {
      ...defaultDriftSettings,
      categoryThresholds: { payments: { low: 0.01, medium: 0.02, high: 0.03, critical: 0.05 }, flaky: { low: 0.3, medium: 0.5 } },
    };
    const drop = [...repeat(0.9, 10), ...repeat(0.87, 10)]; // 0.03 / 0.9 = 3.3 %
    expect(analyze(drop, settings, 'payments')).toMatchObject({ severity: 'HIGH', thresholds: { low: 0.01, medium: 0.02, high: 0.03, critical: 0.05 } });
    expect(analyze(drop, settings, 'ui').severity).toBe('NONE');
    const bigDrop = [...repeat(0.9, 10), ...repeat(0.6, 10)]; // 33 %
    expect(analyze(bigDrop, settings, 'flaky')).toMatchObject({ severity: 'LOW', thresholds: { low: 0.3, medium: 0.5, high: 0.5, critical: 0.5 } });
  });

  it('never yields NaN or Infinity, whatever the series', () => {
    const random = seededRandom(7);
    for (let run = 0; run < 300; run++) {
      const length = Math.floor(random() * 60);
      const pick = random();
      const values = Array.from({ length }, () => (pick < 0.2 ? 0 : pick < 0.3 ? 1 : pick < 0.4 ? 0.5 : random()));
      const result = analyze(values);
      for (const value of [result.baselineConfidence, result.currentConfidence, result.driftPercentage, result.driftAbsolute, result.timeSpanSeconds, result.pValue ?? 0]) {
        expect(Number.isFinite(value)).toBe(true);
      }
      expect(result.driftPercentage).toBeGreaterThanOrEqual(0);
      if (result.severity !== 'NONE') expect(result.recommendations.length).toBeGreaterThan(0);
    }
  });
});
