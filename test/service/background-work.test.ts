import { describe, expect, vi } from 'vitest';
import { InProcessAlertBus } from '../../src/service/alert-bus.js';
import { IngestAnalyzer, scheduleRetention } from '../../src/service/background-work.js';
import { StoreDriftService } from '../../src/service/store-drift-service.js';
import { backends, storeTest } from '../support/test-stores.js';
import { stepRows } from '../support/falling-series.js';

const quiet = { info: () => {}, error: () => {} };

for (const backend of backends) {
  describe(`background work on ${backend}`, () => {
    const test = storeTest(backend);

    test('writes through a watched store are analysed together once the burst is over', async ({ store }) => {
      const bus = new InProcessAlertBus();
      const drift = new StoreDriftService(store, bus, { lookbackDays: 30 });
      const analyzer = new IngestAnalyzer(drift, 60_000, quiet);
      const watched = analyzer.watch(store);
      const now = Date.now();
      // a falling series written in bursts of five
      const rows = stepRows('falling', 0.9, 0.5, { end: now });
      for (let from = 0; from < rows.length; from += 5) await watched.recordMeasurements(rows.slice(from, from + 5));
      await watched.recordMeasurement({ testName: 'other', confidence: 0.7 });
      expect(await store.countAnalyses({})).toBe(0); // still gathering
      await analyzer.flush();
      expect((await store.listAnalyses({}, { first: 10 })).items.map((a) => a.testName).sort()).toStrictEqual(['falling', 'other']);
      expect((await store.listAlerts({}, { first: 10 })).items.map((a) => [a.testName, a.severity])).toStrictEqual([['falling', 'CRITICAL']]);
      await analyzer.close();
      await bus.close();
    });

    test('scheduled retention cleans up on its interval', async ({ store }) => {
      await store.recordMeasurements([
        { testName: 'old', confidence: 0.5, timestamp: new Date(Date.now() - 200 * 86_400_000) },
        { testName: 'new', confidence: 0.5 },
      ]);
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const logged: object[] = [];
      const schedule = scheduleRetention(
        store,
        { retentionIntervalMinutes: 60, retention: { measurementsDays: 90, analysisDays: 30, alertsDays: 60 }, analyzeAfterIngest: false, analyzeDebounceMs: 0 },
        { info: (fields) => logged.push(fields), error: () => {} },
      );
      try {
        expect(await store.countMeasurements({})).toBe(2);
        vi.advanceTimersByTime(60 * 60_000);
        await vi.waitFor(() => expect(logged).toStrictEqual([{ deleted: { measurements: 1, analyses: 0, alerts: 0 } }]), { timeout: 5000 });
        expect(await store.countMeasurements({})).toBe(1);
      } finally {
        schedule.stop();
        vi.useRealTimers();
      }
    });
  });
}
