import type { Store } from '../../src/store/store.js';

/** Twenty measurements of a test that falls from 0.9 to 0.5 halfway, ending a minute ago: a CRITICAL drift. */
export async function recordFalling(store: Store, testName: string, category = 'ui'): Promise<void> {
  const now = Date.now();
  await store.recordMeasurements(
    Array.from({ length: 20 }, (_, i) => ({ testName, category, confidence: i < 10 ? 0.9 : 0.5, timestamp: new Date(now - (20 - i) * 60_000) })),
  );
}
