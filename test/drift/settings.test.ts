import { describe, expect, it } from 'vitest';
import { defaultDriftSettings, resolveThresholds, type DriftSettings } from '../../src/drift/settings.js';
import { capSeverity, gradeSeverity } from '../../src/drift/severity.js';
import { severityRank } from '../../src/store/store.js';
import { splitWindows } from '../../src/drift/windows.js';

const defaults = defaultDriftSettings.thresholds;

describe('severity', () => {
  it.each([
    [0, 'NONE'],
    [0.0499, 'NONE'],
    // each threshold is where its severity starts
    [0.05, 'LOW'],
    [0.1, 'MEDIUM'],
    [0.2, 'HIGH'],
    [0.2999, 'HIGH'],
    [0.3, 'CRITICAL'],
    [5, 'CRITICAL'],
  ] as const)('%d grades %s against the defaults', (drift, severity) => {
    expect(gradeSeverity(drift, defaults)).toBe(severity);
  });

  it('ranks and caps', () => {
    expect(['NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].map((s) => severityRank(s as 'NONE'))).toStrictEqual([0, 1, 2, 3, 4]);
    expect(capSeverity('CRITICAL', 'LOW')).toBe('LOW');
    expect(capSeverity('NONE', 'LOW')).toBe('NONE');
  });
});

describe('thresholds in effect', () => {
  const settings: DriftSettings = {
    ...defaultDriftSettings,
    categoryThresholds: {
      payments: { low: 0.01, medium: 0.02, high: 0.03, critical: 0.05 },
      flaky: { low: 0.3, medium: 0.5 },
      partial: { high: 0.15 },
      lowOnly: { low: 0.4 },
      sloppy: { low: undefined, critical: 0.4 },
    },
  };

  it.each([
    ['no category: the defaults', null, defaults],
    ['an unknown category: the defaults', 'ui', defaults],
    ['a full override', 'payments', { low: 0.01, medium: 0.02, high: 0.03, critical: 0.05 }],
    // high and critical raised to medium (0.5) so every severity starts no lower than the one below
    ['an override above the defaults stays monotonic', 'flaky', { low: 0.3, medium: 0.5, high: 0.5, critical: 0.5 }],
    // low alone above the default critical: the rest rise to 0.4, so a 0.4 drift is CRITICAL, not every drift
    ['low alone above every default', 'lowOnly', { low: 0.4, medium: 0.4, high: 0.4, critical: 0.4 }],
    ['one threshold overridden', 'partial', { low: 0.05, medium: 0.1, high: 0.15, critical: 0.3 }],
    ['an undefined entry keeps the default', 'sloppy', { low: 0.05, medium: 0.1, high: 0.2, critical: 0.4 }],
  ])('%s', (_what, category, expected) => {
    expect(resolveThresholds(settings, category)).toStrictEqual(expected);
  });
});

describe('baseline and current windows', () => {
  const values = (n: number) => Array.from({ length: n }, (_, i) => i);

  it.each([
    ['enough for both: the first ten and the last ten', 25, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [15, 16, 17, 18, 19, 20, 21, 22, 23, 24]],
    ['exactly both', 20, values(10), values(20).slice(10)],
    ['too few: halves', 8, [0, 1, 2, 3], [4, 5, 6, 7]],
    ['odd: the middle value goes to the current half', 7, [0, 1, 2], [3, 4, 5, 6]],
    ['one value', 1, [], [0]],
    ['none', 0, [], []],
  ])('%s', (_what, n, baseline, current) => {
    expect(splitWindows(values(n), defaultDriftSettings)).toStrictEqual({ baseline, current });
  });

  it('never overlap', () => {
    for (let n = 0; n <= 40; n++) {
      for (const [baselineWindow, currentWindow] of [[10, 10], [3, 7], [1, 1], [15, 2]] as const) {
        const { baseline, current } = splitWindows(values(n), { baselineWindow, currentWindow });
        expect(baseline.filter((v) => current.includes(v))).toStrictEqual([]);
      }
    }
  });
});
