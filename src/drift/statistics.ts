// Small, exact-enough statistics for drift: no dependencies, no NaN escaping to callers.

export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample standard deviation (n - 1); 0 for fewer than two values. */
export function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  let squares = 0;
  for (const v of values) squares += (v - m) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

export interface LinearFit {
  /** Change per step (per measurement). */
  slope: number;
  /** slope / its standard error; 0 when the points are flat, ±Infinity on a perfect line. */
  tStatistic: number;
  /** Standard deviation of the residuals around the line. */
  residualDeviation: number;
}

/** Least squares over equally spaced points (x = 0, 1, 2, …). */
export function linearFit(values: readonly number[]): LinearFit {
  const n = values.length;
  if (n < 3) return { slope: 0, tStatistic: 0, residualDeviation: 0 };
  const xMean = (n - 1) / 2;
  const yMean = mean(values);
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (i - xMean) ** 2;
    sxy += (i - xMean) * (values[i]! - yMean);
  }
  const slope = sxy / sxx;
  let residualSquares = 0;
  for (let i = 0; i < n; i++) residualSquares += (values[i]! - (yMean + slope * (i - xMean))) ** 2;
  const residualDeviation = Math.sqrt(residualSquares / (n - 2));
  const standardError = residualDeviation / Math.sqrt(sxx);
  // Rounding leaves a hair of residual on perfectly flat or straight data; treat it as none.
  const tStatistic = standardError < 1e-12 ? (Math.abs(slope) < 1e-12 ? 0 : Math.sign(slope) * Infinity) : slope / standardError;
  return { slope, tStatistic, residualDeviation };
}

/** Standard normal cumulative distribution, via Abramowitz & Stegun 7.1.26 (error < 1.5e-7). */
export function normalCdf(z: number): number {
  // Exact at the centre, where the approximation is 1e-9 off and p = 1 must come out as 1.
  if (z === 0) return 0.5;
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * Two-sided Mann-Whitney U test by the normal approximation with tie and continuity corrections.
 * Rank-based, so one outlier moves it little where it would drag a mean. Null below three values a side.
 */
export function mannWhitneyPValue(a: readonly number[], b: readonly number[]): number | null {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 < 3 || n2 < 3) return null;
  const combined = [...a.map((value) => ({ value, first: true })), ...b.map((value) => ({ value, first: false }))].sort(
    (x, y) => x.value - y.value,
  );
  const n = n1 + n2;
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && combined[j + 1]!.value === combined[i]!.value) j++;
    const averageRank = (i + j + 2) / 2;
    const tied = j - i + 1;
    tieTerm += tied ** 3 - tied;
    for (let k = i; k <= j; k++) if (combined[k]!.first) rankSumA += averageRank;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const expected = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return 1; // every value tied: no evidence of any difference
  const z = Math.max(0, Math.abs(u - expected) - 0.5) / Math.sqrt(variance);
  return Math.min(1, 2 * (1 - normalCdf(z)));
}
