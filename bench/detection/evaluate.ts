// The online evaluator: every detector sees a series one point at a time and is asked after each;
// the first alarm is what a person would have been paged for.
import { analyzeTest, type ConfidencePoint } from '../../src/drift/analyze.js';
import { detectorThresholds, foldPoint, initialDetectorState } from '../../src/drift/sequential.js';
import type { DriftSettings } from '../../src/drift/settings.js';
import { severityRank } from '../../src/store/store.js';
import type { OnlineDetector } from './peers.js';
import type { Series } from './generator.js';

/** Index of the first point after which the detector alarmed, or null. */
export type FirstAlarm = (values: readonly number[]) => number | null;

export function firstAlarmOf(makeDetector: () => OnlineDetector): FirstAlarm {
  return (values) => {
    const detector = makeDetector();
    for (let i = 0; i < values.length; i++) if (detector.push(values[i]!)) return i;
    return null;
  };
}

const t0 = Date.parse('2026-01-01T00:00:00Z');

/** The engine as the service runs it: fold the new point into the kept state, analyse, MEDIUM or worse alarms. */
export function engineFirstAlarm(settings: DriftSettings): FirstAlarm {
  const thresholds = detectorThresholds(settings.detection);
  const medium = severityRank('MEDIUM');
  return (values) => {
    let state = initialDetectorState(settings.detection);
    const points: ConfidencePoint[] = [];
    for (let i = 0; i < values.length; i++) {
      const point = { confidence: values[i]!, timestamp: new Date(t0 + i * 3_600_000) };
      points.push(point);
      state = foldPoint(state, point, settings.detection, thresholds);
      const result = analyzeTest({ testName: 'bench', category: null, points }, settings, point.timestamp, state);
      if (severityRank(result.severity) >= medium) return i;
    }
    return null;
  };
}

export interface Outcome {
  series: Series;
  alarm: number | null;
}

export function runOnline(series: readonly Series[], firstAlarm: FirstAlarm): Outcome[] {
  return series.map((s) => ({ series: s, alarm: firstAlarm(s.values) }));
}

export interface Summary {
  /** Drift-free series that ever alarmed. */
  falseAlarms: number;
  /** Drifting series that alarmed before their change. */
  early: number;
  /** Drifting series that alarmed at or after their change. */
  detected: number;
  /** Post-change points seen when it alarmed (1: on the first changed point), median over detected series. */
  medianDelay: number | null;
  driftFree: number;
  drifting: number;
}

export function summarise(outcomes: readonly Outcome[]): Summary {
  const free = outcomes.filter((o) => o.series.changeAt === null);
  const drifting = outcomes.filter((o) => o.series.changeAt !== null);
  const detected = drifting.filter((o) => o.alarm !== null && o.alarm >= o.series.changeAt!);
  const delays = detected.map((o) => o.alarm! - o.series.changeAt! + 1).sort((a, b) => a - b);
  return {
    falseAlarms: free.filter((o) => o.alarm !== null).length,
    early: drifting.filter((o) => o.alarm !== null && o.alarm < o.series.changeAt!).length,
    detected: detected.length,
    medianDelay: delays.length === 0 ? null : delays.length % 2 === 1 ? delays[(delays.length - 1) / 2]! : (delays[delays.length / 2 - 1]! + delays[delays.length / 2]!) / 2,
    driftFree: free.length,
    drifting: drifting.length,
  };
}

export const percent = (part: number, whole: number) => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)} %`);
