import { describe, expect, it } from 'vitest';
import { classifyTrend } from '../../src/drift/trend.js';
import { seededRandom } from './seeded-random.js';

const noisy = (seed: number, level: number, spread: number, length = 20) => {
  const random = seededRandom(seed);
  return Array.from({ length }, () => level + (random() - 0.5) * spread);
};

describe('trend classes', () => {
  it.each([
    ['flat: stable', [0.8, 0.8, 0.8, 0.8, 0.8, 0.8], 'stable'],
    ['a straight rise: improving (t = +Infinity)', [0.5, 0.55, 0.6, 0.65, 0.7, 0.75], 'improving'],
    ['a straight fall: degrading (t = -Infinity)', [0.9, 0.85, 0.8, 0.75, 0.7, 0.65], 'degrading'],
    // 0.7, 0.9 alternating: slope 1/665, residual s = sqrt((0.2 - 1/665) / 18) = 0.105 > 0.08, t = 0.37
    ['swinging ±0.1 around a flat line: volatile', Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 0.7 : 0.9)), 'volatile'],
    // uniform ±0.3: scatter 0.6 / sqrt(12) = 0.17
    ['wide uniform noise: volatile', noisy(3, 0.5, 0.6), 'volatile'],
    // uniform ±0.01: scatter 0.006
    ['faint noise: stable', noisy(5, 0.8, 0.02), 'stable'],
    // a 0.01 per run slide under ±0.05 noise: the slope still stands out from the scatter
    ['a slide through noise: degrading', noisy(9, 0, 0.1).map((e, i) => 0.9 - 0.01 * i + e), 'degrading'],
  ] as const)('%s', (_what, values, expected) => {
    expect(classifyTrend(values)).toBe(expected);
  });
});
