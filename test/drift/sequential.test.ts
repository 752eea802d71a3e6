// The sequential detector's statistics, against values worked out independently with python3's
// math and statistics modules (the script's lines are quoted beside each table), and the fold's
// promise: folding a series piece by piece through JSON equals folding it at once.
import { describe, expect, it } from 'vitest';
import {
  bernoulliIncrement,
  cusumThreshold,
  detectionKey,
  detectorThresholds,
  estimates,
  firstUnfolded,
  foldPoint,
  foldPoints,
  initialDetectorState,
  lag1Autocorrelation,
  learnBaseline,
  median,
  parseDetectorState,
  robustScale,
  stepCusum,
  type DetectorState,
} from '../../src/drift/sequential.js';
import { defaultDriftSettings } from '../../src/drift/settings.js';
import { seededRandom } from './seeded-random.js';

const detection = defaultDriftSettings.detection;
const t0 = Date.parse('2026-11-01T00:00:00.000Z');
const points = (values: number[]) => values.map((confidence, i) => ({ confidence, timestamp: new Date(t0 + i * 3_600_000) }));

describe('median and robust scale', () => {
  // python3: statistics.median(v); 1.4826 * statistics.median([abs(x - m) for x in v])
  it.each([
    ['odd count', [0.9, 0.7, 0.8, 0.95, 0.6], 0.8, 0.14826000000000011],
    ['even count: the mean of the middle two', [0.91, 0.88, 0.93, 0.5, 0.9, 0.89], 0.895, 0.02223900000000002],
    ['one outlier among ties moves neither', [0.8, 0.8, 0.8, 0.2, 0.8], 0.8, 0],
  ])('%s', (_what, values, expectedMedian, expectedScale) => {
    expect(median(values)).toBeCloseTo(expectedMedian, 12);
    expect(robustScale(values)).toBeCloseTo(expectedScale, 12);
  });
});

describe('lag-1 autocorrelation', () => {
  // python3: d = [x - mean]; sum(d[i] * d[i-1] for i >= 1) / sum(x * x for x in d)
  it.each([
    ['no pattern', [0.9, 0.7, 0.8, 0.95, 0.6], -0.4829268292682928],
    ['a straight line', [1, 2, 3, 4, 5, 6], 0.5],
    ['alternating', [1, -1, 1, -1, 1, -1], -0.8333333333333334],
    ['flat: none, not NaN', [0.5, 0.5, 0.5], 0],
  ])('%s', (_what, values, expected) => {
    expect(lag1Autocorrelation(values)).toBeCloseTo(expected, 12);
  });
});

describe('cusumThreshold: Siegmund\'s average run length solved for h', () => {
  // python3: arl = (exp(2k(h+1.166)) - 2k(h+1.166) - 1) / (2k^2), bisection on h over [0, 100], 200 steps
  it.each([
    [0.5, 4000, 6.439195827746565],
    [1.5, 4000, 2.1002422620861947],
    [0.5, 10000, 7.353095200489734],
    [1, 100, 1.498737140420406],
  ])('k = %s, ARL %s: h = %s', (k, runLength, expected) => {
    expect(cusumThreshold(k, runLength)).toBeCloseTo(expected, 9);
  });

  it('the defaults: two-sided mean CUSUMs split the run length, the Bernoulli ones take ln(ARL)', () => {
    // defaults: run length 2000, so each side of a mean CUSUM gets 4000; python3: math.log(2000)
    expect(detectorThresholds(detection)).toStrictEqual({
      slow: expect.closeTo(6.439195827746565, 9),
      fast: expect.closeTo(2.1002422620861947, 9),
      low: expect.closeTo(7.600902459542082, 12),
      spread: expect.closeTo(7.600902459542082, 12),
    });
  });
});

describe('bernoulliIncrement', () => {
  // python3: math.log(p1 / p0) for a hit, math.log((1 - p1) / (1 - p0)) otherwise
  it.each([
    [true, 0.02, 0.15, 2.1400661634962708],
    [false, 0.02, 0.15, -0.16612687087397407],
    [true, 0.2, 0.15, 0.5596157879354225],
    [false, 0.2, 0.15, -0.2076393647782445],
    // the raised share is capped at 0.95: log(0.95 / 0.9), log(0.05 / 0.1)
    [true, 0.9, 0.15, 0.05406722127027579],
    [false, 0.9, 0.15, -0.6931471805599453],
  ])('hit %s, p0 %s, rise %s: %s', (hit, p0, rise, expected) => {
    expect(bernoulliIncrement(hit, p0, rise)).toBeCloseTo(expected, 12);
  });
});

describe('stepCusum', () => {
  it('sums increments, never below zero, dating an excursion by its first point', () => {
    // python3: s = max(0, s + r - 0.5) over r = 0.3, 1.2, -2, 2.5, 0.7, -0.1
    const residuals = [0.3, 1.2, -2, 2.5, 0.7, -0.1];
    const path: { s: number; from: number | null }[] = [];
    let cusum = { s: 0, from: null as number | null };
    residuals.forEach((r, i) => {
      cusum = stepCusum(cusum, r - 0.5, i);
      path.push(cusum);
    });
    expect(path).toStrictEqual([
      { s: 0, from: null },
      { s: expect.closeTo(0.7, 12), from: 1 },
      { s: 0, from: null },
      { s: expect.closeTo(2, 12), from: 3 },
      { s: expect.closeTo(2.2, 12), from: 3 },
      { s: expect.closeTo(1.6, 12), from: 3 },
    ]);
  });

  it('the flakiness CUSUM of the analysis tests, one run at a time', () => {
    // python3 test/drift/sequential-reference.py: s = max(0, s + (log(0.17/0.02) if hit else log(0.83/0.98))) over hits 1 0 0 1 0 1 0 0 1
    const hits = [1, 0, 0, 1, 0, 1, 0, 0, 1];
    const expected = [2.1400661634962708, 1.9739392926222967, 1.8078124217483227, 3.9478785852445935, 3.7817517143706194, 5.92181787786689, 5.755691006992916, 5.589564136118942, 7.729630299615213];
    let cusum = { s: 0, from: null as number | null };
    hits.forEach((hit, i) => {
      cusum = stepCusum(cusum, bernoulliIncrement(hit === 1, 0.02, 0.15), i);
      expect(cusum.s).toBeCloseTo(expected[i]!, 12);
      expect(cusum.from).toBe(0);
    });
  });
});

describe('learnBaseline and its estimates', () => {
  // python3 test/drift/sequential-reference.py: the sums of learnBaseline over the values, then level = sum/n, centre = mean psi, spread = max(sd psi, 0.5), rho from the lagged
  // products, shares = max(0.02, (count + 0.5) / (n + 1))
  it.each([
    [
      'one low run among ten (0.3 < 0.9 x 0.7)',
      [0.9, 0.92, 0.88, 0.91, 0.3, 0.9, 0.95, 0.87, 0.89, 0.93],
      { level: 0.8450000000000001, median: 0.9, scale: 0.029652000000000026, lowShare: 0.13636363636363635, wildShare: 0.045454545454545456, center: -0.13137731013085158, spread: 1.2188242559956592, rho: 0 },
    ],
    [
      'a slow wave: strongly autocorrelated',
      [0.8, 0.82, 0.84, 0.86, 0.84, 0.82, 0.8, 0.78, 0.76, 0.78, 0.8, 0.82],
      { level: 0.81, median: 0.81, scale: 0.029651999999999942, lowShare: 0.038461538461538464, wildShare: 0.038461538461538464, center: -1.86887542478568e-15, spread: 0.9337901729976712, rho: 0.8181818181818181 },
    ],
  ])('%s', (_what, values, expected) => {
    const got = estimates(learnBaseline(values, detection));
    for (const [key, value] of Object.entries(expected)) expect(got[key as keyof typeof got]).toBeCloseTo(value, 10);
  });

  it('a flat warm-up still has a yardstick: 2 % of its level, or 0.01', () => {
    expect(learnBaseline(Array<number>(30).fill(0.9), detection).scale).toBeCloseTo(0.018, 12);
    expect(learnBaseline(Array<number>(30).fill(0.2), detection).scale).toBe(0.01);
  });
});

describe('the fold', () => {
  it('learns nothing and confirms nothing during the warm-up', () => {
    const state = foldPoints(initialDetectorState(detection), points(Array<number>(detection.warmup - 1).fill(0.9)), detection);
    expect(state).toMatchObject({ seen: detection.warmup - 1, baseline: null, alarm: null });
    expect(state.warmup).toHaveLength(detection.warmup - 1);
  });

  it('piece by piece through JSON equals all at once, over generated series', () => {
    const random = seededRandom(5);
    for (let run = 0; run < 40; run++) {
      const n = 40 + Math.floor(random() * 160);
      const level = 0.7 + random() * 0.25;
      const dropAt = Math.floor(random() * n);
      const values = Array.from({ length: n }, (_, i) => (random() < 0.05 ? 0.3 : level * (i >= dropAt ? 0.85 : 1) + (random() - 0.5) * 0.06));
      const series = points(values);
      const whole = foldPoints(initialDetectorState(detection), series, detection);
      let kept: unknown = initialDetectorState(detection);
      for (let from = 0; from < n; from += 1 + Math.floor(random() * 9)) {
        const state = parseDetectorState(JSON.parse(JSON.stringify(kept)), detection)!;
        const read = series.slice(0, from + 10);
        kept = foldPoints(state, read.slice(firstUnfolded(state, read.map((p) => p.timestamp.getTime()))), detection);
      }
      expect(kept).toStrictEqual(whole);
    }
  });

  it('leaves the state it continues as it was: a batch folds copies, never the kept states', () => {
    const random = seededRandom(11);
    const values = Array.from({ length: 120 }, (_, i) => (i > 70 && random() < 0.4 ? 0.3 : 0.9 + (random() - 0.5) * 0.04));
    const series = points(values);
    for (const cut of [10, 45, 80]) {
      const kept = foldPoints(initialDetectorState(detection), series.slice(0, cut), detection);
      const before = JSON.stringify(kept);
      const once = foldPoints(kept, series.slice(cut), detection);
      expect(JSON.stringify(kept)).toBe(before);
      expect(foldPoints(kept, series.slice(cut), detection)).toStrictEqual(once);
      expect(foldPoint(kept, series[cut]!, detection)).toStrictEqual(foldPoints(kept, [series[cut]!], detection));
      expect(JSON.stringify(kept)).toBe(before);
    }
  });

  it('a kept state skips the points it folded already', () => {
    const series = points([0.9, 0.8, 0.7]);
    const state = foldPoint(initialDetectorState(detection), series[1]!, detection);
    const times = series.map((p) => p.timestamp.getTime());
    expect(firstUnfolded(state, times)).toBe(2);
    expect(firstUnfolded(initialDetectorState(detection), times)).toBe(0);
    expect(firstUnfolded(foldPoints(state, series.slice(2), detection), times)).toBe(3);
  });

  it('a state folded under other settings, or not a state, is not taken back', () => {
    const state: DetectorState = initialDetectorState(detection);
    expect(parseDetectorState(state, detection)).toStrictEqual(state);
    expect(parseDetectorState(state, { ...detection, warmup: 20 })).toBeNull();
    expect(parseDetectorState({ version: 2 }, detection)).toBeNull();
    expect(detectionKey({ ...detection })).toBe(detectionKey(detection));
  });

  it('keys the settings by a short fingerprint that every setting changes', () => {
    const keys = Object.entries(detection).map(([name, value]) => detectionKey({ ...detection, [name]: value + 1 }));
    expect(new Set([detectionKey(detection), ...keys]).size).toBe(keys.length + 1);
    expect(detectionKey(detection)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('takes back a state stored under the settings spelt out, as states were before the fingerprint', () => {
    const spelledOut = (settings: typeof detection) => JSON.stringify(Object.entries(settings).sort(([a], [b]) => a.localeCompare(b)));
    const state = foldPoints(initialDetectorState(detection), points(Array.from({ length: 40 }, (_, i) => (i < 35 ? 0.9 : 0.5))), detection);
    expect(state.alarm).not.toBeNull();
    const stored = JSON.parse(JSON.stringify({ ...state, settings: spelledOut(detection) }));
    // Continued, not rebuilt: it may hold a change confirmed before the lookback's measurements.
    expect(parseDetectorState(stored, detection)).toStrictEqual(state);
    expect(parseDetectorState({ ...stored, settings: spelledOut({ ...detection, warmup: 20 }) }, detection)).toBeNull();
  });
});
