// Small, exact-enough statistics for drift: no dependencies, and nothing non-finite escapes to callers.

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
  /** Standard deviation of the residuals around the line (n - 2 degrees of freedom). */
  residualDeviation: number;
}

/** Least squares over equally spaced points (x = 0, 1, 2, …); flat for fewer than three points. */
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

/**
 * Complementary error function, Chebyshev fit from Numerical Recipes (`erfcc`): fractional error
 * under 1.2e-7 everywhere. Relative accuracy in the tail is why this and not A&S 7.1.26, whose
 * absolute error of 1.5e-7 would swamp a p-value of 1e-6 once subtracted from 1.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const tail =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? tail : 2 - tail;
}

/** Standard normal cumulative distribution. */
export function normalCdf(z: number): number {
  // Clamped: the fit is 3e-8 above 1 at the centre, and a probability must stay a probability.
  return Math.min(1, Math.max(0, 0.5 * erfc(-z / Math.SQRT2)));
}

export interface MannWhitneyResult {
  /** U of the first sample: how many (first, second) pairs the first wins, ties counting a half. */
  u: number;
  /** Continuity-corrected, tie-corrected standard score of U (0 when U sits within 0.5 of its mean). */
  z: number;
  /** Two-sided p-value from the normal approximation, in [0, 1]. */
  pValue: number;
}

/**
 * Two-sided Mann-Whitney U test by the normal approximation, with the tie correction of the variance
 * and a continuity correction: the same p as R's `wilcox.test(a, b, exact = FALSE, correct = TRUE)`.
 * Rank-based, so one outlier moves it little where it would drag a mean. Null below three values a
 * side, where no difference could ever be significant.
 */
export function mannWhitneyTest(a: readonly number[], b: readonly number[]): MannWhitneyResult | null {
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
    // Ranks are 1-based: positions i..j share the average of ranks i + 1 .. j + 1.
    const averageRank = (i + j + 2) / 2;
    const tied = j - i + 1;
    tieTerm += tied ** 3 - tied;
    for (let k = i; k <= j; k++) if (combined[k]!.first) rankSumA += averageRank;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const expected = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  // Every value tied: no evidence of any difference.
  if (variance <= 0) return { u, z: 0, pValue: 1 };
  const distance = Math.max(0, Math.abs(u - expected) - 0.5);
  const z = (Math.sign(u - expected) * distance) / Math.sqrt(variance);
  return { u, z, pValue: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) };
}
