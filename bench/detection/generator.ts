// Seeded CI-confidence series with known change points, for the detection bench.
// Levels, noise and flaky lows are chosen to look like an analysis scorer's confidence: a healthy
// test sits between 0.7 and 0.95 with a few hundredths of noise; a flaky run drops to 0.2-0.5.

export const baseKinds = ['noise', 'ar1', 'daily', 'flaky', 'heavy'] as const;
export type BaseKind = (typeof baseKinds)[number];
export const driftKinds = ['none', 'mean-drop', 'flakiness-onset', 'variance'] as const;
export type DriftKindName = (typeof driftKinds)[number];

export interface Series {
  base: BaseKind;
  drift: DriftKindName;
  /** Index of the first changed point; null without drift. */
  changeAt: number | null;
  /** For a mean drop, its relative size (0.05-0.30). */
  dropFraction: number | null;
  values: number[];
}

/** mulberry32, so the same seed makes the same series on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  // Box-Muller; 1 - u keeps log away from 0.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Student t with 3 degrees of freedom, scaled to unit variance (its variance is 3). */
function heavyTailed(random: () => number): number {
  const chi = normal(random) ** 2 + normal(random) ** 2 + normal(random) ** 2;
  return normal(random) / Math.sqrt(chi / 3) / Math.sqrt(3);
}

const uniform = (random: () => number, low: number, high: number) => low + (high - low) * random();

function oneSeries(random: () => number, base: BaseKind, drift: DriftKindName): Series {
  const n = Math.floor(uniform(random, 60, 201));
  const level = uniform(random, 0.7, 0.95);
  const sd = uniform(random, 0.015, 0.05);
  const rho = uniform(random, 0.3, 0.7);
  const period = [4, 6, 8, 12, 24][Math.floor(random() * 5)]!;
  const amplitude = uniform(random, 0.5, 1.5) * sd;
  const phase = random() * 2 * Math.PI;
  const baseLowShare = base === 'flaky' ? uniform(random, 0.03, 0.12) : 0.02 * random();
  const changeAt = drift === 'none' ? null : Math.floor(uniform(random, Math.max(30, 0.3 * n), 0.7 * n));
  const dropFraction = drift === 'mean-drop' ? uniform(random, 0.05, 0.3) : null;
  const spreadFactor = uniform(random, 2.5, 4);
  const values: number[] = [];
  let ar = normal(random) * sd;
  for (let i = 0; i < n; i++) {
    const after = changeAt !== null && i >= changeAt;
    let noise: number;
    if (base === 'ar1') {
      ar = rho * ar + Math.sqrt(1 - rho * rho) * sd * normal(random);
      noise = ar;
    } else if (base === 'heavy') noise = sd * heavyTailed(random);
    else noise = sd * normal(random);
    if (after && drift === 'variance') noise *= spreadFactor;
    const cycle = base === 'daily' ? amplitude * Math.sin((2 * Math.PI * i) / period + phase) : 0;
    const mu = after && dropFraction !== null ? level * (1 - dropFraction) : level;
    const lowShare = after && drift === 'flakiness-onset' ? 0.2 : baseLowShare;
    const value = random() < lowShare ? uniform(random, 0.2, 0.5) : mu + cycle + noise;
    values.push(Math.min(1, Math.max(0, value)));
  }
  return { base, drift, changeAt, dropFraction, values };
}

/**
 * Half the series drift-free, spread evenly over the base kinds; the other half drift: 60 % mean
 * drops, 20 % flakiness onsets (low share 2 % -> 20 %) and 20 % variance-only changes, on every base kind
 * but the flaky one for the onsets (a test already flaky cannot start being flaky).
 */
export function generateSeries(seed: number, count: number): Series[] {
  const random = seededRandom(seed);
  const series: Series[] = [];
  for (let i = 0; i < count; i++) {
    const base = baseKinds[i % baseKinds.length]!;
    const slot = Math.floor(i / baseKinds.length) % 10;
    let drift: DriftKindName = slot < 5 ? 'none' : slot < 8 ? 'mean-drop' : slot === 8 ? 'flakiness-onset' : 'variance';
    if (drift === 'flakiness-onset' && base === 'flaky') drift = 'mean-drop';
    series.push(oneSeries(random, base, drift));
  }
  return series;
}
