// The behaviour every Store must show, run once per backend against a real database.
import { describe, expect, onTestFinished } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { InvalidInputError } from '../../src/store/errors.js';
import type {
  DriftAlert,
  Measurement,
  NewDriftAlert,
  NewDriftAnalysis,
  NewMeasurement,
  Severity,
  StorageBackend,
  Store,
  TimeCursor,
} from '../../src/store/store.js';
import { createTestDatabase, insertRawMeasurements, migrateUpTo, rejectTestNamed, storeTest } from '../support/test-stores.js';

const t0 = new Date('2026-11-01T00:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);

function analysis(testName: string, overrides: Partial<NewDriftAnalysis> = {}): NewDriftAnalysis {
  return {
    testName,
    category: 'ui',
    baselineConfidence: 0.9,
    currentConfidence: 0.72,
    driftPercentage: 0.2,
    driftAbsolute: 0.18,
    severity: 'HIGH',
    direction: 'DECREASING',
    trend: 'degrading',
    measurementsCount: 20,
    timeSpanSeconds: 3600,
    recommendations: ['Review the recent failures of ' + testName],
    kind: 'MEAN_SHIFT',
    pValue: 0.001,
    changePointAt: at(30),
    analyzedAt: at(60),
    ...overrides,
  };
}

function alert(testName: string, overrides: Partial<NewDriftAlert> = {}): NewDriftAlert {
  return {
    testName,
    category: 'ui',
    severity: 'HIGH',
    driftPercentage: 0.2,
    message: `${testName}: confidence fell from 0.90 to 0.72 (-20.0 %, HIGH)`,
    recommendations: ['Review the recent failures'],
    createdAt: at(60),
    ...overrides,
  };
}

const cursorOf = (m: Measurement): TimeCursor => ({ at: m.timestamp, id: m.id });

export function storeSuite(backend: StorageBackend) {
  const test = storeTest(backend);

  describe(`${backend} store`, () => {
    describe('an empty database', () => {
      test('lists nothing and counts zero', async ({ store }) => {
        expect(await store.listMeasurements({}, { first: 10 })).toStrictEqual({
          items: [],
          hasNextPage: false,
          hasPreviousPage: false,
        });
        expect(await store.countMeasurements({})).toBe(0);
        expect(await store.listTests({}, { first: 10 })).toStrictEqual({ items: [], hasNextPage: false, hasPreviousPage: false });
        expect(await store.countTests({})).toBe(0);
        expect(await store.listTestNames({ limit: 10 })).toStrictEqual([]);
        expect(await store.countAlerts({})).toBe(0);
        expect(await store.countAnalyses({})).toBe(0);
        expect(await store.latestAnalyses(['nope'])).toStrictEqual([]);
        expect(await store.getMeasurements([1, 2])).toStrictEqual([]);
        expect(await store.getTests(['nope'])).toStrictEqual([]);
        expect(await store.measurementsOfTests(['nope'])).toStrictEqual([]);
        expect(await store.measurementsOfTests([])).toStrictEqual([]);
        expect(await store.alertHistory('nope')).toStrictEqual({ lastAlert: null, severitiesSinceLastAlert: [] });
      });

      test('has statistics of zero with null averages', async ({ store }) => {
        expect(await store.statistics({})).toStrictEqual({
          totalTests: 0,
          totalMeasurements: 0,
          avgConfidence: null,
          minConfidence: null,
          maxConfidence: null,
        });
      });

      test('reports a positive size and the backend', async ({ store }) => {
        expect(store.backend).toBe(backend);
        expect(await store.databaseSizeBytes()).toBeGreaterThan(0);
        expect(store.schema === null).toBe(backend === 'sqlite');
      });
    });

    describe('recording', () => {
      test('reads back instants of every storable year as they were written', async ({ store }) => {
        const instants = ['0001-01-01T00:00:00.000Z', '0010-05-01T12:34:56.789Z', '0049-12-31T23:59:59.999Z', '0099-02-28T00:00:00.001Z', '0100-01-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'];
        await store.recordMeasurements(instants.map((iso) => ({ testName: 'years', confidence: 0.5, timestamp: new Date(iso) })));
        expect((await store.measurementsOfTests(['years'])).map((m) => m.timestamp.toISOString())).toStrictEqual(instants);
        const [test] = await store.getTests(['years']);
        expect([test!.firstSeen.toISOString(), test!.lastSeen.toISOString()]).toStrictEqual([instants[0], instants[instants.length - 1]]);
      });

      test('stores one measurement with every field', async ({ store }) => {
        const saved = await store.recordMeasurement({
          testName: 'login',
          confidence: 0.875,
          category: 'auth',
          timestamp: at(5),
          failureId: 'F-17',
          ruleScore: 0.5,
          signalScore: 0.25,
        });
        expect(saved).toStrictEqual({
          id: saved.id,
          testName: 'login',
          confidence: 0.875,
          category: 'auth',
          timestamp: at(5),
          failureId: 'F-17',
          ruleScore: 0.5,
          signalScore: 0.25,
          createdAt: saved.createdAt,
        });
        expect(saved.id).toBeGreaterThan(0);
        expect(await store.getMeasurements([saved.id])).toStrictEqual([saved]);
      });

      test('defaults the timestamp to the time of receipt and optional fields to null', async ({ store }) => {
        const before = Date.now();
        const saved = await store.recordMeasurement({ testName: 'login', confidence: 0.5 });
        const after = Date.now();
        expect(saved.timestamp.getTime()).toBeGreaterThanOrEqual(before);
        expect(saved.timestamp.getTime()).toBeLessThanOrEqual(after);
        expect([saved.category, saved.failureId, saved.ruleScore, saved.signalScore]).toStrictEqual([null, null, null, null]);
      });

      test('keeps unicode names and the bounds 0 and 1 exactly', async ({ store }) => {
        const name = 'тест_登录_🚀 "quoted" \'single\'';
        await store.recordMeasurements([
          { testName: name, confidence: 0, category: 'カテゴリ', timestamp: at(1) },
          { testName: name, confidence: 1, category: 'カテゴリ', timestamp: at(2) },
        ]);
        const rows = await store.measurementsOfTests([name]);
        expect(rows.map((r) => [r.testName, r.confidence, r.category])).toStrictEqual([
          [name, 0, 'カテゴリ'],
          [name, 1, 'カテゴリ'],
        ]);
      });

      test('stores a batch whole and counts it', async ({ store }) => {
        const batch = Array.from({ length: 1234 }, (_, i) => ({
          testName: `t${i % 7}`,
          confidence: (i % 100) / 100,
          timestamp: at(i),
        }));
        expect(await store.recordMeasurements(batch)).toStrictEqual({ inserted: 1234, replaced: 0 });
        expect(await store.countMeasurements({})).toBe(1234);
        expect(await store.countMeasurements({ testName: 't3' })).toBe(batch.filter((b) => b.testName === 't3').length);
      });

      test('a test and instant recorded again replaces its value, alone and in a batch, where the later row wins', async ({ store }) => {
        const first = await store.recordMeasurement({ testName: 'a', confidence: 0.5, category: 'ui', failureId: 'F-1', timestamp: at(1) });
        const again = await store.recordMeasurement({ testName: 'a', confidence: 0.7, category: 'api', timestamp: at(1) });
        expect([again.id, again.confidence, again.category, again.failureId]).toStrictEqual([first.id, 0.7, 'api', null]);
        expect(await store.countMeasurements({})).toBe(1);

        const outcome = await store.recordMeasurements([
          { testName: 'a', confidence: 0.8, timestamp: at(1) }, // replaces the stored value
          { testName: 'b', confidence: 0.2, timestamp: at(1) }, // new, then replaced by the row below
          { testName: 'a', confidence: 0.3, timestamp: at(2) }, // new
          { testName: 'b', confidence: 0.4, timestamp: at(1) },
        ]);
        expect(outcome).toStrictEqual({ inserted: 2, replaced: 2 });
        const stored = await store.measurementsOfTests(['a', 'b']);
        expect(stored.map((m) => [m.testName, m.timestamp, m.confidence])).toStrictEqual([
          ['a', at(1), 0.8],
          ['a', at(2), 0.3],
          ['b', at(1), 0.4],
        ]);
        expect(stored[0]!.id).toBe(first.id);
      });

      test('a batch retried after an unknown outcome is stored once', async ({ store }) => {
        const batch = Array.from({ length: 600 }, (_, i) => ({ testName: `t${i % 6}`, confidence: (i % 10) / 10, timestamp: at(i) }));
        expect(await store.recordMeasurements(batch)).toStrictEqual({ inserted: 600, replaced: 0 });
        expect(await store.recordMeasurements(batch)).toStrictEqual({ inserted: 0, replaced: 600 });
        expect(await store.countMeasurements({})).toBe(600);
        expect((await store.statistics({})).avgConfidence).toBeCloseTo(0.45, 10);
      });

      test('a database from before the rule keeps the latest recording of each test and instant when it migrates', async ({ database }) => {
        await migrateUpTo(database.config, 1);
        await insertRawMeasurements(database.config, [
          { id: 1, testName: 'a', confidence: 0.1, timestamp: at(1) },
          { id: 2, testName: 'a', confidence: 0.2, timestamp: at(1) },
          { id: 3, testName: 'b', confidence: 0.3, timestamp: at(1) },
          { id: 4, testName: 'a', confidence: 0.4, timestamp: at(2) },
          { id: 5, testName: 'a', confidence: 0.5, timestamp: at(1) },
        ]);
        const store = await openStore(database.config);
        try {
          const kept = await store.measurementsOfTests(['a', 'b']);
          expect(kept.map((m) => [m.id, m.testName, m.confidence])).toStrictEqual([
            [5, 'a', 0.5],
            [4, 'a', 0.4],
            [3, 'b', 0.3],
          ]);
          expect(await store.recordMeasurements([{ testName: 'a', confidence: 0.9, timestamp: at(1) }])).toStrictEqual({ inserted: 0, replaced: 1 });
        } finally {
          await store.close();
        }
      });

      test('an empty batch stores nothing', async ({ store }) => {
        expect(await store.recordMeasurements([])).toStrictEqual({ inserted: 0, replaced: 0 });
        expect(await store.countMeasurements({})).toBe(0);
      });

      const invalid: [string, Partial<NewMeasurement>, string][] = [
        ['confidence above 1', { confidence: 1.5 }, 'confidence'],
        ['negative confidence', { confidence: -0.1 }, 'confidence'],
        ['NaN confidence', { confidence: Number.NaN }, 'confidence'],
        ['infinite confidence', { confidence: Number.POSITIVE_INFINITY }, 'confidence'],
        ['an empty test name', { testName: '   ' }, 'testName'],
        ['a 10,000-character test name', { testName: 'x'.repeat(10_000) }, 'testName'],
        ['an invalid date', { timestamp: new Date('not a date') }, 'timestamp'],
        ['a rule score above 1', { ruleScore: 2 }, 'ruleScore'],
      ];
      for (const [what, change, field] of invalid) {
        test(`a batch with ${what} in one row stores nothing`, async ({ store }) => {
          const batch: NewMeasurement[] = Array.from({ length: 5 }, (_, i) => ({ testName: 'ok', confidence: 0.5, timestamp: at(i) }));
          batch[3] = { ...batch[3]!, ...change };
          const error = await store.recordMeasurements(batch).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(InvalidInputError);
          expect((error as InvalidInputError).issues.map((i) => i.path)).toStrictEqual([`3.${field}`]);
          expect(await store.countMeasurements({})).toBe(0);
        });
      }

      test('a single invalid measurement is refused', async ({ store }) => {
        await expect(store.recordMeasurement({ testName: 'x', confidence: 2 })).rejects.toBeInstanceOf(InvalidInputError);
        expect(await store.countMeasurements({})).toBe(0);
      });

      test('concurrent batches all land', async ({ store }) => {
        await Promise.all(
          Array.from({ length: 8 }, (_, b) =>
            store.recordMeasurements(Array.from({ length: 50 }, (_, i) => ({ testName: `c${b}`, confidence: 0.5, timestamp: at(i) }))),
          ),
        );
        expect(await store.countMeasurements({})).toBe(400);
        expect(await store.countTests({})).toBe(8);
      });
    });

    describe('a batch the database itself rejects part-way', () => {
      test('stores none of its rows', async ({ store, database }) => {
        await rejectTestNamed(database.config, 'poison');
        const batch = Array.from({ length: 3000 }, (_, i) => ({ testName: i === 2500 ? 'poison' : `ok-${i}`, confidence: 0.5, timestamp: at(i) }));
        await expect(store.recordMeasurements(batch)).rejects.toThrow();
        expect(await store.countMeasurements({})).toBe(0);
        // The same rows without the poisoned one land whole.
        expect(await store.recordMeasurements(batch.filter((row) => row.testName !== 'poison'))).toStrictEqual({ inserted: 2999, replaced: 0 });
      });
    });

    describe('listing measurements', () => {
      async function seed(store: Store) {
        // Two tests share a timestamp: ties are broken by id.
        await store.recordMeasurements([
          { testName: 'a', confidence: 0.1, category: 'ui', timestamp: at(1) },
          { testName: 'b', confidence: 0.2, category: 'api', timestamp: at(2) },
          { testName: 'a', confidence: 0.3, category: 'ui', timestamp: at(3) },
          { testName: 'c', confidence: 0.4, category: 'ui', timestamp: at(3) },
          { testName: 'b', confidence: 0.5, category: 'api', timestamp: at(4) },
          { testName: 'c', confidence: 0.6, category: 'ui', timestamp: at(5) },
          { testName: 'a', confidence: 0.7, category: 'ui', timestamp: at(6) },
        ]);
      }

      test('runs newest first, ties by id', async ({ store }) => {
        await seed(store);
        const page = await store.listMeasurements({}, { first: 10 });
        expect(page.items.map((m) => m.confidence)).toStrictEqual([0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]);
      });

      test('filters by test, category and an inclusive time range', async ({ store }) => {
        await seed(store);
        const confidences = async (filter: Parameters<Store['listMeasurements']>[0]) =>
          (await store.listMeasurements(filter, { first: 10 })).items.map((m) => m.confidence);
        expect(await confidences({ testName: 'a' })).toStrictEqual([0.7, 0.3, 0.1]);
        expect(await confidences({ category: 'api' })).toStrictEqual([0.5, 0.2]);
        expect(await confidences({ since: at(3), until: at(5) })).toStrictEqual([0.6, 0.5, 0.4, 0.3]);
        expect(await confidences({ since: at(3), until: at(3) })).toStrictEqual([0.4, 0.3]);
        expect(await confidences({ testName: 'unknown' })).toStrictEqual([]);
        expect(await store.countMeasurements({ testName: 'a', since: at(2) })).toBe(2);
      });

      test('pages forward and back across equal timestamps without gaps or repeats', async ({ store }) => {
        await seed(store);
        const forward: number[] = [];
        let page = await store.listMeasurements({}, { first: 3 });
        expect([page.hasNextPage, page.hasPreviousPage]).toStrictEqual([true, false]);
        forward.push(...page.items.map((m) => m.confidence));
        page = await store.listMeasurements({}, { first: 3, after: cursorOf(page.items.at(-1)!) });
        expect([page.hasNextPage, page.hasPreviousPage]).toStrictEqual([true, true]);
        forward.push(...page.items.map((m) => m.confidence));
        page = await store.listMeasurements({}, { first: 3, after: cursorOf(page.items.at(-1)!) });
        expect([page.hasNextPage, page.hasPreviousPage]).toStrictEqual([false, true]);
        forward.push(...page.items.map((m) => m.confidence));
        expect(forward).toStrictEqual([0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]);

        const last = await store.listMeasurements({}, { last: 2 });
        expect(last.items.map((m) => m.confidence)).toStrictEqual([0.2, 0.1]);
        expect([last.hasNextPage, last.hasPreviousPage]).toStrictEqual([false, true]);
        const before = await store.listMeasurements({}, { last: 3, before: cursorOf(last.items[0]!) });
        expect(before.items.map((m) => m.confidence)).toStrictEqual([0.5, 0.4, 0.3]);
        expect([before.hasNextPage, before.hasPreviousPage]).toStrictEqual([true, true]);
      });

      test('pages through a batch recorded without timestamps (one shared instant) by id, each row once, both ways', async ({ store }) => {
        await store.recordMeasurements(Array.from({ length: 10 }, (_, i) => ({ testName: `same-instant-${i}`, confidence: i / 10 })));
        const all = (await store.listMeasurements({}, { first: 100 })).items;
        expect(new Set(all.map((m) => m.timestamp.getTime())).size).toBe(1);
        const forward: number[] = [];
        for (let page = await store.listMeasurements({}, { first: 3 }); ; page = await store.listMeasurements({}, { first: 3, after: cursorOf(page.items.at(-1)!) })) {
          forward.push(...page.items.map((m) => m.id));
          if (!page.hasNextPage) break;
        }
        expect(forward).toStrictEqual(all.map((m) => m.id));
        const backward: number[] = [];
        for (let page = await store.listMeasurements({}, { last: 4 }); ; page = await store.listMeasurements({}, { last: 4, before: cursorOf(page.items[0]!) })) {
          backward.unshift(...page.items.map((m) => m.id));
          if (!page.hasPreviousPage) break;
        }
        expect(backward).toStrictEqual(all.map((m) => m.id));
      });

      test('reads named tests by name, then in time order, optionally since a moment', async ({ store }) => {
        await seed(store);
        expect((await store.measurementsOfTests(['a'])).map((m) => m.confidence)).toStrictEqual([0.1, 0.3, 0.7]);
        expect((await store.measurementsOfTests(['c', 'a', 'zz'], at(3))).map((m) => [m.testName, m.confidence])).toStrictEqual([
          ['a', 0.3],
          ['a', 0.7],
          ['c', 0.4],
          ['c', 0.6],
        ]);
      });

      test('reads the series analysis needs: every double and instant exactly, the category of the latest point', async ({ store }) => {
        const instant = (iso: string) => new Date(iso);
        const points = [
          { confidence: 0.1 + 0.2, category: 'ui', timestamp: instant('0010-05-01T00:00:00.123Z') },
          { confidence: 1 / 3, category: 'ui', timestamp: instant('1969-12-31T23:59:59.999Z') },
          { confidence: 0.8123456789012345, category: 'ui', timestamp: at(1) },
          { confidence: 1e-7 / 3, category: null, timestamp: at(2) },
          { confidence: 1, category: 'api', timestamp: instant('9999-12-31T23:59:59.999Z') },
          { confidence: 0, category: 'ui', timestamp: at(3) },
        ];
        await store.recordMeasurements([...points.map((p) => ({ testName: 'a', ...p })), { testName: 'b', confidence: 0.5, timestamp: at(1) }]);
        // Points in time order, as plain values, to compare.
        const read = async (names: string[], since?: Date) =>
          (await store.seriesOfTests(names, since))
            .map(({ testName, category, confidences, timestamps }) => ({
              testName,
              category,
              points: Array.from(confidences, (confidence, i) => ({ confidence, timestamp: new Date(timestamps[i]!) })).sort((x, y) => x.timestamp.getTime() - y.timestamp.getTime()),
            }))
            .sort((x, y) => x.testName.localeCompare(y.testName));
        const expected = [...points].sort((x, y) => x.timestamp.getTime() - y.timestamp.getTime()).map(({ confidence, timestamp }) => ({ confidence, timestamp }));
        expect(await read(['zz', 'a'])).toStrictEqual([{ testName: 'a', category: 'api', points: expected }]);
        expect(await read(['a', 'b'], at(2))).toStrictEqual([{ testName: 'a', category: 'api', points: expected.filter((p) => p.timestamp >= at(2)) }]);
        expect(await read(['b'])).toStrictEqual([{ testName: 'b', category: null, points: [{ confidence: 0.5, timestamp: at(1) }] }]);
        // No stored name holds NUL (every way in refuses it): asking for one finds nothing.
        expect(await read(['a\u0000', 'b'])).toStrictEqual([{ testName: 'b', category: null, points: [{ confidence: 0.5, timestamp: at(1) }] }]);
        expect(await store.detectorStates(['a\u0000'])).toStrictEqual([]);
      });

      test('fetches by id in the order asked, skipping unknown ids', async ({ store }) => {
        await seed(store);
        const [newest, second] = (await store.listMeasurements({}, { first: 2 })).items;
        const got = await store.getMeasurements([second!.id, 999_999, newest!.id]);
        expect(got.map((m) => m.confidence)).toStrictEqual([0.6, 0.7]);
      });
    });

    describe('tracked tests', () => {
      async function seed(store: Store) {
        await store.recordMeasurements([
          { testName: 'Checkout_Flow', confidence: 0.8, category: 'payments', timestamp: at(1) },
          { testName: 'Checkout_Flow', confidence: 0.6, category: 'payments', timestamp: at(4) },
          { testName: 'Checkout_Flow', confidence: 0.4, category: 'payments', timestamp: at(5) },
          { testName: 'login', confidence: 0.9, category: 'auth', timestamp: at(2) },
          { testName: 'login_100%', confidence: 0.5, category: 'auth', timestamp: at(3) },
          { testName: 'search', confidence: 0.7, category: null, timestamp: at(4) },
        ]);
      }

      test('aggregates count, first and last seen, latest and average confidence', async ({ store }) => {
        await seed(store);
        const page = await store.listTests({}, { first: 10 });
        expect(page.items).toStrictEqual([
          {
            testName: 'Checkout_Flow',
            category: 'payments',
            measurementsCount: 3,
            firstSeen: at(1),
            lastSeen: at(5),
            latestConfidence: 0.4,
            averageConfidence: expect.closeTo(0.6, 10),
          },
          { testName: 'login', category: 'auth', measurementsCount: 1, firstSeen: at(2), lastSeen: at(2), latestConfidence: 0.9, averageConfidence: 0.9 },
          { testName: 'login_100%', category: 'auth', measurementsCount: 1, firstSeen: at(3), lastSeen: at(3), latestConfidence: 0.5, averageConfidence: 0.5 },
          { testName: 'search', category: null, measurementsCount: 1, firstSeen: at(4), lastSeen: at(4), latestConfidence: 0.7, averageConfidence: 0.7 },
        ]);
      });

      test('filters by category and a case-insensitive, literal search', async ({ store }) => {
        await seed(store);
        const names = async (filter: Parameters<Store['listTests']>[0]) =>
          (await store.listTests(filter, { first: 10 })).items.map((t) => t.testName);
        expect(await names({ category: 'auth' })).toStrictEqual(['login', 'login_100%']);
        expect(await names({ search: 'CHECKOUT' })).toStrictEqual(['Checkout_Flow']);
        expect(await names({ search: '100%' })).toStrictEqual(['login_100%']);
        // `_` is a literal underscore, not "any character"
        expect(await names({ search: 'n_' })).toStrictEqual(['login_100%']);
        expect(await store.countTests({ category: 'auth' })).toBe(2);
        expect(await store.countTests({ search: 'log' })).toBe(2);
      });

      test('pages by name', async ({ store }) => {
        await seed(store);
        const first = await store.listTests({}, { first: 2 });
        expect(first.items.map((t) => t.testName)).toStrictEqual(['Checkout_Flow', 'login']);
        expect(first.hasNextPage).toBe(true);
        const second = await store.listTests({}, { first: 2, after: 'login' });
        expect(second.items.map((t) => t.testName)).toStrictEqual(['login_100%', 'search']);
        expect([second.hasNextPage, second.hasPreviousPage]).toStrictEqual([false, true]);
      });

      test('fetches named tests and lists names in batches', async ({ store }) => {
        await seed(store);
        const got = await store.getTests(['search', 'unknown', 'login']);
        expect(got.map((t) => t.testName).sort()).toStrictEqual(['login', 'search']);
        expect(await store.listTestNames({ limit: 2 })).toStrictEqual(['Checkout_Flow', 'login']);
        expect(await store.listTestNames({ limit: 2, after: 'login' })).toStrictEqual(['login_100%', 'search']);
        expect(await store.listTestNames({ limit: 10, category: 'payments' })).toStrictEqual(['Checkout_Flow']);
      });
    });

    describe('analyses', () => {
      test('saves, fetches, filters and finds the latest per test', async ({ store }) => {
        const saved = await store.saveAnalyses([
          analysis('a', { severity: 'LOW', analyzedAt: at(10) }),
          analysis('a', { severity: 'CRITICAL', analyzedAt: at(20), category: 'api' }),
          analysis('b', { severity: 'MEDIUM', analyzedAt: at(15), pValue: null, changePointAt: null }),
        ]);
        expect(saved.map((a) => a.severity)).toStrictEqual(['LOW', 'CRITICAL', 'MEDIUM']);
        expect(saved[2]).toStrictEqual({ ...analysis('b', { severity: 'MEDIUM', analyzedAt: at(15), pValue: null, changePointAt: null }), id: saved[2]!.id });
        expect(await store.getAnalyses([saved[1]!.id, saved[0]!.id])).toStrictEqual([saved[1], saved[0]]);

        const latest = await store.latestAnalyses(['a', 'b', 'zzz']);
        expect(latest.map((a) => [a.testName, a.severity]).sort()).toStrictEqual([
          ['a', 'CRITICAL'],
          ['b', 'MEDIUM'],
        ]);

        const list = async (filter: Parameters<Store['listAnalyses']>[0]) =>
          (await store.listAnalyses(filter, { first: 10 })).items.map((a) => a.severity);
        expect(await list({})).toStrictEqual(['CRITICAL', 'MEDIUM', 'LOW']);
        expect(await list({ minSeverity: 'MEDIUM' })).toStrictEqual(['CRITICAL', 'MEDIUM']);
        expect(await list({ testName: 'a', since: at(11) })).toStrictEqual(['CRITICAL']);
        expect(await list({ category: 'ui' })).toStrictEqual(['MEDIUM', 'LOW']);
        expect(await store.countAnalyses({ minSeverity: 'HIGH' })).toBe(1);
      });
    });

    describe('detector states', () => {
      const row = (testName: string, minutes: number, seen: number) => ({
        testName,
        state: { version: 1, seen, nested: { sums: [0.1, 1e-17, 12345.678] }, flag: null },
        pointsSeen: seen,
        lastTimestamp: at(minutes),
        updatedAt: at(minutes + 1),
      });

      test('are saved, read back by test and replaced by a state that has seen later points only', async ({ store }) => {
        await store.saveDetectorStates([row('a', 10, 10), row('b', 20, 20)]);
        expect(await store.detectorStates(['b', 'a', 'zzz'])).toEqual(expect.arrayContaining([row('a', 10, 10), row('b', 20, 20)]));
        expect(await store.detectorStates(['zzz'])).toStrictEqual([]);
        // a later state replaces; an older one (a slower instance saving what it folded) does not
        await store.saveDetectorStates([row('a', 30, 30), row('b', 5, 5)]);
        const byTest = Object.fromEntries((await store.detectorStates(['a', 'b'])).map((r) => [r.testName, r]));
        expect(byTest).toStrictEqual({ a: row('a', 30, 30), b: row('b', 20, 20) });
      });

      test('of tests left without measurements are dropped by cleanup', async ({ store }) => {
        await store.recordMeasurements([
          { testName: 'kept', confidence: 0.9, timestamp: at(0) },
          { testName: 'gone', confidence: 0.9, timestamp: new Date(t0.getTime() - 200 * 86_400_000) },
        ]);
        await store.saveDetectorStates([row('kept', 0, 1), row('gone', 0, 1)]);
        await store.cleanup({ measurementsDays: 90, analysisDays: 30, alertsDays: 60 }, at(60));
        expect((await store.detectorStates(['kept', 'gone'])).map((r) => r.testName)).toStrictEqual(['kept']);
      });
    });

    describe('alerts', () => {
      test('creates, lists and filters alerts', async ({ store }) => {
        const low = await store.createAlert(alert('a', { severity: 'LOW', createdAt: at(1) }));
        const high = await store.createAlert(alert('b', { severity: 'HIGH', createdAt: at(2) }));
        expect(high).toStrictEqual({ ...alert('b', { severity: 'HIGH', createdAt: at(2) }), id: high.id, acknowledged: false, acknowledgedAt: null, acknowledgedBy: null });
        await store.acknowledgeAlert(low.id, 'ana', at(3));
        const ids = async (filter: Parameters<Store['listAlerts']>[0]) => (await store.listAlerts(filter, { first: 10 })).items.map((a) => a.id);
        expect(await ids({})).toStrictEqual([high.id, low.id]);
        expect(await ids({ acknowledged: false })).toStrictEqual([high.id]);
        expect(await ids({ acknowledged: true })).toStrictEqual([low.id]);
        expect(await ids({ minSeverity: 'MEDIUM' })).toStrictEqual([high.id]);
        expect(await ids({ testName: 'a' })).toStrictEqual([low.id]);
        expect(await ids({ since: at(2) })).toStrictEqual([high.id]);
        expect(await store.countAlerts({ acknowledged: false })).toBe(1);
        expect(await store.getAlerts([high.id, low.id])).toHaveLength(2);
      });

      test('the first acknowledgement wins; a second reports it; an unknown id is not found', async ({ store }) => {
        const created = await store.createAlert(alert('a'));
        const first = await store.acknowledgeAlert(created.id, 'ana', at(100));
        expect(first).toStrictEqual({
          status: 'acknowledged',
          alert: { ...created, acknowledged: true, acknowledgedAt: at(100), acknowledgedBy: 'ana' },
        });
        const second = await store.acknowledgeAlert(created.id, 'bob', at(200));
        expect(second).toStrictEqual({ status: 'already-acknowledged', alert: (first as { alert: DriftAlert }).alert });
        expect(await store.acknowledgeAlert(999_999, 'bob', at(200))).toStrictEqual({ status: 'not-found' });
      });

      test('racing acknowledgements: exactly one wins', async ({ store }) => {
        const created = await store.createAlert(alert('a'));
        const results = await Promise.all(['a', 'b', 'c', 'd'].map((by) => store.acknowledgeAlert(created.id, by, at(5))));
        expect(results.filter((r) => r.status === 'acknowledged')).toHaveLength(1);
      });

      test('tells the alert history: the last alert and the severities analysed since', async ({ store }) => {
        await store.createAlert(alert('a', { severity: 'MEDIUM', createdAt: at(10) }));
        const last = await store.createAlert(alert('a', { severity: 'HIGH', createdAt: at(20) }));
        await store.saveAnalyses([
          analysis('a', { severity: 'HIGH', analyzedAt: at(20) }),
          analysis('a', { severity: 'NONE', analyzedAt: at(30) }),
          analysis('a', { severity: 'LOW', analyzedAt: at(40) }),
          analysis('a', { severity: 'LOW', analyzedAt: at(41) }),
          analysis('b', { severity: 'CRITICAL', analyzedAt: at(50) }),
        ]);
        const history = await store.alertHistory('a');
        expect(history.lastAlert).toStrictEqual(last);
        expect([...history.severitiesSinceLastAlert].sort()).toStrictEqual(['LOW', 'NONE'] satisfies Severity[]);
      });

      test('tells the histories of many tests in one read, an empty one for a test never alerted on', async ({ store }) => {
        await store.createAlerts([alert('a', { severity: 'MEDIUM', createdAt: at(10) }), alert('b', { severity: 'LOW', createdAt: at(10) })]);
        const [lastA, lastB] = await store.createAlerts([alert('a', { severity: 'HIGH', createdAt: at(20) }), alert('b', { severity: 'HIGH', createdAt: at(20) })]);
        await store.saveAnalyses([
          analysis('a', { severity: 'NONE', analyzedAt: at(30) }),
          analysis('a', { severity: 'NONE', analyzedAt: at(31) }),
          analysis('a', { severity: 'LOW', analyzedAt: at(40) }),
          analysis('b', { severity: 'MEDIUM', analyzedAt: at(15) }),
        ]);
        const histories = await store.alertHistories(['b', 'never', 'a']);
        expect([...histories.keys()].sort()).toStrictEqual(['a', 'b', 'never']);
        expect(histories.get('a')!.lastAlert).toStrictEqual(lastA);
        expect([...histories.get('a')!.severitiesSinceLastAlert].sort()).toStrictEqual(['LOW', 'NONE'] satisfies Severity[]);
        expect(histories.get('b')).toStrictEqual({ lastAlert: lastB, severitiesSinceLastAlert: [] });
        expect(histories.get('never')).toStrictEqual({ lastAlert: null, severitiesSinceLastAlert: [] });
      });

      test('creates many alerts in one insert, ids ascending in the order given', async ({ store }) => {
        const created = await store.createAlerts([alert('z'), alert('a'), alert('m')]);
        expect(created.map((a) => a.testName)).toStrictEqual(['z', 'a', 'm']);
        expect(created.map((a) => a.id)).toStrictEqual([...created.map((a) => a.id)].sort((x, y) => x - y));
        expect(await store.getAlerts(created.map((a) => a.id))).toStrictEqual(created);
        expect(await store.createAlerts([])).toStrictEqual([]);
      });

      test('callers locking overlapping sets of tests in opposite orders all get through', async ({ store }) => {
        const names = Array.from({ length: 40 }, (_, i) => `t${i}`);
        const sets = [names, [...names].reverse(), names.filter((_, i) => i % 2 === 0).reverse(), names.slice(10, 30)];
        const done = await Promise.all(sets.map((set, i) => store.withTestLocks(set, async (locked) => (await locked.createAlerts([alert(set[0]!)])).length + i)));
        expect(done).toStrictEqual([1, 2, 3, 4]);
      });

      test('reads alerts after an id in id order', async ({ store }) => {
        const created = [];
        for (let i = 0; i < 5; i++) created.push(await store.createAlert(alert(`t${i}`, { createdAt: at(i) })));
        const after = await store.alertsAfter(created[1]!.id, 2);
        expect(after.map((a) => a.testName)).toStrictEqual(['t2', 't3']);
      });
    });

    describe('statistics', () => {
      test('aggregates over all or one category since a moment', async ({ store }) => {
        await store.recordMeasurements([
          { testName: 'a', confidence: 0.2, category: 'ui', timestamp: at(1) },
          { testName: 'a', confidence: 0.4, category: 'ui', timestamp: at(2) },
          { testName: 'b', confidence: 0.9, category: 'api', timestamp: at(3) },
          { testName: 'c', confidence: 1, category: 'ui', timestamp: at(4) },
        ]);
        const all = await store.statistics({});
        expect(all).toStrictEqual({ totalTests: 3, totalMeasurements: 4, avgConfidence: expect.closeTo(0.625, 10), minConfidence: 0.2, maxConfidence: 1 });
        const ui = await store.statistics({ category: 'ui', since: at(2) });
        expect(ui).toStrictEqual({ totalTests: 2, totalMeasurements: 2, avgConfidence: expect.closeTo(0.7, 10), minConfidence: 0.4, maxConfidence: 1 });
        expect((await store.statistics({ category: 'none' })).avgConfidence).toBeNull();
      });
    });

    describe('maintenance', () => {
      test('cleanup deletes only rows older than each table’s age and counts them', async ({ store }) => {
        const now = new Date('2026-11-24T00:00:00.000Z');
        const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
        await store.recordMeasurements([
          { testName: 'a', confidence: 0.5, timestamp: daysAgo(100) },
          { testName: 'a', confidence: 0.5, timestamp: daysAgo(91) },
          { testName: 'a', confidence: 0.5, timestamp: daysAgo(89) },
        ]);
        await store.saveAnalyses([analysis('a', { analyzedAt: daysAgo(31) }), analysis('a', { analyzedAt: daysAgo(1) })]);
        // Alerts age by their acknowledgement, as in the original tool: an open alert stays however old it is.
        const open = await store.createAlert(alert('a', { createdAt: daysAgo(100) }));
        const ackedLongAgo = await store.createAlert(alert('a', { createdAt: daysAgo(90) }));
        const ackedRecently = await store.createAlert(alert('a', { createdAt: daysAgo(61) }));
        await store.acknowledgeAlert(ackedLongAgo.id, 'alice', daysAgo(61));
        await store.acknowledgeAlert(ackedRecently.id, 'alice', daysAgo(59));
        const counts = await store.cleanup({ measurementsDays: 90, analysisDays: 30, alertsDays: 60 }, now);
        expect(counts).toStrictEqual({ measurements: 2, analyses: 1, alerts: 1 });
        expect([await store.countRows('measurements'), await store.countRows('analyses'), await store.countRows('alerts')]).toStrictEqual([1, 1, 2]);
        expect((await store.getAlerts([open.id, ackedLongAgo.id, ackedRecently.id])).map((a) => a.id)).toStrictEqual([open.id, ackedRecently.id]);
        expect(await store.cleanup({ measurementsDays: 90, analysisDays: 30, alertsDays: 60 }, now)).toStrictEqual({ measurements: 0, analyses: 0, alerts: 0 });
      });

      test('the size grows with the data, and vacuum gives back what deleted rows held', async () => {
        const database = await createTestDatabase(backend, { ownDatabase: true });
        const store = await openStore(database.config);
        onTestFinished(async () => {
          await store.close();
          await database.destroy();
        });
        const empty = await store.databaseSizeBytes();
        await store.recordMeasurements(Array.from({ length: 20_000 }, (_, i) => ({ testName: `size-${i % 50}`, confidence: (i % 100) / 100, timestamp: at(i), failureId: `F-${i}` })));
        const full = await store.databaseSizeBytes();
        expect(full).toBeGreaterThan(empty + 1_000_000);
        expect(await store.cleanup({ measurementsDays: 0, analysisDays: 0, alertsDays: 0 }, at(30_000))).toMatchObject({ measurements: 20_000 });
        await store.vacuum();
        expect(await store.databaseSizeBytes()).toBeLessThan(full - 500_000);
      });

      test('vacuum keeps the data', async ({ store }) => {
        await store.recordMeasurements([{ testName: 'a', confidence: 0.5, timestamp: at(1) }]);
        await store.vacuum();
        expect(await store.countMeasurements({})).toBe(1);
      });

      test('reopening re-applies migrations idempotently and keeps the rows', async ({ store, database }) => {
        await store.recordMeasurement({ testName: 'kept', confidence: 0.5, timestamp: at(1) });
        const again = await openStore(database.config);
        try {
          expect(await again.countMeasurements({ testName: 'kept' })).toBe(1);
        } finally {
          await again.close();
        }
      });
    });

    describe('streaming rows out and in', () => {
      test('copies every table with ids, times and acknowledgements; importing twice adds nothing', async ({ store }) => {
        await store.recordMeasurements(Array.from({ length: 25 }, (_, i) => ({ testName: `t${i % 3}`, confidence: i / 25, category: 'ui', timestamp: at(i), failureId: i % 2 ? `F${i}` : null })));
        await store.saveAnalyses([analysis('t0'), analysis('t1', { pValue: null, changePointAt: null })]);
        const acked = await store.createAlert(alert('t0'));
        await store.acknowledgeAlert(acked.id, 'ana', at(99));
        await store.createAlert(alert('t1'));

        const target = await createTestDatabase(backend);
        const copy = await openStore(target.config);
        try {
          for (const table of ['measurements', 'analyses', 'alerts'] as const) {
            const batches = [];
            for await (const rows of store.streamRows(table, 10)) {
              batches.push(rows.length);
              expect(await copy.importRows(table, rows)).toBe(rows.length);
              expect(await copy.importRows(table, rows)).toBe(0);
            }
            expect(batches.reduce((a, b) => a + b, 0)).toBe(await store.countRows(table));
          }
          expect(await copy.listMeasurements({}, { first: 100 })).toStrictEqual(await store.listMeasurements({}, { first: 100 }));
          expect(await copy.listAnalyses({}, { first: 100 })).toStrictEqual(await store.listAnalyses({}, { first: 100 }));
          expect(await copy.listAlerts({}, { first: 100 })).toStrictEqual(await store.listAlerts({}, { first: 100 }));
          // New rows continue after the imported ids instead of colliding with them.
          const fresh = await copy.recordMeasurement({ testName: 'new', confidence: 0.5 });
          const maxImported = Math.max(...(await store.listMeasurements({}, { first: 100 })).items.map((m) => m.id));
          expect(fresh.id).toBeGreaterThan(maxImported);
        } finally {
          await copy.close();
          await target.destroy();
        }
      });
    });
  });
}
