// The drift runner over a real store: analyses persist, alerts follow the episode policy and are published.
import { describe, expect } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { InProcessAlertBus } from '../../src/service/alert-bus.js';
import { analyzeTest } from '../../src/drift/analyze.js';
import { analyzeTests } from '../../src/drift/analyze-tests.js';
import { foldPoints, initialDetectorState } from '../../src/drift/sequential.js';
import { defaultDriftSettings } from '../../src/drift/settings.js';
import { engineWorker } from '../../src/service/engine-worker.js';
import { StoreDriftService } from '../../src/service/store-drift-service.js';
import type { DriftAlert, Store } from '../../src/store/store.js';
import { stepBefore } from '../support/falling-series.js';
import { backends, rejectTestNamed, storeTest } from '../support/test-stores.js';

const now = new Date('2026-11-24T12:00:00.000Z');
const start = now.getTime() - 5 * 86_400_000;

/** Appends runs of a test, an hour apart, after whatever the test already has. */
function recorder(store: Store) {
  let hour = 0;
  return async (testName: string, confidence: number, times: number, category = 'ui') => {
    const rows = Array.from({ length: times }, () => ({ testName, confidence, category, timestamp: new Date(start + hour++ * 3_600_000) }));
    await store.recordMeasurements(rows);
  };
}

function setup(store: Store) {
  const bus = new InProcessAlertBus();
  const published: DriftAlert[] = [];
  const controller = new AbortController();
  void (async () => {
    for await (const alert of bus.subscribe(controller.signal)) published.push(alert);
  })();
  let clock = now.getTime();
  const service = new StoreDriftService(store, bus, { lookbackDays: 30 }, () => new Date((clock += 60_000)));
  return { service, published, stop: () => controller.abort() };
}

for (const backend of backends) {
  describe(`drift service on ${backend}`, () => {
    const test = storeTest(backend);

    test('analyses every test, stores each analysis and alerts on the falling one only', async ({ store }) => {
      const record = recorder(store);
      await record('stable', 0.9, 20);
      // steady runs teach the detector the baseline before the drop
      await record('falling', 0.9, stepBefore, 'payments');
      await record('falling', 0.6, 10, 'payments');
      await record('new', 0.5, 3);
      const { service, published, stop } = setup(store);
      const outcome = await service.analyze({});
      expect(outcome.analyses.map((a) => [a.testName, a.severity, a.trend])).toStrictEqual([
        ['falling', 'CRITICAL', 'degrading'],
        ['new', 'NONE', 'insufficient_data'],
        ['stable', 'NONE', 'stable'],
      ]);
      expect(await store.countAnalyses({})).toBe(3);
      expect(outcome.alerts).toHaveLength(1);
      expect(outcome.alerts[0]).toMatchObject({ testName: 'falling', category: 'payments', severity: 'CRITICAL', acknowledged: false });
      // falling starts after stable's 20 hourly runs; its drop begins stepBefore runs later
      const drop = new Date(start + (20 + stepBefore) * 3_600_000).toISOString();
      expect(outcome.alerts[0]!.message).toBe(`falling: confidence fell from 0.90 to 0.60 (-33.3 %, CRITICAL) since ${drop}`);
      expect(outcome.analyses[0]!.kind).toBe('MEAN_SHIFT');
      await new Promise((resolve) => setImmediate(resolve));
      expect(published.map((a) => a.id)).toStrictEqual(outcome.alerts.map((a) => a.id));
      stop();
    });

    test('one episode raises one alert; escalation and a new episode raise again; acknowledging does not re-arm', async ({ store }) => {
      const record = recorder(store);
      const { service, stop } = setup(store);
      const severities = async () => (await service.analyze({ testNames: ['t'] })).alerts.map((a) => a.severity);

      await record('t', 0.9, stepBefore); // the detector's warm-up
      await record('t', 0.8, 10); // 11 % drop: MEDIUM
      expect(await severities()).toStrictEqual(['MEDIUM']);
      expect(await severities()).toStrictEqual([]); // same episode

      const [first] = (await store.listAlerts({}, { first: 1 })).items;
      await store.acknowledgeAlert(first!.id, 'ana', now);
      expect(await severities()).toStrictEqual([]); // acknowledged, still the same episode

      await record('t', 0.6, 10); // current window now 0.6: CRITICAL
      expect(await severities()).toStrictEqual(['CRITICAL']); // escalation
      expect(await severities()).toStrictEqual([]);

      await record('t', 0.9, 20); // back to the baseline: recovered
      expect(await severities()).toStrictEqual([]);
      await record('t', 0.6, 10); // drifts again
      expect(await severities()).toStrictEqual(['CRITICAL']);
      expect(await store.countAlerts({})).toBe(3);
      stop();
    });

    test('instances analysing the same falling test at once raise one alert between them', async ({ store, database }) => {
      const record = recorder(store);
      await record('t', 0.9, stepBefore);
      await record('t', 0.5, 10);
      const other = await openStore(database.config);
      try {
        const bus = new InProcessAlertBus();
        const instances = [store, other, store, other].map((s) => new StoreDriftService(s, bus, { lookbackDays: 30 }, () => now));
        const outcomes = await Promise.all(instances.map((service) => service.analyze({ testNames: ['t'] })));
        expect(outcomes.flatMap((o) => o.alerts)).toHaveLength(1);
        expect(await store.countAlerts({})).toBe(1);
        await bus.close();
      } finally {
        await other.close();
      }
    });

    test('scopes by test names and by category; unknown names are skipped', async ({ store }) => {
      const record = recorder(store);
      await record('a', 0.9, 8, 'ui');
      await record('b', 0.9, 8, 'api');
      await record('c', 0.9, 8, 'api');
      const { service, stop } = setup(store);
      expect((await service.analyze({ testNames: ['c', 'nope', 'a'] })).analyses.map((a) => a.testName)).toStrictEqual(['a', 'c']);
      // c was analysed by name just now and has no new measurement: only b is pending, unless all are asked for.
      expect((await service.analyze({ category: 'api' })).analyses.map((a) => a.testName)).toStrictEqual(['b']);
      expect((await service.analyze({ category: 'api', all: true })).analyses.map((a) => a.testName)).toStrictEqual(['b', 'c']);
      await record('c', 0.5, 2, 'api');
      expect((await service.analyze({})).analyses.map((a) => a.testName)).toStrictEqual(['c']);
      expect((await service.analyze({ testNames: ['a', 'b'], category: 'api' })).analyses.map((a) => a.testName)).toStrictEqual(['b']);
      stop();
    });

    test('a state kept across batches and restarts equals a replay of the whole series', async ({ store }) => {
      const detection = defaultDriftSettings.detection;
      // noisy runs around 0.9 past the warm-up, then 14 around 0.78: a 13 % drop confirmed mid-way
      const steady = stepBefore + 6;
      const points = Array.from({ length: steady + 14 }, (_, i) => ({
        confidence: (i < steady ? 0.9 : 0.78) + ((i * 7) % 5) * 0.004 - 0.008,
        timestamp: new Date(start + i * 3_600_000),
      }));
      const bus = new InProcessAlertBus();
      let last: Awaited<ReturnType<StoreDriftService['analyze']>> | undefined;
      for (let from = 0; from < points.length; from += 7) {
        await store.recordMeasurements(points.slice(from, from + 7).map((p) => ({ testName: 't', category: 'ui', ...p })));
        // a new service each time: only the database carries the fold from one batch to the next
        last = await new StoreDriftService(store, bus, { lookbackDays: 30 }, () => now).analyze({ testNames: ['t'] });
      }
      const replayed = foldPoints(initialDetectorState(detection), points, detection);
      const [kept] = await store.detectorStates(['t']);
      expect(kept).toStrictEqual({ testName: 't', state: replayed, pointsSeen: points.length, lastTimestamp: points.at(-1)!.timestamp, updatedAt: now });
      const { id: _id, ...incremental } = last!.analyses[0]!;
      const { thresholds: _thresholds, ...fromScratch } = analyzeTest({ testName: 't', category: 'ui', points }, defaultDriftSettings, now);
      expect(incremental).toStrictEqual(fromScratch);
      expect(incremental).toMatchObject({ severity: 'MEDIUM', kind: 'MEAN_SHIFT', direction: 'DECREASING' });
      // the alert came when the drop was confirmed, in an earlier batch
      expect(await store.countAlerts({})).toBe(1);
      await bus.close();
    });

    test('a pass of several batches analyses each test once, as the engine alone does, on the engine thread', async ({ store }) => {
      // 2,100 tests: two full batches and a part one; every tenth falls by a third after its warm-up
      const names = Array.from({ length: 2100 }, (_, t) => `t${String(t).padStart(4, '0')}`);
      const runs = stepBefore + 10;
      await store.recordMeasurements(
        names.flatMap((testName, t) =>
          Array.from({ length: runs }, (_, i) => ({
            testName,
            category: t % 3 === 0 ? 'api' : 'ui',
            confidence: (t % 10 === 0 && i >= stepBefore ? 0.6 : 0.9) + ((t * 7 + i * 3) % 5) * 0.003,
            timestamp: new Date(start + i * 3_600_000),
          })),
        ),
      );
      const { service, stop } = setup(store);
      const outcome = await service.analyze({ all: true });
      expect(engineWorker.started).toBe(true);
      const expected = analyzeTests(
        { names, series: await store.seriesOfTests(names, new Date(now.getTime() - 30 * 86_400_000)), kept: [], now },
        defaultDriftSettings,
      );
      const essentials = (a: { testName: string; severity: string; driftPercentage: number; baselineConfidence: number; kind: string | null }) => [
        a.testName,
        a.severity,
        a.driftPercentage,
        a.baselineConfidence,
        a.kind,
      ];
      expect(outcome.analyses.map(essentials)).toStrictEqual(expected.results.map(essentials));
      expect(outcome.analyses.filter((a) => a.severity === 'CRITICAL')).toHaveLength(210);
      const kept = await store.detectorStates(names);
      expect(kept.map((row) => [row.testName, row.state]).sort()).toStrictEqual(expected.states.map((row) => [row.testName, row.state]).sort());
      // A new run for 1,500 of them: the next pass takes those, each once, in two batches.
      const touched = names.filter((_, t) => t % 7 !== 0).slice(0, 1500);
      await store.recordMeasurements(touched.map((testName) => ({ testName, category: 'ui', confidence: 0.9, timestamp: new Date(start + runs * 3_600_000) })));
      expect((await service.analyze({})).analyses.map((a) => a.testName)).toStrictEqual(touched);
      expect((await service.analyze({})).analyses).toStrictEqual([]);
      stop();
    });

    test('a batch whose analyses are refused fails the pass and stays pending; the batch before it is marked', async ({ store, database }) => {
      // 2,500 tests: batches of 1,000, 1,000 and 500; the database refuses the analysis of t1500.
      const names = Array.from({ length: 2500 }, (_, t) => `t${String(t).padStart(4, '0')}`);
      await store.recordMeasurements(names.flatMap((testName) => [0, 1].map((i) => ({ testName, category: 'ui', confidence: 0.9, timestamp: new Date(start + i * 3_600_000) }))));
      await rejectTestNamed(database.config, 't1500', 'drift_analysis');
      const { service, stop } = setup(store);
      await expect(service.analyze({ all: true })).rejects.toThrow();
      // Marks follow only saved analyses: the refused batch and the one after it stay pending.
      expect(await store.listTestNames({ pending: true })).toStrictEqual(names.slice(1000));
      expect((await store.latestAnalyses(names)).map((a) => a.testName)).toStrictEqual(names.slice(0, 1000));
      stop();
    });

    test('a late measurement counts in the windows but not in the detector', async ({ store }) => {
      const record = recorder(store);
      await record('t', 0.9, stepBefore + 4);
      const { service, stop } = setup(store);
      await service.analyze({ testNames: ['t'] });
      const [before] = await store.detectorStates(['t']);
      // an hour before the newest run already folded in (the recorder's runs are on the hour)
      await store.recordMeasurement({ testName: 't', confidence: 0.1, category: 'ui', timestamp: new Date(start + (stepBefore + 2.5) * 3_600_000) });
      const [analysis] = (await service.analyze({ testNames: ['t'] })).analyses;
      const [after] = await store.detectorStates(['t']);
      expect(after!.state).toStrictEqual(before!.state);
      expect(after!.pointsSeen).toBe(stepBefore + 4);
      // the windows see it: one run more, the latest ten averaging (9 x 0.9 + 0.1) / 10 = 0.82
      expect(analysis).toMatchObject({ measurementsCount: stepBefore + 5, currentConfidence: expect.closeTo(0.82, 12), kind: null });
      // an unconfirmed 8.9 % drop: LOW at most
      expect(analysis!.severity).toBe('LOW');
      stop();
    });

    test('a preview computes now and stores nothing; measurements outside the lookback are ignored', async ({ store }) => {
      await store.recordMeasurements([
        { testName: 'x', confidence: 0.1, timestamp: new Date(now.getTime() - 40 * 86_400_000) },
        ...Array.from({ length: 8 }, (_, i) => ({ testName: 'x', confidence: 0.7, timestamp: new Date(start + i * 3_600_000) })),
      ]);
      const { service, stop } = setup(store);
      const preview = await service.preview('x');
      expect(preview).toMatchObject({ testName: 'x', measurementsCount: 8, baselineConfidence: 0.7, severity: 'NONE' });
      expect(await service.preview('unknown')).toBeNull();
      expect(await store.countAnalyses({})).toBe(0);
      expect(service.thresholdsFor('ui')).toStrictEqual({ low: 0.05, medium: 0.1, high: 0.2, critical: 0.3 });
      stop();
    });
  });
}
