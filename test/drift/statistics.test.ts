import { describe, expect, it } from 'vitest';
import { erfc, linearFit, mannWhitneyTest, mean, normalCdf, standardDeviation } from '../../src/drift/statistics.js';

describe('mean and standard deviation', () => {
  it.each([
    // [values, mean, sample deviation]
    [[1, 2, 3, 4], 2.5, Math.sqrt(5 / 3)], // squares 2.25 + 0.25 + 0.25 + 2.25 = 5, over n - 1 = 3
    [[2, 4, 4, 4, 5, 5, 7, 9], 5, Math.sqrt(32 / 7)], // squares 9+1+1+1+0+0+4+16 = 32
    [[7], 7, 0],
    [[], 0, 0],
  ])('%j', (values, expectedMean, expectedDeviation) => {
    expect(mean(values)).toBeCloseTo(expectedMean, 12);
    expect(standardDeviation(values)).toBeCloseTo(expectedDeviation, 12);
  });
});

describe('normal distribution', () => {
  // Reference values: mpmath.ncdf at 30 digits.
  it.each([
    [0, 0.5],
    [1, 0.841344746068543],
    [1.96, 0.97500210485178],
    [-1.645, 0.0499849055391214],
    [3, 0.99865010196837],
    [-5, 2.86651571879194e-7],
    [-8, 6.22096057427178e-16],
  ])('Φ(%d)', (z, expected) => {
    // Relative, so the far tail is held to the same accuracy as the centre.
    expect(Math.abs(normalCdf(z) - expected) / expected).toBeLessThan(2e-7);
  });

  it('erfc keeps its relative accuracy in the tail, where 1 - erf would be all rounding', () => {
    // erfc(10 / √2) = 2 (1 - Φ(10)) = 1.52397060483212e-23 (mpmath)
    expect(erfc(10 / Math.SQRT2) / 1.52397060483212e-23).toBeCloseTo(1, 6);
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(-1) + erfc(1)).toBeCloseTo(2, 12);
  });

  it('stays a probability', () => {
    for (const z of [-40, -1e-9, 0, 1e-9, 40, Infinity, -Infinity]) {
      expect(normalCdf(z)).toBeGreaterThanOrEqual(0);
      expect(normalCdf(z)).toBeLessThanOrEqual(1);
    }
  });
});

describe('Mann-Whitney U test (normal approximation, tie and continuity corrections)', () => {
  // Every p below is also what R's wilcox.test(a, b, exact = FALSE, correct = TRUE) and
  // scipy.stats.mannwhitneyu(a, b, method='asymptotic') print.
  it.each([
    {
      what: 'two fully separated samples of five',
      // ranks of a: 1..5, sum 15, U = 15 - 15 = 0; mean 12.5, var = 25/12 * 11 = 22.917
      // z = -(12.5 - 0.5) / 4.78714 = -2.506718, p = 2 (1 - Φ(2.506718)) = 0.012186
      a: [1, 2, 3, 4, 5],
      b: [6, 7, 8, 9, 10],
      u: 0,
      z: -2.506718,
      p: 0.012186,
    },
    {
      what: 'textbook example with ties across the samples',
      // sorted: 1.1a(1) 2.3aab(3,3,3) 3.0ab(5.5,5.5) 4.2a(7) 5.0a(8) 5.5b(9) 6.1bb(10.5,10.5) 7.4b(12) 8.0b(13)
      // rank sum a = 1 + 3 + 3 + 5.5 + 7 + 8 = 27.5, U = 27.5 - 21 = 6.5, mean 21
      // ties: (27 - 3) + (8 - 2) + (8 - 2) = 36; var = 42/12 * (14 - 36/156) = 48.1923
      // z = -(14.5 - 0.5) / 6.94207 = -2.016691, p = 0.043728
      a: [1.1, 2.3, 2.3, 3.0, 4.2, 5.0],
      b: [2.3, 3.0, 5.5, 6.1, 6.1, 7.4, 8.0],
      u: 6.5,
      z: -2.016691,
      p: 0.043728,
    },
    {
      what: 'ten against ten, each sample one tied value',
      // U = 100 of 100, ties 2 (1000 - 10) = 1980, var = 100/12 * (21 - 1980/380) = 131.579
      // z = 49.5 / 11.470787 = 4.315310, p = 1.59379e-5
      a: Array<number>(10).fill(0.9),
      b: Array<number>(10).fill(0.6),
      u: 100,
      z: 4.31531,
      p: 1.5937912e-5,
    },
  ])('$what', ({ a, b, u, z, p }) => {
    const result = mannWhitneyTest(a, b);
    expect(result).toStrictEqual({ u, z: expect.closeTo(z, 5), pValue: expect.closeTo(p, 6) });
    // Swapping the samples mirrors U and z and keeps the two-sided p.
    expect(mannWhitneyTest(b, a)).toStrictEqual({ u: a.length * b.length - u, z: expect.closeTo(-z, 5), pValue: result!.pValue });
  });

  it('small p-values keep their relative precision', () => {
    // z = 4.315310 -> p = 1.5937911688e-5 (scipy); an absolute-error erf would be off in the second digit here.
    const p = mannWhitneyTest(Array<number>(10).fill(0.9), Array<number>(10).fill(0.6))!.pValue;
    expect(p / 1.5937911688066244e-5).toBeCloseTo(1, 5);
  });

  it('identical samples give p = 1, too small samples give null', () => {
    expect(mannWhitneyTest([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])).toStrictEqual({ u: 4.5, z: 0, pValue: 1 });
    // U = 4.5 = its mean: the continuity correction leaves no distance at all
    expect(mannWhitneyTest([1, 2, 3], [1, 2, 3])).toStrictEqual({ u: 4.5, z: 0, pValue: 1 });
    expect(mannWhitneyTest([1, 2], [3, 4, 5])).toBeNull();
    expect(mannWhitneyTest([1, 2, 3], [])).toBeNull();
  });
});

describe('linear fit', () => {
  it('a perfect line: its slope and an unbounded t', () => {
    expect(linearFit([1, 3, 5, 7])).toStrictEqual({ slope: 2, tStatistic: Infinity, residualDeviation: 0 });
    expect(linearFit([0.9, 0.8, 0.7]).tStatistic).toBe(-Infinity);
  });

  it('flat or too short: no slope', () => {
    expect(linearFit([2, 2, 2, 2])).toStrictEqual({ slope: 0, tStatistic: 0, residualDeviation: 0 });
    expect(linearFit([0.1, 0.9])).toStrictEqual({ slope: 0, tStatistic: 0, residualDeviation: 0 });
  });

  it('a noisy line', () => {
    // x 0..4, y 1, 2, 2, 4, 5: sxx = 10, sxy = (-2)(-1.8) + (-1)(-0.8) + 0 + 1(1.2) + 2(2.2) = 10, slope 1
    // mean 2.8, fitted 0.8 .. 4.8: residuals 0.2, 0.2, -0.8, 0.2, 0.2 -> SS = 0.8, s = sqrt(0.8 / 3)
    // se = s / sqrt(10), t = 1 / sqrt(0.8 / 30) = sqrt(37.5)
    expect(linearFit([1, 2, 2, 4, 5])).toStrictEqual({
      slope: expect.closeTo(1, 12),
      tStatistic: expect.closeTo(Math.sqrt(37.5), 10),
      residualDeviation: expect.closeTo(Math.sqrt(0.8 / 3), 12),
    });
  });
});
