import { describe, expect, it } from 'vitest';
import { cusumChangePoint } from '../../src/drift/change-point.js';

describe('CUSUM change point', () => {
  it.each([
    // mean 0.74; sums 0.16, 0.32, 0.48, 0.24: the largest |S| is after index 2, so the shift starts at 3
    ['a drop after three', [0.9, 0.9, 0.9, 0.5, 0.5], 3],
    // mean 0.6; sums -0.4, -0.8, -0.6, -0.4: largest after index 1
    ['a rise after two', [0.2, 0.2, 0.8, 0.8, 0.8, 0.8], 2],
    // ten of 0.9 then ten of 0.6: mean 0.75, S climbs by 0.15 to 1.5 at index 9
    ['ten and ten', [...Array<number>(10).fill(0.9), ...Array<number>(10).fill(0.6)], 10],
    // 0.95 - 0.01 i over 30: mean 0.805, deviations 0.145 - 0.01 i are last positive at i = 14
    ['a straight slide turns mid-series', Array.from({ length: 30 }, (_, i) => 0.95 - i * 0.01), 15],
    ['flat', [0.5, 0.5, 0.5, 0.5], null],
    ['too short', [0.5, 0.1], null],
  ])('%s', (_what, values, expected) => {
    expect(cusumChangePoint(values)).toBe(expected);
  });
});
