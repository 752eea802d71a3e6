// Online detection quality: every detector is asked after every new point of seeded series with
// known change points (bench/detection/generator.ts). Tuned on one seed, reported on another.
import { defaultDriftSettings, type DriftSettings } from '../src/drift/settings.js';
import { baseKinds, generateSeries, type Series } from './detection/generator.js';
import { engineFirstAlarm, firstAlarmOf, percent, runOnline, summarise, type FirstAlarm, type Outcome } from './detection/evaluate.js';
import { adwin, crossBridgeRule, pageHinkley } from './detection/peers.js';
import { heading, table } from './support.js';

const tuningSeed = Number(process.env.BENCH_DETECTION_TUNING_SEED ?? 1);
const reportSeed = Number(process.env.BENCH_DETECTION_REPORT_SEED ?? 2);
const seriesPerSeed = Number(process.env.BENCH_DETECTION_SERIES ?? 600);
// The aim: at most 2 % of drift-free series ever alarm. Peers are tuned to it on the tuning seed.
const falseAlarmBudget = 0.02;

/** The peer's parameter with the best detection on the tuning seed within the false-alarm budget. */
function tunePeer(series: Series[], grid: number[], make: (p: number) => FirstAlarm): number {
  let best = grid[grid.length - 1]!;
  let bestDetected = -1;
  for (const p of grid) {
    const s = summarise(runOnline(series, make(p)));
    if (s.falseAlarms / s.driftFree <= falseAlarmBudget && s.detected > bestDetected) {
      best = p;
      bestDetected = s.detected;
    }
  }
  return best;
}

function row(name: string, outcomes: Outcome[]) {
  const s = summarise(outcomes);
  return {
    detector: name,
    'false alarms': `${percent(s.falseAlarms, s.driftFree)} (${s.falseAlarms}/${s.driftFree})`,
    'early (before change)': percent(s.early, s.drifting),
    detection: `${percent(s.detected, s.drifting)} (${s.detected}/${s.drifting})`,
    'median delay': s.medianDelay ?? '-',
  };
}

function byKind(outcomes: Outcome[]) {
  const groups: [string, (o: Outcome) => boolean][] = [
    ...baseKinds.map((b): [string, (o: Outcome) => boolean] => [`no drift, ${b}`, (o) => o.series.drift === 'none' && o.series.base === b]),
    ['mean drop 5-10 %', (o) => o.series.drift === 'mean-drop' && o.series.dropFraction! < 0.1],
    ['mean drop 10-30 %', (o) => o.series.drift === 'mean-drop' && o.series.dropFraction! >= 0.1],
    ['flakiness onset 2 -> 20 %', (o) => o.series.drift === 'flakiness-onset'],
    ['variance x2.5-4', (o) => o.series.drift === 'variance'],
  ];
  return groups.map(([name, pick]) => {
    const s = summarise(outcomes.filter(pick));
    return s.drifting === 0
      ? { kind: name, series: s.driftFree, 'false alarms': percent(s.falseAlarms, s.driftFree), detection: '', 'median delay': '' }
      : { kind: name, series: s.drifting, 'false alarms': `early ${percent(s.early, s.drifting)}`, detection: percent(s.detected, s.drifting), 'median delay': s.medianDelay ?? '-' };
  });
}

function withDetection(overrides: Partial<DriftSettings['detection']>): DriftSettings {
  return { ...defaultDriftSettings, detection: { ...defaultDriftSettings.detection, ...overrides } };
}

/** A grid around the defaults, printed with BENCH_DETECTION_TUNE=1; the defaults were picked from it. */
function tuneEngine(series: Series[]) {
  const rows = [];
  for (const warmup of [20, 25, 30]) {
    for (const targetRunLength of [2000, 5000, 20000]) {
      for (const wildBand of [2.5, 3]) {
        for (const fastShift of [1.5, 2]) {
          const overrides = { warmup, targetRunLength, wildBand, fastShift };
          const s = summarise(runOnline(series, engineFirstAlarm(withDetection(overrides))));
          rows.push({ ...overrides, 'false alarms': percent(s.falseAlarms, s.driftFree), detection: percent(s.detected, s.drifting), 'median delay': s.medianDelay ?? '-' });
        }
      }
    }
  }
  heading(`Engine tuning grid, seed ${tuningSeed}`);
  table(rows);
}

export async function benchDetection(): Promise<void> {
  const tuning = generateSeries(tuningSeed, seriesPerSeed);
  const report = generateSeries(reportSeed, seriesPerSeed);
  if (process.env.BENCH_DETECTION_TUNE === '1') tuneEngine(tuning);
  const phLambda = tunePeer(tuning, [0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.5, 2, 3], (l) => firstAlarmOf(() => pageHinkley(l)));
  const adwinDelta = tunePeer(tuning, [0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.002, 0.001, 1e-4, 1e-5], (d) => firstAlarmOf(() => adwin(d)));
  const detectors: [string, FirstAlarm][] = [
    ['Driftwatch engine (defaults)', engineFirstAlarm(defaultDriftSettings)],
    ['CrossBridge rule (thirds, 10 %)', firstAlarmOf(() => crossBridgeRule())],
    [`Page-Hinkley (lambda ${phLambda}, tuned)`, firstAlarmOf(() => pageHinkley(phLambda))],
    [`ADWIN (delta ${adwinDelta}, tuned)`, firstAlarmOf(() => adwin(adwinDelta))],
  ];
  for (const [label, seed, series] of [
    ['tuning', tuningSeed, tuning],
    ['report', reportSeed, report],
  ] as const) {
    heading(`Online detection, ${label} seed ${seed}: ${series.length} series of 60-200 points, asked after every point; an alarm is MEDIUM or worse`);
    const outcomes = detectors.map(([name, first]) => [name, runOnline(series, first)] as const);
    table(outcomes.map(([name, o]) => row(name, o)));
    console.log(`\nDriftwatch engine by kind, ${label} seed:`);
    table(byKind(outcomes[0]![1]));
  }
}
