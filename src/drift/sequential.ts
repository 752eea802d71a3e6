// The alarm decision for repeated looks. A two-window rank test is valid for one look; asked after
// every new measurement it is asked again and again, and its 5 % false alarms add up over a test's
// life. CUSUMs (Page 1954) are built for that use: each accumulates evidence point by point, and its
// threshold is set from how many points a stable test should run between false alarms (the average
// run length), not from a per-look p-value.
//
// The detector is a pure fold over one test's points in time order. Its state is plain JSON, so the
// store can keep it per test and every instance, and every restart, continues from the same place.
import { z } from 'zod';
import { driftKinds, type DriftKind } from '../store/store.js';
import { mean } from './statistics.js';

export type { DriftKind };

export interface DetectionSettings {
  /** Points learnt as the baseline before anything can be confirmed. */
  warmup: number;
  /** Points the baseline keeps learning from, while the test looks unchanged. */
  baselineLimit: number;
  /** How many points a run waits before the baseline learns it, so a change is caught before it is learnt. */
  learnDelay: number;
  /** Points a stable test should run, on average, between false alarms of each statistic. */
  targetRunLength: number;
  /** Reference value of the slow mean CUSUM, in baseline standard deviations: half the shift it is tuned to. */
  slowShift: number;
  /** Reference value of the fast mean CUSUM: large shifts confirm within a few points. */
  fastShift: number;
  /** Residuals are clipped here (in standard deviations) so one wild value moves a CUSUM by a bounded step. */
  clip: number;
  /** A value this fraction below the baseline median counts as a low (flaky) run. */
  lowCut: number;
  /** The rise in the share of low runs, or of wild ones, the flakiness and spread CUSUMs are tuned to. */
  shareRise: number;
  /** A run this many robust deviations from the median (and not low) is wild: the spread CUSUM counts them. */
  wildBand: number;
}

/** One one-sided CUSUM: its sum, and the first point of the excursion it is in (the change's onset). */
const cusumSchema = z.object({ s: z.number(), from: z.number().nullable() });
export type Cusum = z.infer<typeof cusumSchema>;

/**
 * What normal looked like: the warm-up fixes the centre and yardstick (median, robust scale), and the
 * sums below keep refining the rest while the test shows no sign of change, up to `baselineLimit`
 * points: twenty runs cannot tell a 2 % from a 10 % rate of lows, sixty can.
 */
const baselineSchema = z.object({
  median: z.number(),
  /** Robust standard deviation (1.4826 MAD), floored so a flat test still has a yardstick. */
  scale: z.number(),
  /** Points summed into the baseline so far. */
  n: z.number().int(),
  /** Sum of the raw values, for the level severity measures changes from. */
  sum: z.number(),
  /** Low runs among them. */
  lows: z.number().int(),
  /** Wild runs among them (isWild). */
  wild: z.number().int(),
  /** Sums of the clipped residual, its square, and its product with the one before (for the lag-1 autocorrelation). */
  psi: z.number(),
  psiSquares: z.number(),
  psiLagged: z.number(),
  previousPsi: z.number(),
});
export type Baseline = z.infer<typeof baselineSchema>;

const alarmSchema = z.object({ kind: z.enum(driftKinds), since: z.number(), direction: z.enum(['up', 'down']) });

export const detectorStateSchema = z.object({
  version: z.literal(1),
  /** The detection settings the fold ran under (detectionKey): a state folded under others is rebuilt. */
  settings: z.string(),
  /** Points folded in so far. */
  seen: z.number().int(),
  /** Epoch ms of the last point folded in; later points continue the fold, earlier ones cannot. */
  lastAt: z.number().nullable(),
  /** Values of the warm-up, kept only until the baseline is learnt. */
  warmup: z.array(z.number()),
  /** The latest values after the warm-up, waiting `learnDelay` points before the baseline may learn them. */
  pending: z.array(z.number()),
  baseline: baselineSchema.nullable(),
  slowUp: cusumSchema,
  slowDown: cusumSchema,
  fastUp: cusumSchema,
  fastDown: cusumSchema,
  low: cusumSchema,
  spread: cusumSchema,
  /** The change a CUSUM confirmed, held until that CUSUM falls back to zero. */
  alarm: alarmSchema.nullable(),
});
export type DetectorState = z.infer<typeof detectorStateSchema>;

export interface DetectorPoint {
  confidence: number;
  timestamp: Date;
}

const idle = (): Cusum => ({ s: 0, from: null });

/**
 * `derive` computed once per settings object: settings are not changed once made, and a pass asks
 * for their key and thresholds (a bisection) once per test.
 */
function oncePerSettings<T>(derive: (settings: DetectionSettings) => T): (settings: DetectionSettings) => T {
  const derived = new WeakMap<DetectionSettings, T>();
  return (settings) => {
    if (!derived.has(settings)) derived.set(settings, derive(settings));
    return derived.get(settings)!;
  };
}

/**
 * The settings a state depends on, as a string a stored state can be checked against: a
 * fingerprint of them all, names and values. Spelt out, they were a fifth of every stored state.
 */
export const detectionKey = oncePerSettings((settings) => fingerprint(spelledOutKey(settings)));

/**
 * The key as states stored before the fingerprint hold it. Still taken, and given the fingerprint:
 * rebuilt instead, a state would only see the lookback's measurements and forget a change it had
 * confirmed before them.
 */
const spelledOutKey = oncePerSettings((settings) => JSON.stringify(Object.entries(settings).sort(([a], [b]) => a.localeCompare(b))));

/** 64-bit FNV-1a over the text's code units, in hex: tells settings apart, guards nothing. */
function fingerprint(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) hash = BigInt.asUintN(64, (hash ^ BigInt(text.charCodeAt(i))) * 0x100000001b3n);
  return hash.toString(16).padStart(16, '0');
}

export function initialDetectorState(settings: DetectionSettings): DetectorState {
  return {
    version: 1,
    settings: detectionKey(settings),
    seen: 0,
    lastAt: null,
    warmup: [],
    pending: [],
    baseline: null,
    slowUp: idle(),
    slowDown: idle(),
    fastUp: idle(),
    fastDown: idle(),
    low: idle(),
    spread: idle(),
    alarm: null,
  };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  // A typed array sorts numbers natively, without a comparator called per comparison.
  const sorted = Float64Array.from(values).sort();
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median absolute deviation scaled by 1.4826, so it estimates the standard deviation of normal data. */
export function robustScale(values: readonly number[]): number {
  const center = median(values);
  return 1.4826 * median(values.map((v) => Math.abs(v - center)));
}

/** Lag-1 sample autocorrelation (sum of lagged products over the sum of squares); 0 for a flat series. */
export function lag1Autocorrelation(values: readonly number[]): number {
  const m = mean(values);
  let products = 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - m;
    squares += d * d;
    if (i > 0) products += d * (values[i - 1]! - m);
  }
  return squares < 1e-15 ? 0 : products / squares;
}

/**
 * The threshold h of a one-sided CUSUM with reference value k on unit-variance normal increments
 * whose average run length without a change is `runLength`, by Siegmund's approximation
 * ARL = (exp(2kb) - 2kb - 1) / (2k^2) with b = h + 1.166 (Siegmund 1985, Sequential Analysis, eq. 2.57),
 * solved by bisection (the ARL grows with h).
 */
export function cusumThreshold(k: number, runLength: number): number {
  const arl = (h: number) => {
    const b = 2 * k * (h + 1.166);
    return (Math.exp(b) - b - 1) / (2 * k * k);
  };
  let low = 0;
  let high = 100;
  for (let i = 0; i < 100; i++) {
    const middle = (low + high) / 2;
    if (arl(middle) < runLength) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/** The log-likelihood ratio of one run being (or not being) a hit, under share p0 + rise against p0. */
export function bernoulliIncrement(hit: boolean, p0: number, rise: number): number {
  const p1 = Math.min(0.95, p0 + rise);
  return hit ? Math.log(p1 / p0) : Math.log((1 - p1) / (1 - p0));
}

/** One CUSUM step: the sum grows by the increment, never below zero; a fresh excursion dates the onset. */
export function stepCusum(cusum: Cusum, increment: number, at: number): Cusum {
  const stepped = { ...cusum };
  stepInPlace(stepped, increment, at);
  return stepped;
}

function stepInPlace(cusum: Cusum, increment: number, at: number): void {
  const s = Math.max(0, cusum.s + increment);
  cusum.from = s === 0 ? null : cusum.s === 0 ? at : cusum.from;
  cusum.s = s;
}

// A scale too small to be a scale at all: confidence is reported to a few decimals, and a test that
// always reports 0.9 must still have a yardstick for its first deviation (2 % of its level).
const minimumScale = 0.01;
const minimumRelativeScale = 0.02;
// Twenty runs rarely show a low run of a 5 % rate: never assume fewer than 2 %.
const lowSharePrior = 0.02;
// A residual whose baseline deviation came out tiny (a flat test) is still scaled as half a unit.
const minimumSpread = 0.5;

/** The baseline's estimates, derived from its sums. */
export interface BaselineEstimates {
  level: number;
  median: number;
  scale: number;
  /** Share of low runs, shrunk by half a low of prior and floored at 2 %. */
  lowShare: number;
  /** Share of wild runs, shrunk the same way. */
  wildShare: number;
  /** Mean and deviation of the clipped residual, to centre and scale it. */
  center: number;
  spread: number;
  /** Lag-1 autocorrelation of the clipped residual, in [0, 0.9]. */
  rho: number;
}

export function estimates(b: Baseline): BaselineEstimates {
  const center = b.psi / b.n;
  const variance = Math.max(0, b.psiSquares / b.n - center * center);
  const spread = Math.max(Math.sqrt(variance), minimumSpread);
  const lagged = b.n > 1 ? b.psiLagged / (b.n - 1) - center * center : 0;
  return {
    level: b.sum / b.n,
    median: b.median,
    scale: b.scale,
    lowShare: Math.max(lowSharePrior, (b.lows + 0.5) / (b.n + 1)),
    wildShare: Math.max(lowSharePrior, (b.wild + 0.5) / (b.n + 1)),
    center,
    spread,
    rho: variance < 1e-12 ? 0 : Math.min(0.9, Math.max(0, lagged / variance)),
  };
}

function clip(value: number, limit: number): number {
  return Math.max(-limit, Math.min(limit, value));
}

export function isLow(value: number, median: number, lowCut: number): boolean {
  return value < median * (1 - lowCut);
}

/**
 * Beyond the baseline's normal band either way, and not a low run (low runs are flakiness's to
 * judge). The band is `wildBand` robust deviations, widened by the clipped residual's own deviation when
 * that came out above one: twenty autocorrelated runs sit closer together than the test wanders, so
 * their MAD understates its scale.
 */
export function isWild(value: number, b: { median: number; scale: number; spread: number }, settings: Pick<DetectionSettings, 'wildBand' | 'lowCut'>): boolean {
  return Math.abs(value - b.median) >= settings.wildBand * b.scale * Math.max(1, b.spread) && !isLow(value, b.median, settings.lowCut);
}

function clippedResidual(value: number, b: Pick<Baseline, 'median' | 'scale'>, settings: DetectionSettings): number {
  return clip((value - b.median) / b.scale, settings.clip);
}

/** Adds one point to the baseline's sums, in place. */
function absorb(b: Baseline, value: number, settings: DetectionSettings): void {
  const psi = clippedResidual(value, b, settings);
  // The band as it stands before this point; the first points of a warm-up have no spread yet.
  const band = { median: b.median, scale: b.scale, spread: b.n > 1 ? estimates(b).spread : 1 };
  b.lows += isLow(value, b.median, settings.lowCut) ? 1 : 0;
  b.wild += isWild(value, band, settings) ? 1 : 0;
  b.psiLagged = b.n > 0 ? b.psiLagged + psi * b.previousPsi : 0;
  b.n += 1;
  b.sum += value;
  b.psi += psi;
  b.psiSquares += psi * psi;
  b.previousPsi = psi;
}

export function learnBaseline(values: readonly number[], settings: DetectionSettings): Baseline {
  const center = median(values);
  const scale = Math.max(robustScale(values), minimumScale, minimumRelativeScale * center);
  const baseline: Baseline = { median: center, scale, n: 0, sum: 0, lows: 0, wild: 0, psi: 0, psiSquares: 0, psiLagged: 0, previousPsi: 0 };
  for (const value of values) absorb(baseline, value, settings);
  return baseline;
}

export interface Thresholds {
  slow: number;
  fast: number;
  low: number;
  spread: number;
}

/**
 * Each statistic's threshold from the target run length. Two-sided mean CUSUMs split it, each side
 * getting twice the run length. The flakiness and spread CUSUMs sum Bernoulli log-likelihood
 * ratios, for which a threshold of ln(ARL) keeps the run length at least ARL (Lorden 1971).
 */
export const detectorThresholds = oncePerSettings(
  (settings): Thresholds => ({
    slow: cusumThreshold(settings.slowShift, 2 * settings.targetRunLength),
    fast: cusumThreshold(settings.fastShift, 2 * settings.targetRunLength),
    low: Math.log(settings.targetRunLength),
    spread: Math.log(settings.targetRunLength),
  }),
);

/** Folds one point in. Points must come in time order (firstUnfolded finds where a kept state resumes). */
export function foldPoint(state: DetectorState, point: DetectorPoint, settings: DetectionSettings, thresholds = detectorThresholds(settings)): DetectorState {
  const fold = startFold(state, thresholds);
  foldInto(fold, point.confidence, point.timestamp.getTime(), settings);
  return fold.state;
}

/**
 * A copy sharing nothing that folding changes. A fold over a series copies the state once and then
 * changes its copy point by point: a fresh state per point cost five times the arithmetic.
 */
function ownCopy(state: DetectorState): DetectorState {
  return {
    ...state,
    warmup: [...state.warmup],
    pending: [...state.pending],
    baseline: state.baseline === null ? null : { ...state.baseline },
    slowUp: { ...state.slowUp },
    slowDown: { ...state.slowDown },
    fastUp: { ...state.fastUp },
    fastDown: { ...state.fastDown },
    low: { ...state.low },
    spread: { ...state.spread },
  };
}

/**
 * What one fold reuses from point to point. The state is its own copy, changed in place. Its
 * CUSUMs are listed in `watched` order beside their thresholds, to be read by index: looked up by
 * key on every point, they cost the fold a fifth of its time. The baseline's estimates are kept as
 * last derived: the baseline changes only while it learns (its first `baselineLimit` points), so
 * most points reuse them.
 */
interface Fold {
  state: DetectorState;
  cusums: readonly Cusum[];
  limits: readonly number[];
  estimatesOf: { baseline: Baseline | null; n: number; estimates: BaselineEstimates | null };
}

function startFold(state: DetectorState, thresholds: Thresholds): Fold {
  const own = ownCopy(state);
  return {
    state: own,
    cusums: watched.map((w) => own[w.key]),
    limits: watched.map((w) => thresholds[w.threshold]),
    estimatesOf: { baseline: null, n: 0, estimates: null },
  };
}

function currentEstimates(baseline: Baseline, fold: Fold): BaselineEstimates {
  const seen = fold.estimatesOf;
  if (seen.baseline !== baseline || seen.n !== baseline.n || seen.estimates === null) {
    seen.baseline = baseline;
    seen.n = baseline.n;
    seen.estimates = estimates(baseline);
  }
  return seen.estimates;
}

/** Folds the value measured at `at` (epoch ms) into the fold's state. */
function foldInto(fold: Fold, x: number, at: number, settings: DetectionSettings): void {
  const state = fold.state;
  state.seen += 1;
  state.lastAt = at;
  if (state.baseline === null) {
    state.warmup.push(x);
    if (state.warmup.length < settings.warmup) return;
    state.baseline = learnBaseline(state.warmup, settings);
    state.warmup = [];
    return;
  }
  const b = currentEstimates(state.baseline, fold);
  // Positive autocorrelation makes neighbouring residuals repeat each other: the mean of n of them
  // varies (1 + rho) / (1 - rho) times as much as for independent ones, so each step is shrunk by its root.
  const widening = Math.sqrt((1 + b.rho) / (1 - b.rho));
  const psi = clippedResidual(x, b, settings);
  // Clipped again once standardised: no single run, however wild, moves a mean CUSUM by more than
  // `clip - shift`, so one outlier never confirms a shift on its own.
  const residual = clip((psi - b.center) / (b.spread * widening), settings.clip);
  // Bernoulli CUSUMs (Reynolds & Stoumbos 1999): the log-likelihood ratio of a low run, and of a
  // wild one, under a share raised by `shareRise` against the baseline's. Counting runs rather than
  // summing squares bounds what any one run adds, so a heavy tail needs a cluster of wild runs, not
  // one, to read as a change of spread.
  const low = isLow(x, b.median, settings.lowCut);
  const lowIncrement = bernoulliIncrement(low, b.lowShare, settings.shareRise);
  // Low runs are left to the flakiness CUSUM, or a flaky test would read as an erratic one too.
  // Wild runs of an autocorrelated test come in clusters, each cluster one piece of evidence rather
  // than several: the same (1 + rho) / (1 - rho) discounts them.
  const spreadIncrement = low ? 0 : bernoulliIncrement(isWild(x, b, settings), b.wildShare, settings.shareRise) / widening ** 2;
  // A low run is the flakiness CUSUM's evidence alone: fed to the mean CUSUMs too, a flaky test's
  // chance cluster of lows read as a level shift. A real drop past the low cut makes every run low
  // and is told apart by the analysis (the bulk of the runs moved, not a few).
  if (!low) {
    stepInPlace(state.slowUp, residual - settings.slowShift, at);
    stepInPlace(state.slowDown, -residual - settings.slowShift, at);
    stepInPlace(state.fastUp, residual - settings.fastShift, at);
    stepInPlace(state.fastDown, -residual - settings.fastShift, at);
  }
  stepInPlace(state.low, lowIncrement, at);
  stepInPlace(state.spread, spreadIncrement, at);
  state.alarm = nextAlarm(state.alarm, fold);
  // The baseline learns a run only once `learnDelay` later runs showed no sign of change: learnt at
  // once, the first low runs of a flaky onset raised the baseline's own share of lows and hid the rest.
  if (state.alarm !== null) {
    state.pending = [];
    return;
  }
  state.pending.push(x);
  if (state.pending.length <= settings.learnDelay) return;
  const learnt = state.pending.shift()!;
  if (state.baseline.n < settings.baselineLimit && isQuiet(fold)) absorb(state.baseline, learnt, settings);
}

type Watched = 'slowUp' | 'slowDown' | 'fastUp' | 'fastDown' | 'low' | 'spread';
// When several statistics cross on the same point, the more specific explanation wins: a burst of
// low runs also drags the mean and widens the spread.
const watched: { key: Watched; kind: DriftKind; direction: 'up' | 'down'; threshold: keyof Thresholds }[] = [
  { key: 'low', kind: 'FLAKINESS', direction: 'down', threshold: 'low' },
  { key: 'fastDown', kind: 'MEAN_SHIFT', direction: 'down', threshold: 'fast' },
  { key: 'fastUp', kind: 'MEAN_SHIFT', direction: 'up', threshold: 'fast' },
  { key: 'slowDown', kind: 'MEAN_SHIFT', direction: 'down', threshold: 'slow' },
  { key: 'slowUp', kind: 'MEAN_SHIFT', direction: 'up', threshold: 'slow' },
  { key: 'spread', kind: 'VARIANCE', direction: 'up', threshold: 'spread' },
];

/** No statistic past half its threshold: no sign of a change the baseline should not learn. */
function isQuiet({ cusums, limits }: Fold): boolean {
  for (let i = 0; i < cusums.length; i++) if (cusums[i]!.s >= limits[i]! / 2) return false;
  return true;
}

function nextAlarm(current: DetectorState['alarm'], { cusums, limits }: Fold): DetectorState['alarm'] {
  // A confirmed change holds while a statistic of its kind and direction stays above half its
  // threshold. Held until zero, a heavy-tailed test's spread CUSUM (which rarely reaches zero) kept
  // an old alarm confirmed for a hundred points, long enough for a chance cluster to grade it MEDIUM.
  if (current !== null) {
    for (let i = 0; i < watched.length; i++) {
      const w = watched[i]!;
      if (w.kind === current.kind && w.direction === current.direction && cusums[i]!.s >= limits[i]! / 2) return current;
    }
  }
  for (let i = 0; i < watched.length; i++) {
    if (cusums[i]!.s >= limits[i]!) return { kind: watched[i]!.kind, direction: watched[i]!.direction, since: cusums[i]!.from! };
  }
  return null;
}

/** Folds points in, in the order given (the caller's time order). */
export function foldPoints(state: DetectorState, points: readonly DetectorPoint[], settings: DetectionSettings): DetectorState {
  return foldValues(state, points.map((p) => p.confidence), points.map((p) => p.timestamp.getTime()), 0, settings);
}

/** foldPoints over columns: the values from index `from` on, each at the time (epoch ms) of the same index. */
export function foldValues(state: DetectorState, values: readonly number[], times: readonly number[], from: number, settings: DetectionSettings): DetectorState {
  if (from >= values.length) return state;
  const fold = startFold(state, detectorThresholds(settings));
  for (let i = from; i < values.length; i++) foldInto(fold, values[i]!, times[i]!, settings);
  return fold.state;
}

/**
 * Where a kept state's fold resumes in ascending times: the first after its last point. A point at
 * or before it (one that arrived late, or a value recorded again for an instant already folded)
 * cannot join a fold that only runs forwards.
 */
export function firstUnfolded(state: DetectorState, times: readonly number[]): number {
  const lastAt = state.lastAt;
  if (lastAt === null) return 0;
  let i = 0;
  while (i < times.length && times[i]! <= lastAt) i++;
  return i;
}

/**
 * A stored state read back; null when this version did not write it or it was folded under other
 * detection settings: the caller then rebuilds it from the measurements it has.
 */
export function parseDetectorState(json: unknown, settings: DetectionSettings): DetectorState | null {
  const parsed = detectorStateSchema.safeParse(json);
  if (!parsed.success) return null;
  if (parsed.data.settings === detectionKey(settings)) return parsed.data;
  return parsed.data.settings === spelledOutKey(settings) ? { ...parsed.data, settings: detectionKey(settings) } : null;
}
