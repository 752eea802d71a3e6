import { describe, expect, expectTypeOf, it } from 'vitest';
import { decideAlert, formatAlertMessage, type AlertState } from '../../src/drift/alert-policy.js';
import { analyzeTest, type DriftAnalysisResult } from '../../src/drift/analyze.js';
import { defaultDriftSettings } from '../../src/drift/settings.js';
import type { Severity } from '../../src/store/store.js';
import { stepBefore } from '../support/falling-series.js';

const t0 = Date.parse('2026-11-20T00:00:00.000Z');
const hour = (h: number) => new Date(t0 + h * 3_600_000);
const now = new Date('2026-11-24T00:00:00.000Z');
const analysisOf = (baseline: number, current: number, testName = 'login') =>
  analyzeTest(
    {
      testName,
      category: 'auth',
      points: [...Array<number>(stepBefore).fill(baseline), ...Array<number>(10).fill(current)].map((confidence, i) => ({ confidence, timestamp: hour(i) })),
    },
    defaultDriftSettings,
    now,
  );
// The detector's warm-up at one value, then ten at another: every step here is confirmed (the flat
// warm-up's yardstick is 2 % of its level, so even 0.86 is two yardsticks off), so size alone grades.
// 0.9 -> 0.86: 4.4 % NONE; 0.9 -> 0.85: 5.6 % LOW; -> 0.8: 11.1 % MEDIUM; -> 0.7: 22.2 % HIGH; -> 0.6: 33.3 % CRITICAL
const none = analysisOf(0.9, 0.86);
const low = analysisOf(0.9, 0.85);
const medium = analysisOf(0.9, 0.8);
const high = analysisOf(0.9, 0.7);
const critical = analysisOf(0.9, 0.6);
// `recovered`: a LOW analysis (under the default MEDIUM bar) was stored after the last alert.
const state = (severity: Severity | null, recovered = false): AlertState => ({
  lastAlert: severity === null ? null : { severity },
  severitiesSinceLastAlert: recovered ? [severity ?? 'NONE', 'LOW'] : severity === null ? [] : [severity],
});

describe('decideAlert', () => {
  it('the fixtures grade as intended', () => {
    expect([none, low, medium, high, critical].map((a) => a.severity)).toStrictEqual(['NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
  });

  it.each<[string, DriftAnalysisResult, AlertState, boolean, string]>([
    ['no drift: no alert', none, state(null), false, 'below_threshold'],
    ['LOW is under the default MEDIUM bar', low, state(null), false, 'below_threshold'],
    ['recovered, but not drifting again: no alert', low, state('HIGH', true), false, 'below_threshold'],
    ['first crossing: alert', medium, state(null), true, 'new_episode'],
    ['first crossing straight to CRITICAL: alert', critical, state(null), true, 'new_episode'],
    ['same episode, same severity: no alert', medium, state('MEDIUM'), false, 'same_episode'],
    ['same episode, lower severity: no alert', medium, state('HIGH'), false, 'same_episode'],
    ['same episode, still CRITICAL: no alert', critical, state('CRITICAL'), false, 'same_episode'],
    ['escalation MEDIUM -> HIGH: alert', high, state('MEDIUM'), true, 'escalation'],
    ['escalation HIGH -> CRITICAL: alert', critical, state('HIGH'), true, 'escalation'],
    ['recovered, then a new drift, even a milder one: alert', medium, state('HIGH', true), true, 'new_episode'],
  ])('%s', (_what, analysis, alertState, raise, reason) => {
    const decision = decideAlert(analysis, alertState, defaultDriftSettings);
    expect(decision).toStrictEqual(raise ? { raise, reason, message: formatAlertMessage(analysis) } : { raise, reason });
  });

  it('acknowledging does not re-arm: acknowledgement is no input at all', () => {
    expectTypeOf<keyof AlertState>().toEqualTypeOf<'lastAlert' | 'severitiesSinceLastAlert'>();
    expectTypeOf<keyof NonNullable<AlertState['lastAlert']>>().toEqualTypeOf<'severity'>();
    // After an acknowledgement the store hands over the same state: still the same episode.
    const acknowledgedLongAgo: AlertState = { lastAlert: { severity: 'HIGH' }, severitiesSinceLastAlert: ['HIGH', 'HIGH'] };
    expect(decideAlert(high, acknowledgedLongAgo, defaultDriftSettings)).toStrictEqual({ raise: false, reason: 'same_episode' });
  });

  it('one alert per episode over a run of analyses', () => {
    // What the store records between analyses: the last alert, and the severities analysed since.
    let alertState: AlertState = state(null);
    const raisedAt: number[] = [];
    const run = [medium, medium, high, high, medium, none, low, medium, medium, critical];
    run.forEach((analysis, i) => {
      const decision = decideAlert(analysis, alertState, defaultDriftSettings);
      if (decision.raise) raisedAt.push(i);
      alertState = decision.raise
        ? { lastAlert: { severity: analysis.severity }, severitiesSinceLastAlert: [] }
        : { ...alertState, severitiesSinceLastAlert: [...alertState.severitiesSinceLastAlert, analysis.severity] };
    });
    // 0 opens the episode, 2 escalates to HIGH, 5 recovers, 7 opens a new one, 9 escalates to CRITICAL
    expect(raisedAt).toStrictEqual([0, 2, 7, 9]);
  });

  it('honours the configured minimum severity', () => {
    const onlyHigh = { ...defaultDriftSettings, alertMinSeverity: 'HIGH' as const };
    expect(decideAlert(medium, state(null), onlyHigh)).toStrictEqual({ raise: false, reason: 'below_threshold' });
    expect(decideAlert(high, state(null), onlyHigh).raise).toBe(true);
    expect(decideAlert(low, state(null), { ...defaultDriftSettings, alertMinSeverity: 'LOW' }).raise).toBe(true);
  });
});

describe('formatAlertMessage', () => {
  it.each([
    // 0.21 / 0.92 = 22.83 %; the step is at the first run after the warm-up
    ['a fall', analysisOf(0.92, 0.71, 'test_login'), `test_login: confidence fell from 0.92 to 0.71 (-22.8 %, HIGH) since ${hour(stepBefore).toISOString()}`],
    // 0.3 / 0.6 = 50 %
    ['a rise', analysisOf(0.6, 0.9), `login: confidence rose from 0.60 to 0.90 (+50.0 %, CRITICAL) since ${hour(stepBefore).toISOString()}`],
    [
      'flakiness says what rose',
      { ...high, kind: 'FLAKINESS' as const, driftPercentage: 0.18, currentConfidence: 0.8 },
      `login: flaky, 18.0 % more runs fall low (confidence 0.90 to 0.80, HIGH) since ${hour(stepBefore).toISOString()}`,
    ],
    [
      'so does a change of spread',
      { ...medium, kind: 'VARIANCE' as const, driftPercentage: 0.12 },
      `login: erratic, 12.0 % more runs land outside the normal band (confidence 0.90 to 0.80, MEDIUM) since ${hour(stepBefore).toISOString()}`,
    ],
    ['no change point known: no "since"', { ...critical, changePointAt: null }, 'login: confidence fell from 0.90 to 0.60 (-33.3 %, CRITICAL)'],
  ])('%s', (_what, analysis, message) => {
    expect(formatAlertMessage(analysis)).toBe(message);
  });
});
