import { describe, expect, it } from 'vitest';
import { cusumChangePoint } from '../../src/drift/change-point.js';
import { linearFit, mannWhitneyPValue, mean, normalCdf, standardDeviation } from '../../src/drift/statistics.js';
import { classifyTrend } from '../../src/drift/trend.js';
import { seededRandom } from './seeded-random.js';

describe('statistics', () => {
  it('mean and sample deviation', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(mean([])).toBe(0);
    // squares: 2.25 + 0.25 + 0.25 + 2.25 = 5, / 3
    expect(standardDeviation([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(standardDeviation([7])).toBe(0);
  });

  it('the normal CDF matches tabulated values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.975002, 6);
    expect(normalCdf(-1.645)).toBeCloseTo(0.049985, 6);
  });

  it('Mann-Whitney: two fully separated samples of five', () => {
    // U = 0, mean 12.5, var = 25/12 * 11, z = 12 / 4.787 = 2.5067 -> p = 0.012186 (R: wilcox.test(exact=FALSE, correct=TRUE))
    expect(mannWhitneyPValue([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])).toBeCloseTo(0.012186, 6);
    expect(mannWhitneyPValue([6, 7, 8, 9, 10], [1, 2, 3, 4, 5])).toBeCloseTo(0.012186, 6);
  });

  it('Mann-Whitney: identical samples give p = 1; too small samples give null', () => {
    expect(mannWhitneyPValue([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])).toBe(1);
    expect(mannWhitneyPValue([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(mannWhitneyPValue([1, 2], [3, 4, 5])).toBeNull();
  });

  it('linear fit: slope, and a perfect line has an unbounded t', () => {
    const fit = linearFit([1, 3, 5, 7]);
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(fit.tStatistic).toBe(Infinity);
    expect(linearFit([2, 2, 2, 2]).tStatistic).toBe(0);
  });

  it('CUSUM finds the step', () => {
    // mean 0.74; sums 0.16, 0.32, 0.48, 0.24: turns after index 2
    expect(cusumChangePoint([0.9, 0.9, 0.9, 0.5, 0.5])).toBe(3);
    expect(cusumChangePoint([0.2, 0.2, 0.8, 0.8, 0.8, 0.8])).toBe(2);
    expect(cusumChangePoint([0.5, 0.5, 0.5, 0.5])).toBeNull();
    expect(cusumChangePoint([0.5, 0.1])).toBeNull();
  });

  it('trend classes', () => {
    expect(classifyTrend([0.8, 0.8, 0.8, 0.8, 0.8, 0.8])).toBe('stable');
    expect(classifyTrend([0.5, 0.55, 0.6, 0.65, 0.7, 0.75])).toBe('improving');
    expect(classifyTrend([0.9, 0.85, 0.8, 0.75, 0.7, 0.65])).toBe('degrading');
    const random = seededRandom(3);
    expect(classifyTrend(Array.from({ length: 20 }, () => 0.5 + (random() - 0.5) * 0.6))).toBe('volatile');
    const gentle = seededRandom(5);
    expect(classifyTrend(Array.from({ length: 20 }, () => 0.8 + (gentle() - 0.5) * 0.02))).toBe('stable');
  });
});
