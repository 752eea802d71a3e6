import { describe, expect, it } from 'vitest';
import { analyzeTest, decideAlert, defaultDriftSettings, formatAlertMessage, type AlertState } from '../../src/drift/index.js';
import type { Severity } from '../../src/store/store.js';

const t0 = Date.parse('2026-11-01T00:00:00.000Z');
const now = new Date('2026-11-24T00:00:00.000Z');
const analysisOf = (baseline: number, current: number) =>
  analyzeTest(
    {
      testName: 'login',
      category: 'auth',
      points: [...Array(10).fill(baseline), ...Array(10).fill(current)].map((confidence, i) => ({ confidence, timestamp: new Date(t0 + i * 3_600_000) })),
    },
    defaultDriftSettings,
    now,
  );
// 0.9 -> 0.8: 11.1 % MEDIUM; 0.9 -> 0.7: 22.2 % HIGH; 0.9 -> 0.6: 33.3 % CRITICAL; 0.9 -> 0.86: 4.4 % NONE
const medium = analysisOf(0.9, 0.8);
const high = analysisOf(0.9, 0.7);
const none = analysisOf(0.9, 0.86);
const state = (severity: Severity | null, recovered = false): AlertState => ({
  lastAlert: severity === null ? null : { severity, createdAt: new Date(t0) },
  recoveredSinceLastAlert: recovered,
});

describe('the alert policy', () => {
  it('grades the fixtures as intended', () => {
    expect([medium.severity, high.severity, none.severity]).toStrictEqual(['MEDIUM', 'HIGH', 'NONE']);
  });

  it.each([
    ['below the threshold: no alert', none, state(null), false, 'below_threshold'],
    ['first crossing: alert', medium, state(null), true, 'new_episode'],
    ['same episode, same severity: no alert', medium, state('MEDIUM'), false, 'same_episode'],
    ['same episode, lower severity: no alert', medium, state('HIGH'), false, 'same_episode'],
    ['escalation: alert', high, state('MEDIUM'), true, 'escalation'],
    ['recovered and drifting again: alert', medium, state('HIGH', true), true, 'new_episode'],
  ] as const)('%s', (_what, analysis, alertState, raise, reason) => {
    const decision = decideAlert(analysis, alertState, defaultDriftSettings);
    expect([decision.raise, decision.reason]).toStrictEqual([raise, reason]);
    if (raise) expect(decision.message).toBe(formatAlertMessage(analysis));
  });

  it('honours a higher minimum severity', () => {
    expect(decideAlert(medium, state(null), { ...defaultDriftSettings, alertMinSeverity: 'HIGH' }).raise).toBe(false);
    expect(decideAlert(high, state(null), { ...defaultDriftSettings, alertMinSeverity: 'HIGH' }).raise).toBe(true);
  });

  it('says at a glance what happened and since when', () => {
    expect(formatAlertMessage(high)).toBe('login: confidence fell from 0.90 to 0.70 (-22.2 %, HIGH) since 2026-11-01T10:00:00.000Z');
    expect(formatAlertMessage(analysisOf(0.6, 0.9))).toBe('login: confidence rose from 0.60 to 0.90 (+50.0 %, CRITICAL) since 2026-11-01T10:00:00.000Z');
  });
});
