// The summaries are exact: after any mix of writes, replacements, imports and cleanups they equal
// what the stored measurements say, recomputed here from the raw rows in plain code.
import { describe, expect, it as plainIt } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Measurement, NewMeasurement, Store } from '../../src/store/store.js';
import type { DatabaseConfig } from '../../src/config.js';
import { seededRandom } from '../drift/seeded-random.js';
import { backends, createTestDatabase, gateInserts, insertRawMeasurements, migrateUpTo, readRaw, storeTest, withPartition } from '../support/test-stores.js';

const hourMs = 3_600_000;
const dayMs = 86_400_000;
const t0 = Date.parse('2026-11-01T00:00:00.000Z');
// The random mix spans the turn of a month, where a test's summary ends and the next one begins.
const mixStart = t0 - 12 * hourMs;

/** The UTC month holding an instant, as test_summaries keys its rows. */
const monthOf = (at: number) => Date.UTC(new Date(at).getUTCFullYear(), new Date(at).getUTCMonth(), 1);

interface RawRow {
  test_name: string;
  category: string | null;
  confidence: number;
  timestamp: number;
}

function expectedSummaries(rows: RawRow[]) {
  const tests = new Map<string, { count: number; sum: number; min: number; max: number; first: number; last: number; latest: number }>();
  const hours = new Map<string, { count: number; sum: number; min: number; max: number }>();
  for (const row of rows) {
    const key = row.category ?? '';
    const testKey = `${row.test_name}|${key}|${monthOf(row.timestamp)}`;
    const test = tests.get(testKey);
    if (!test) tests.set(testKey, { count: 1, sum: row.confidence, min: row.confidence, max: row.confidence, first: row.timestamp, last: row.timestamp, latest: row.confidence });
    else {
      test.count++;
      test.sum += row.confidence;
      test.min = Math.min(test.min, row.confidence);
      test.max = Math.max(test.max, row.confidence);
      test.first = Math.min(test.first, row.timestamp);
      if (row.timestamp > test.last) [test.last, test.latest] = [row.timestamp, row.confidence];
    }
    const hour = Math.floor(row.timestamp / hourMs) * hourMs;
    const bucket = hours.get(`${hour}|${key}`);
    if (!bucket) hours.set(`${hour}|${key}`, { count: 1, sum: row.confidence, min: row.confidence, max: row.confidence });
    else {
      bucket.count++;
      bucket.sum += row.confidence;
      bucket.min = Math.min(bucket.min, row.confidence);
      bucket.max = Math.max(bucket.max, row.confidence);
    }
  }
  return { tests, hours };
}

// Sums are added up in another order than the database's: equal to the last few bits.
const close = (value: number) => expect.closeTo(value, 9);

const rawRows = async (config: DatabaseConfig) =>
  (await readRaw(config, 'select test_name, category, confidence, "timestamp" from confidence_measurements')) as unknown as RawRow[];

/** With `removed`, every measurement cleanups deleted so far, the history must summarise those too. */
async function expectExact(config: DatabaseConfig, store: Store, removed?: RawRow[]): Promise<void> {
  const raw = await rawRows(config);
  const { tests, hours } = expectedSummaries(raw);
  const storedTests = await readRaw(config, 'select * from test_summaries');
  expect(Object.fromEntries(storedTests.map((s) => [`${s.test_name}|${s.category_key}|${s.period}`, [s.measurements_count, s.confidence_sum, s.min_confidence, s.max_confidence, s.first_seen, s.last_seen, s.latest_confidence]]))).toStrictEqual(
    Object.fromEntries([...tests].map(([key, t]) => [key, [t.count, close(t.sum), t.min, t.max, t.first, t.last, t.latest]])),
  );
  const expectHours = async (table: string, expected: ReturnType<typeof expectedSummaries>['hours']) => {
    const stored = await readRaw(config, `select * from ${table}`);
    expect(Object.fromEntries(stored.map((h) => [`${h.hour}|${h.category_key}`, [h.measurements_count, h.confidence_sum, h.min_confidence, h.max_confidence]])), table).toStrictEqual(
      Object.fromEntries([...expected].map(([key, h]) => [key, [h.count, close(h.sum), h.min, h.max]])),
    );
  };
  await expectHours('hourly_confidence', hours);
  if (removed !== undefined) await expectHours('hourly_confidence_history', expectedSummaries(removed).hours);

  // What the overview reads from them matches the raw rows too, for every scope a dashboard asks.
  for (const category of [undefined, 'api', 'ui']) {
    for (const since of [undefined, new Date(t0 + 5.5 * hourMs), new Date(t0 + 20 * hourMs), new Date(t0 - 3 * hourMs + 1)]) {
      const rows = raw.filter((r) => (category === undefined || r.category === category) && (since === undefined || r.timestamp >= since.getTime()));
      const values = rows.map((r) => r.confidence);
      expect(await store.statistics({ category, since }), `statistics of ${category} since ${since?.toISOString()}`).toStrictEqual({
        totalTests: new Set(rows.map((r) => r.test_name)).size,
        totalMeasurements: rows.length,
        avgConfidence: rows.length === 0 ? null : close(values.reduce((a, b) => a + b, 0) / rows.length),
        minConfidence: rows.length === 0 ? null : Math.min(...values),
        maxConfidence: rows.length === 0 ? null : Math.max(...values),
      });
    }
    const inCategory = raw.filter((r) => category === undefined || r.category === category);
    const names = [...new Set(inCategory.map((r) => r.test_name))].sort();
    expect(await store.countTests({ category })).toBe(names.length);
    const listed = await store.listTests({ category }, { first: 100 });
    expect(listed.items.map((t) => ({ ...t, firstSeen: t.firstSeen.getTime(), lastSeen: t.lastSeen.getTime() }))).toStrictEqual(
      names.map((name) => {
        const own = inCategory.filter((r) => r.test_name === name).sort((a, b) => a.timestamp - b.timestamp);
        const newest = own[own.length - 1]!;
        return {
          testName: name,
          category: newest.category,
          measurementsCount: own.length,
          firstSeen: own[0]!.timestamp,
          lastSeen: newest.timestamp,
          latestConfidence: newest.confidence,
          averageConfidence: close(own.reduce((a, r) => a + r.confidence, 0) / own.length),
        };
      }),
    );
  }
}

function randomMeasurement(next: () => number): NewMeasurement {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  return {
    testName: pick(['login', 'checkout', 'search', 'profile', 'cart', 'export']),
    // Few instants, so the same test and instant comes back often and replaces, sometimes in another category.
    timestamp: new Date(mixStart + Math.floor(next() * 48) * 30 * 60_000 + pick([0, 0, 0, 1, 59 * 60_000])),
    confidence: Math.round(next() * 1000) / 1000,
    category: pick(['api', 'ui', null, 'api']),
  };
}

/** Forty seeded random writes, replacements, imports and cleanups, each followed by the exactness check. */
async function randomMix(store: Store, config: DatabaseConfig): Promise<void> {
  // Seeded, so a failure replays exactly.
  const next = seededRandom(20261125);
  let nextImportId = 1_000_000;
  const operations: string[] = [];
  let mostMonths = 0;
  // Every measurement a cleanup deleted, which the history must summarise.
  const removed: RawRow[] = [];
  const cleanupBefore = async (cutoff: number) => {
    const before = await rawRows(config);
    await store.cleanup({ measurementsDays: 30, analysisDays: 30, alertsDays: 30 }, new Date(cutoff + 30 * dayMs));
    const kept = new Set((await rawRows(config)).map((r) => `${r.test_name}|${r.timestamp}`));
    removed.push(...before.filter((r) => !kept.has(`${r.test_name}|${r.timestamp}`)));
    operations.push(`cleanup before ${new Date(cutoff).toISOString()}`);
  };
  for (let step = 0; step < 40; step++) {
    const roll = next();
    if (step === 20) {
      // A cutoff on the turn of the month: the month before goes whole, summaries and all.
      await cleanupBefore(t0);
    } else if (roll < 0.3) {
      const batch = Array.from({ length: 1 + Math.floor(next() * 30) }, () => randomMeasurement(next));
      await store.recordMeasurements(batch);
      operations.push(`batch of ${batch.length}`);
    } else if (roll < 0.5) {
      // A test run's batch: one row per test, which PostgreSQL adds without grouping.
      const batch = [...new Map(Array.from({ length: 6 }, () => randomMeasurement(next)).map((m) => [m.testName, m])).values()];
      await store.recordMeasurements(batch);
      operations.push(`run of ${batch.length}`);
    } else if (roll < 0.7) {
      await store.recordMeasurement(randomMeasurement(next));
      operations.push('one');
    } else if (roll < 0.85) {
      // Imported rows keep their ids; one whose id or test and instant is stored already is skipped.
      const rows: Measurement[] = Array.from({ length: 1 + Math.floor(next() * 10) }, () => {
        const m = randomMeasurement(next);
        return { id: nextImportId++, testName: m.testName, confidence: m.confidence, category: m.category ?? null, timestamp: m.timestamp!, failureId: null, ruleScore: null, signalScore: null, createdAt: new Date(t0) };
      });
      await store.importRows('measurements', rows);
      operations.push(`import of ${rows.length}`);
    } else {
      // Cutoffs inside an hour, so a part hour (and a part month) is left behind.
      await cleanupBefore(mixStart + Math.floor(next() * 42) * hourMs + 17 * 60_000);
    }
    await expectExact(config, store, removed);
    mostMonths = Math.max(mostMonths, (await readRaw(config, 'select count(distinct period) as n from test_summaries'))[0]!.n as number);
  }
  // The mix did what it is meant to: replacements and cleanups happened, tests had summaries in two
  // months at once, and rows are left to check.
  expect(operations.filter((o) => o.startsWith('cleanup')).length).toBeGreaterThan(2);
  expect(removed.length).toBeGreaterThan(10);
  expect(mostMonths).toBe(2);
  expect((await readRaw(config, 'select count(*) as n from confidence_measurements'))[0]!.n).toBeGreaterThan(10);
}

describe.each(backends)('summaries on %s', (backend) => {
  const it = storeTest(backend);

  it('equal a recomputation from the raw rows after random writes, replacements, imports and cleanups', async ({ store, database }) => {
    await randomMix(store, database.config);
  });

  it('summarise instants before 1970 and on hour boundaries in the right hour', async ({ store, database }) => {
    await store.recordMeasurements([
      { testName: 'old', confidence: 0.5, timestamp: new Date('1969-12-31T23:30:00.000Z') },
      { testName: 'old', confidence: 0.7, timestamp: new Date('1969-12-31T23:59:59.999Z') },
      { testName: 'old', confidence: 0.9, timestamp: new Date('1970-01-01T00:00:00.000Z') },
      { testName: 'old', confidence: 0.2, timestamp: new Date('1900-01-01T00:30:00.000Z') },
    ]);
    const hours = await readRaw(database.config, 'select hour, measurements_count from hourly_confidence order by hour');
    expect(hours).toStrictEqual([
      { hour: Date.parse('1900-01-01T00:00:00.000Z'), measurements_count: 1 },
      { hour: Date.parse('1969-12-31T23:00:00.000Z'), measurements_count: 2 },
      { hour: 0, measurements_count: 1 },
    ]);
    // A replacement recomputes its hour in the database, with the dialect's own hour arithmetic.
    await store.recordMeasurement({ testName: 'old', confidence: 0.1, timestamp: new Date('1969-12-31T23:30:00.000Z') });
    await expectExact(database.config, store);
  });

  it('mark tests analysed up to what analysis read, so a write meanwhile leaves them pending', async ({ store }) => {
    await store.recordMeasurements([
      { testName: 'a', confidence: 0.9, timestamp: new Date(t0) },
      { testName: 'b', confidence: 0.9, timestamp: new Date(t0), category: 'api' },
    ]);
    expect(await store.listTestNames({ limit: 10, pending: true })).toStrictEqual(['a', 'b']);
    const marks = await store.analysisMarks(['a', 'b']);
    await store.recordMeasurement({ testName: 'b', confidence: 0.5, timestamp: new Date(t0 + 1000), category: 'api' });
    await store.markAnalyzed(marks);
    expect(await store.listTestNames({ limit: 10, pending: true })).toStrictEqual(['b']);
    expect(await store.listTestNames({ limit: 10 })).toStrictEqual(['a', 'b']);
    await store.markAnalyzed(await store.analysisMarks(['b']));
    expect(await store.listTestNames({ limit: 10, pending: true })).toStrictEqual([]);
    // A cleanup that takes measurements away changes what an analysis would say.
    await store.cleanup({ measurementsDays: 1, analysisDays: 1, alertsDays: 1 }, new Date(t0 + dayMs + 500));
    expect(await store.listTestNames({ limit: 10, pending: true })).toStrictEqual(['b']);
    // A test whose measurements all went, recorded again, is new: its summary counts from revision 1 again.
    await store.markAnalyzed(await store.analysisMarks(['a', 'b']));
    await store.cleanup({ measurementsDays: 1, analysisDays: 1, alertsDays: 1 }, new Date(t0 + 10 * dayMs));
    expect(await store.listTestNames({ limit: 10 })).toStrictEqual([]);
    await store.recordMeasurement({ testName: 'a', confidence: 0.5, timestamp: new Date(t0 + 20 * dayMs) });
    expect(await store.listTestNames({ limit: 10, pending: true })).toStrictEqual(['a']);
    // Its first measurement in another month starts a summary there, which no mark covers yet.
    await store.markAnalyzed(await store.analysisMarks(['a']));
    expect(await store.listTestNames({ limit: 10, pending: true })).toStrictEqual([]);
    await store.recordMeasurement({ testName: 'a', confidence: 0.6, timestamp: new Date(t0 + 40 * dayMs) });
    expect(await store.listTestNames({ limit: 10, pending: true })).toStrictEqual(['a']);
  });

  it('leave a test pending whose summary a cleanup took and new rows began again while analysis ran', async ({ store }) => {
    await store.recordMeasurement({ testName: 'a', confidence: 0.9, timestamp: new Date(t0) });
    await store.recordMeasurement({ testName: 'a', confidence: 0.8, timestamp: new Date(t0 + hourMs) });
    const read = await store.analysisMarks(['a']);
    // Meanwhile November's rows so far go, and two batches begin its summary again, at the revision analysis read.
    await store.cleanup({ measurementsDays: 1, analysisDays: 1, alertsDays: 1 }, new Date(t0 + 2 * hourMs + dayMs));
    await store.recordMeasurement({ testName: 'a', confidence: 0.3, timestamp: new Date(t0 + 3 * hourMs) });
    await store.recordMeasurement({ testName: 'a', confidence: 0.2, timestamp: new Date(t0 + 4 * hourMs) });
    expect((await store.analysisMarks(['a'])).map((mark) => mark.revision)).toStrictEqual(read.map((mark) => mark.revision));
    await store.markAnalyzed(read);
    expect(await store.listTestNames({ limit: 10, pending: true })).toStrictEqual(['a']);
    // What analysis reads now, it marks.
    await store.markAnalyzed(await store.analysisMarks(['a']));
    expect(await store.listTestNames({ limit: 10, pending: true })).toStrictEqual([]);
  });
});

// Upkeep at the mix's start makes the partitions the cases name (and whichever of the periods after
// them the store's start has not made already, from today's date); cleanups past a period's end drop it whole.
const partitionedMixes = [
  {
    layout: 'week',
    made: ['confidence_measurements_w2026_10_26', 'confidence_measurements_w2026_11_02', 'confidence_measurements_w2026_11_09'],
    standing: ['confidence_measurements_w2026_11_02', 'confidence_measurements_w2026_11_09'],
  },
  // The month's turn is a cutoff of the mix's too: the month before goes, and its summaries with it.
  { layout: 'month', made: ['confidence_measurements_2026_10', 'confidence_measurements_2026_11'], standing: ['confidence_measurements_2026_11'] },
] as const;

describe.each(partitionedMixes)('summaries on postgres with measurements partitioned by $layout', ({ layout, made, standing }) => {
  const it = storeTest('postgres');

  it('equal a recomputation from the raw rows while cleanups drop whole partitions', async ({ database }) => {
    // Every row before each cutoff, so that the mix cuts periods (and months, and hours) in two.
    const store = await openStore(withPartition(database.config, layout, 'rows'));
    try {
      expect(await store.maintainStorage(new Date(mixStart))).toEqual(expect.arrayContaining([...made]));
      await randomMix(store, database.config);
      const partitions = await readRaw(database.config, "select relname from pg_inherits join pg_class on oid = inhrelid where inhparent = 'confidence_measurements'::regclass order by 1");
      expect(partitions.map((r) => r.relname).filter((name) => (made as readonly unknown[]).includes(name))).toStrictEqual(standing);
    } finally {
      await store.close();
    }
  });
});

describe.each(backends)('a %s database from before summaries', (backend) => {
  plainIt('gets them from its stored measurements when it migrates', async () => {
    const database = await createTestDatabase(backend);
    try {
      await migrateUpTo(database.config, 3);
      const rows = Array.from({ length: 300 }, (_, i) => ({
        id: i + 1,
        testName: `test_${i % 7}`,
        confidence: ((i * 37) % 100) / 100,
        timestamp: new Date(t0 + i * 13 * 60_000),
        category: [null, 'api', 'ui'][i % 3] ?? null,
      }));
      await insertRawMeasurements(database.config, rows);
      const store = await openStore(database.config);
      try {
        expect((await readRaw(database.config, 'select count(*) as n from test_summaries'))[0]!.n).toBe(21);
        await expectExact(database.config, store);
      } finally {
        await store.close();
      }
    } finally {
      await database.destroy();
    }
  });
});

describe.each(backends)('a %s database with a summary per test and category', (backend) => {
  plainIt('splits them by month when it migrates, and keeps what analysis had read', async () => {
    const database = await createTestDatabase(backend);
    try {
      await migrateUpTo(database.config, 3);
      await insertRawMeasurements(
        database.config,
        Array.from({ length: 90 }, (_, i) => ({
          id: i + 1,
          testName: `test_${i % 3}`,
          confidence: ((i * 37) % 100) / 100,
          timestamp: new Date(mixStart + i * 17 * 60_000),
          category: i % 2 === 0 ? null : 'api',
        })),
      );
      // The release before months: its migrations fill in a summary per test and category.
      await migrateUpTo(database.config, backend === 'postgres' ? 9 : 6, 3);
      const summaries = async () => (await readRaw(database.config, 'select count(*) as n from test_summaries'))[0]!.n;
      expect(await summaries()).toBe(6);
      // Analysis had read test_0 and test_2 as they stand, test_1 before its latest write.
      await readRaw(
        database.config,
        "insert into test_analysis_marks (test_name, category_key, analyzed_revision) select test_name, category_key, revision - case when test_name = 'test_1' then 1 else 0 end from test_summaries returning test_name",
      );
      const store = await openStore(database.config);
      try {
        expect(await summaries()).toBe(12);
        await expectExact(database.config, store);
        expect(await store.listTestNames({ limit: 10, pending: true })).toStrictEqual(['test_1']);
      } finally {
        await store.close();
      }
    } finally {
      await database.destroy();
    }
  });
});

describe('summaries on postgres', () => {
  const it = storeTest('postgres');

  plainIt('filled in by a migration, leave room on their pages for a cleanup that mends them all', async () => {
    const database = await createTestDatabase('postgres');
    try {
      await migrateUpTo(database.config, 3);
      // Enough tests to fill pages, each with one measurement the cleanup takes away and one it keeps.
      const tests = 2000;
      await insertRawMeasurements(
        database.config,
        Array.from({ length: 2 * tests }, (_, i) => ({ id: i + 1, testName: `test_${i % tests}`, confidence: 0.5, timestamp: new Date(t0 + Math.floor(i / tests) * 2 * dayMs) })),
      );
      const store = await openStore(database.config);
      try {
        const bytes = async () => (await readRaw(database.config, "select pg_relation_size('test_summaries')::int as n"))[0]!.n;
        const before = await bytes();
        expect((await store.cleanup({ measurementsDays: 1, analysisDays: 1, alertsDays: 1 }, new Date(t0 + 2 * dayMs))).measurements).toBe(tests);
        // Every summary rewritten, each new version on its own row's page.
        expect(await bytes()).toBe(before);
        expect(await readRaw(database.config, 'select count(*)::int as n, sum(measurements_count)::int as kept from test_summaries')).toStrictEqual([{ n: tests, kept: tests }]);
      } finally {
        await store.close();
      }
    } finally {
      await database.destroy();
    }
  });

  it('are vacuumed after a cleanup that mended them, so the overview reads their index alone again', async ({ store, database }) => {
    const vacuums = async () =>
      (await readRaw(database.config, "select vacuum_count::int as n from pg_stat_user_tables where schemaname = current_schema() and relname = 'test_summaries'"))[0]!.n as number;
    await store.recordMeasurements([
      { testName: 't', confidence: 0.5, timestamp: new Date(t0) },
      { testName: 't', confidence: 0.6, timestamp: new Date(t0 + 2 * dayMs) },
    ]);
    const before = await vacuums();
    expect((await store.cleanup({ measurementsDays: 1, analysisDays: 1, alertsDays: 1 }, new Date(t0 + 2 * dayMs))).measurements).toBe(1);
    expect(await vacuums()).toBe(before + 1);
    // Nothing deleted, nothing rewritten: no vacuum.
    expect((await store.cleanup({ measurementsDays: 1, analysisDays: 1, alertsDays: 1 }, new Date(t0 + 2 * dayMs))).measurements).toBe(0);
    expect(await vacuums()).toBe(before + 1);
  });
});

describe('summaries on postgres, with writers at once', () => {
  const it = storeTest('postgres');

  it('take two replacements in one hour at once, in different categories', async ({ store, database }) => {
    const other = await openStore(database.config);
    const outcomes: string[] = [];
    try {
      // Both recount the hour; before each replaced the other's recount, the later one met a duplicate key.
      for (let round = 0; round < 20; round++) {
        const at = t0 + round * hourMs;
        await store.recordMeasurements([
          { testName: 'a', confidence: 0.5, timestamp: new Date(at), category: 'api' },
          { testName: 'b', confidence: 0.5, timestamp: new Date(at + 60_000), category: 'ui' },
        ]);
        const settled = await Promise.allSettled([
          store.recordMeasurements([{ testName: 'a', confidence: 0.2, timestamp: new Date(at), category: 'api' }]),
          other.recordMeasurements([{ testName: 'b', confidence: 0.3, timestamp: new Date(at + 60_000), category: 'ui' }]),
        ]);
        outcomes.push(...settled.map((o) => (o.status === 'fulfilled' ? JSON.stringify(o.value) : String(o.reason))));
      }
    } finally {
      await other.close();
    }
    expect(new Set(outcomes)).toStrictEqual(new Set(['{"inserted":0,"replaced":1}']));
    await expectExact(database.config, store);
  });

  it('lose no batch that commits while a replacement summarises its test afresh', async ({ store, database }) => {
    await store.recordMeasurements([
      { testName: 't', confidence: 0.5, timestamp: new Date(t0) },
      { testName: 't', confidence: 0.6, timestamp: new Date(t0 + hourMs) },
    ]);
    // The replacement summarises t afresh while the batch is held; it must count the batch once that commits.
    await whileABatchOfTIsHeld(store, database.config, new Date(t0 + 2 * hourMs), () =>
      store.recordMeasurement({ testName: 't', confidence: 0.1, timestamp: new Date(t0) }),
    );
    expect(await summaryOfT(database.config)).toStrictEqual({ measurements_count: 3, min_confidence: 0.1, max_confidence: 0.9 });
    await expectExact(database.config, store);
  });

  it('lose no batch that commits while a cleanup mends the summaries of what is left', async ({ store, database }) => {
    await store.recordMeasurements([
      { testName: 't', confidence: 0.5, timestamp: new Date(t0) },
      { testName: 't', confidence: 0.6, timestamp: new Date(t0 + hourMs) },
    ]);
    // The cleanup takes t's first measurement away and counts what t keeps; it must count the batch too.
    await whileABatchOfTIsHeld(store, database.config, new Date(t0 + 2 * hourMs), () =>
      store.cleanup({ measurementsDays: 1, analysisDays: 1, alertsDays: 1 }, new Date(t0 + hourMs / 2 + dayMs)),
    );
    expect(await summaryOfT(database.config)).toStrictEqual({ measurements_count: 2, min_confidence: 0.6, max_confidence: 0.9 });
    await expectExact(database.config, store);
  });

  it('keep no summary of a batch the cleanup takes away with the rest', async ({ store, database }) => {
    await store.recordMeasurements([{ testName: 't', confidence: 0.5, timestamp: new Date(t0) }]);
    // The batch brings a measurement older than the cutoff: the cleanup must wait for it and delete it
    // too, or it would delete the summary the batch added to and leave the measurement behind.
    const counts = await whileABatchOfTIsHeld(store, database.config, new Date(t0 + hourMs), () =>
      store.cleanup({ measurementsDays: 1, analysisDays: 1, alertsDays: 1 }, new Date(t0 + 1.5 * hourMs + dayMs)),
    );
    expect(counts.measurements).toBe(2);
    expect(await summaryOfT(database.config)).toBeUndefined();
    await expectExact(database.config, store);
  });

  it('let an analysis mark its tests while a cleanup deletes their marks of the months it takes', async ({ store, database }) => {
    await store.recordMeasurements([
      { testName: 'a', confidence: 0.5, timestamp: new Date(t0) },
      { testName: 'b', confidence: 0.5, timestamp: new Date(t0) },
    ]);
    const marks = await store.analysisMarks(['a', 'b']);
    const markOf = (testName: string) => marks.find((mark) => mark.testName === testName)!;
    // Stored b first, so the cleanup's delete meets b's mark before a's; the analysis marks a, then b (in key order).
    await store.markAnalyzed([markOf('b')]);
    await store.markAnalyzed([markOf('a')]);
    expect(await readRaw(database.config, 'select test_name from test_analysis_marks order by ctid')).toStrictEqual([{ test_name: 'b' }, { test_name: 'a' }]);
    const gate = await gateInserts(database.config, 'test_analysis_marks', "new.test_name = 'b'");
    try {
      const marking = store.markAnalyzed([markOf('a'), markOf('b')]);
      await gate.untilWaiting();
      // November goes whole, and its marks with it, while the analysis holds a's mark and waits to write b's.
      const cleaning = store.cleanup({ measurementsDays: 1, analysisDays: 1, alertsDays: 1 }, new Date(t0 + 40 * dayMs));
      await expect.poll(async () => (await readRaw(database.config, waitingForLock(database.config)))[0]!.n).toBe(1);
      await gate.open();
      // Before the cleanup locked the marks, each waited for a mark the other held: PostgreSQL failed one (40P01).
      const [marked, counts] = await Promise.allSettled([marking, cleaning]);
      expect(marked.status).toBe('fulfilled');
      expect(counts).toStrictEqual({ status: 'fulfilled', value: { measurements: 2, analyses: 0, alerts: 0 } });
    } finally {
      await gate.end();
    }
    expect(await readRaw(database.config, 'select test_name from test_analysis_marks')).toStrictEqual([]);
  });

  it('vacuum the summaries a cleanup deleted only once the batches that waited for it are done', async ({ store, database }) => {
    await store.recordMeasurements([
      { testName: 'old', confidence: 0.5, timestamp: new Date(t0) },
      { testName: 't', confidence: 0.5, timestamp: new Date(t0 + 35 * dayMs) },
    ]);
    const waiting = async () => (await readRaw(database.config, waitingForLock(database.config)))[0]!.n;
    const cleanupHeld = await gateInserts(database.config, 'hourly_confidence_history');
    const batchHeld = await gateInserts(database.config, 'test_summaries', "new.test_name = 'n'");
    try {
      // The cutoff of 12 November takes old's summary; the cleanup is held once it holds the measurements.
      const cleaning = store.cleanup({ measurementsDays: 30, analysisDays: 30, alertsDays: 30 }, new Date(t0 + 41 * dayMs));
      await cleanupHeld.untilWaiting();
      // A batch that waits for the cleanup's lock: its snapshot is older than the cleanup's commit.
      const batch = store.recordMeasurements([{ testName: 'n', confidence: 0.9, timestamp: new Date(t0 + 35 * dayMs + hourMs) }]);
      await expect.poll(waiting).toBe(1);
      await cleanupHeld.open();
      // The cleanup commits; the batch goes on and is held, a snapshot from before the commit still
      // open. A vacuum now could not remove old's summary: the cleanup waits for the batch first.
      await batchHeld.untilWaiting();
      await expect.poll(waiting).toBe(1);
      await batchHeld.open();
      expect(await cleaning).toStrictEqual({ measurements: 1, analyses: 0, alerts: 0 });
      expect(await batch).toStrictEqual({ inserted: 1, replaced: 0 });
    } finally {
      await cleanupHeld.end();
      await batchHeld.end();
    }
    expect(await readRaw(database.config, 'select test_name from test_summaries order by test_name')).toStrictEqual([{ test_name: 'n' }, { test_name: 't' }]);
  });

  it('lose no batch that commits while a cleanup waits to drop a partition', async ({ database }) => {
    const store = await openStore(withPartition(database.config, 'week'));
    try {
      await store.maintainStorage(new Date(t0));
      // The week of 26 October goes whole; t keeps its measurement of 9 November.
      await store.recordMeasurements([
        { testName: 't', confidence: 0.5, timestamp: new Date(t0) },
        { testName: 't', confidence: 0.6, timestamp: new Date(t0 + 8 * dayMs) },
      ]);
      // The drop waits for the batch to commit; from then on it holds every writer off until its own commit.
      const counts = await whileABatchOfTIsHeld(store, database.config, new Date(t0 + 9 * dayMs), () =>
        store.cleanup({ measurementsDays: 1, analysisDays: 1, alertsDays: 1 }, new Date(Date.parse('2026-11-03T00:00:00Z'))),
      );
      expect(counts.measurements).toBe(1);
      expect(await summaryOfT(database.config)).toStrictEqual({ measurements_count: 2, min_confidence: 0.6, max_confidence: 0.9 });
      await expectExact(database.config, store);
    } finally {
      await store.close();
    }
  });
});

/**
 * Records t's confidence 0.9 at `at` in a batch held mid-update of t's summary, at a gate inside the
 * database; starts `meanwhile`, lets the batch go on once `meanwhile` waits for a lock, and returns
 * what `meanwhile` returned.
 */
async function whileABatchOfTIsHeld<T>(store: Store, config: DatabaseConfig, at: Date, meanwhile: () => Promise<T>): Promise<T> {
  const gate = await gateInserts(config, 'test_summaries', "new.test_name = 't'", 'update');
  try {
    const batch = store.recordMeasurements([{ testName: 't', confidence: 0.9, timestamp: at }]);
    await gate.untilWaiting();
    const running = meanwhile();
    await expect.poll(async () => (await readRaw(config, waitingForLock(config)))[0]!.n).toBe(1);
    await gate.open();
    const [, result] = await Promise.all([batch, running]);
    return result;
  } finally {
    await gate.end();
  }
}

async function summaryOfT(config: DatabaseConfig) {
  const [summary] = await readRaw(config, "select measurements_count, min_confidence, max_confidence from test_summaries where test_name = 't'");
  return summary;
}

/** Counts this test's connections waiting for a lock other than the gate's advisory one. */
function waitingForLock(config: DatabaseConfig): string {
  const applicationName = config.backend === 'postgres' ? config.applicationName : '';
  return `select count(*)::int as n from pg_stat_activity
    where application_name = '${applicationName}' and wait_event_type = 'Lock' and wait_event <> 'advisory'`;
}
