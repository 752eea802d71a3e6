import { defaultDriftSettings } from '../../src/drift/settings.js';
import type { Store } from '../../src/store/store.js';

/**
 * Runs recorded before a step: the detector's warm-up, so it has learnt the test's baseline when the
 * change comes (a change inside the warm-up is learnt as normal and can never be confirmed).
 */
export const stepBefore = defaultDriftSettings.detection.warmup;
/** Runs after the step: enough for the sequential test to confirm it and to fill the current window. */
export const stepAfter = 10;

/**
 * A test holding `from` for `stepBefore` runs, then `to` for `stepAfter`, a minute apart and ending
 * a minute before `end`: the earliest window reads `from` and the latest `to`.
 */
export function stepRows(testName: string, from: number, to: number, options: { category?: string | null; end?: number; spacingMs?: number } = {}) {
  const { category = null, end = Date.now(), spacingMs = 60_000 } = options;
  const n = stepBefore + stepAfter;
  return Array.from({ length: n }, (_, i) => ({ testName, category, confidence: i < stepBefore ? from : to, timestamp: new Date(end - (n - i) * spacingMs) }));
}

/** A test that falls from 0.9 to 0.5, ending a minute ago: a CRITICAL drift the detector confirms. */
export async function recordFalling(store: Store, testName: string, category = 'ui'): Promise<void> {
  await store.recordMeasurements(stepRows(testName, 0.9, 0.5, { category }));
}

/** stepRows as GraphQL input: instants as ISO strings. */
export function stepInputs(testName: string, from: number, to: number, options: { category?: string | null; end?: number; spacingMs?: number } = {}) {
  return stepRows(testName, from, to, options).map((row) => ({ ...row, timestamp: row.timestamp.toISOString() }));
}
