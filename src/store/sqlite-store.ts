import { type Column, Param, Placeholder, and, asc, avg, count, countDistinct, desc, eq, gt, inArray, is, lt, max, min, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { connectSqlite, type SqliteDatabase } from '../db/sqlite/connect.js';
import * as tables from '../db/sqlite/schema.js';
import {
  alertConditions,
  analysisConditions,
  daysBefore,
  hadCursor,
  inIdOrder,
  keysetPlan,
  measurementConditions,
  parseSeverity,
  testConditions,
  toAlert,
  toAnalysis,
  toPage,
  toTrackedTest,
} from './query-parts.js';
import type {
  AcknowledgeResult,
  AlertFilter,
  AlertHistory,
  AnalysisFilter,
  CleanupCounts,
  DriftAlert,
  DriftAnalysis,
  Measurement,
  MeasurementFilter,
  NewDriftAlert,
  NewDriftAnalysis,
  NewMeasurement,
  Page,
  PageRequest,
  RetentionDays,
  Statistics,
  StatisticsScope,
  Store,
  TableName,
  TableRows,
  TestFilter,
  TimeCursor,
  TrackedTest,
} from './store.js';
import { toMeasurementValues, type MeasurementValues } from './validation.js';

const { confidenceMeasurements: m, driftAnalysis: a, driftAlerts: al } = tables;
const tableOf = { measurements: m, analyses: a, alerts: al } as const;

interface TrackedTestScope extends TestFilter {
  testNames?: readonly string[] | undefined;
  after?: string | undefined;
  limit?: number | undefined;
}

const testLocks = new Map<string, Promise<unknown>>();

// better-sqlite3 binds at most 32766 parameters per statement; 500 rows x 16 columns stays well below.
const insertChunk = 500;

export class SqliteStore implements Store {
  readonly backend = 'sqlite' as const;
  readonly schema = null;

  /** Inserts validated rows in one transaction. */
  private readonly insertMeasurements: (rows: MeasurementValues[]) => void;

  private constructor(private readonly db: SqliteDatabase) {
    const slot = (name: keyof MeasurementValues) => sql.placeholder(name);
    const query = db
      .insert(m)
      .values({
        testName: slot('testName'),
        confidence: slot('confidence'),
        category: slot('category'),
        timestamp: slot('timestamp'),
        failureId: slot('failureId'),
        ruleScore: slot('ruleScore'),
        signalScore: slot('signalScore'),
        createdAt: slot('createdAt'),
      })
      .prepare()
      .getQuery();
    // Drizzle writes the statement and each column's encoder; binding them ourselves, once, spares a
    // batch Drizzle's per-row placeholder lookup, which cost a third of the gap to the raw driver.
    const encoders = query.params.map((param) => {
      if (!(is(param, Param) && is(param.value, Placeholder))) throw new Error('expected a placeholder parameter');
      const key = param.value.name as keyof MeasurementValues;
      const encoder = param.encoder;
      return (row: MeasurementValues) => (encoder ? encoder.mapToDriverValue(row[key]) : row[key]);
    });
    const statement = db.$client.prepare(query.sql);
    this.insertMeasurements = db.$client.transaction((rows: MeasurementValues[]) => {
      for (const row of rows) statement.run(encoders.map((encode) => encode(row)));
    });
  }

  static open(file: string): SqliteStore {
    return new SqliteStore(connectSqlite(file));
  }

  async recordMeasurement(input: NewMeasurement): Promise<Measurement> {
    const [values] = toMeasurementValues([input], new Date());
    return this.db.insert(m).values(values!).returning().get();
  }

  async recordMeasurements(inputs: NewMeasurement[]): Promise<number> {
    const rows = toMeasurementValues(inputs, new Date());
    this.insertMeasurements(rows);
    return rows.length;
  }

  async getMeasurements(ids: readonly number[]): Promise<Measurement[]> {
    if (ids.length === 0) return [];
    return inIdOrder(ids, this.db.select().from(m).where(inArray(m.id, [...ids])).all());
  }

  async listMeasurements(filter: MeasurementFilter, request: PageRequest<TimeCursor>): Promise<Page<Measurement>> {
    const plan = keysetPlan(m.timestamp, m.id, request);
    const rows = this.db
      .select()
      .from(m)
      .where(and(measurementConditions(m, filter), plan.where))
      .orderBy(...plan.orderBy)
      .limit(plan.limit)
      .all();
    return toPage(rows, plan, hadCursor(request));
  }

  async countMeasurements(filter: MeasurementFilter): Promise<number> {
    return this.db.select({ n: count() }).from(m).where(measurementConditions(m, filter)).get()!.n;
  }

  async measurementsOfTests(testNames: readonly string[], since?: Date): Promise<Measurement[]> {
    if (testNames.length === 0) return [];
    return this.db
      .select()
      .from(m)
      .where(and(inArray(m.testName, [...testNames]), measurementConditions(m, { since })))
      .orderBy(asc(m.testName), asc(m.timestamp), asc(m.id))
      .all();
  }

  /**
   * Tracked tests: each test's aggregates, grouped first, then its latest row joined in, so the
   * latest-row lookup is one indexed probe per returned test rather than one per measurement.
   */
  private trackedTests(scope: TrackedTestScope): TrackedTest[] {
    const conditionsOn = (t: { testName: Column; category: Column; timestamp: Column }) =>
      and(
        testConditions(t, scope, 'sqlite'),
        scope.testNames !== undefined ? inArray(t.testName, [...scope.testNames]) : undefined,
        scope.after !== undefined ? gt(t.testName, scope.after) : undefined,
      );
    const grouped = this.db
      .select({
        testName: m.testName,
        measurementsCount: count().as('measurements_count'),
        firstSeen: min(m.timestamp).as('first_seen'),
        lastSeen: max(m.timestamp).as('last_seen'),
        averageConfidence: avg(m.confidence).mapWith(Number).as('average_confidence'),
      })
      .from(m)
      .where(conditionsOn(m))
      .groupBy(m.testName)
      .orderBy(asc(m.testName))
      .limit(scope.limit ?? -1)
      .as('grouped');
    const latest = alias(m, 'latest');
    const newer = alias(m, 'newer');
    const newestId = sql`(select ${newer.id} from ${m} ${newer} where ${newer.testName} = ${grouped.testName} and ${
      conditionsOn(newer) ?? sql`1 = 1`
    } order by ${newer.timestamp} desc, ${newer.id} desc limit 1)`;
    const rows = this.db
      .select({
        testName: grouped.testName,
        category: latest.category,
        measurementsCount: grouped.measurementsCount,
        firstSeen: grouped.firstSeen,
        lastSeen: grouped.lastSeen,
        latestConfidence: latest.confidence,
        averageConfidence: grouped.averageConfidence,
      })
      .from(grouped)
      .innerJoin(latest, eq(latest.id, newestId))
      .orderBy(asc(grouped.testName))
      .all();
    return rows.map(toTrackedTest);
  }

  async listTests(filter: TestFilter, page: { first: number; after?: string | undefined }): Promise<Page<TrackedTest>> {
    const rows = this.trackedTests({ ...filter, after: page.after, limit: page.first + 1 });
    return toPage(rows, { backwards: false, size: page.first }, page.after !== undefined);
  }

  async countTests(filter: TestFilter): Promise<number> {
    const [row] = this.db.select({ n: countDistinct(m.testName) }).from(m).where(testConditions(m, filter, 'sqlite'))
      .all();
    return row!.n;
  }

  async getTests(testNames: readonly string[]): Promise<TrackedTest[]> {
    if (testNames.length === 0) return [];
    return this.trackedTests({ testNames });
  }

  async listTestNames(filter: { category?: string | undefined; after?: string | undefined; limit: number }): Promise<string[]> {
    const rows = this.db
      .selectDistinct({ testName: m.testName })
      .from(m)
      .where(and(testConditions(m, filter, 'sqlite'), filter.after !== undefined ? gt(m.testName, filter.after) : undefined))
      .orderBy(asc(m.testName))
      .limit(filter.limit)
      .all();
    return rows.map((r) => r.testName);
  }

  async saveAnalyses(analyses: NewDriftAnalysis[]): Promise<DriftAnalysis[]> {
    if (analyses.length === 0) return [];
    const rows = this.db.transaction((tx) => {
      const saved = [];
      for (let i = 0; i < analyses.length; i += insertChunk) {
        saved.push(...tx.insert(a).values(analyses.slice(i, i + insertChunk)).returning().all());
      }
      return saved;
    });
    return rows.map(toAnalysis);
  }

  async getAnalyses(ids: readonly number[]): Promise<DriftAnalysis[]> {
    if (ids.length === 0) return [];
    return inIdOrder(ids, this.db.select().from(a).where(inArray(a.id, [...ids])).all().map(toAnalysis));
  }

  async latestAnalyses(testNames: readonly string[]): Promise<DriftAnalysis[]> {
    if (testNames.length === 0) return [];
    const newer = alias(a, 'newer');
    const rows = this.db
      .select()
      .from(a)
      .where(
        and(
          inArray(a.testName, [...testNames]),
          eq(
            a.id,
            sql`(select ${newer.id} from ${a} ${newer} where ${newer.testName} = ${a.testName} order by ${newer.analyzedAt} desc, ${newer.id} desc limit 1)`,
          ),
        ),
      )
      .all();
    return rows.map(toAnalysis);
  }

  async listAnalyses(filter: AnalysisFilter, request: PageRequest<TimeCursor>): Promise<Page<DriftAnalysis>> {
    const plan = keysetPlan(a.analyzedAt, a.id, request);
    const rows = this.db
      .select()
      .from(a)
      .where(and(analysisConditions(a, filter), plan.where))
      .orderBy(...plan.orderBy)
      .limit(plan.limit)
      .all();
    return toPage(rows.map(toAnalysis), plan, hadCursor(request));
  }

  async countAnalyses(filter: AnalysisFilter): Promise<number> {
    return this.db.select({ n: count() }).from(a).where(analysisConditions(a, filter)).get()!.n;
  }

  async createAlert(alert: NewDriftAlert): Promise<DriftAlert> {
    return toAlert(this.db.insert(al).values(alert).returning().get());
  }

  async getAlerts(ids: readonly number[]): Promise<DriftAlert[]> {
    if (ids.length === 0) return [];
    return inIdOrder(ids, this.db.select().from(al).where(inArray(al.id, [...ids])).all().map(toAlert));
  }

  async listAlerts(filter: AlertFilter, request: PageRequest<TimeCursor>): Promise<Page<DriftAlert>> {
    const plan = keysetPlan(al.createdAt, al.id, request);
    const rows = this.db
      .select()
      .from(al)
      .where(and(alertConditions(al, filter), plan.where))
      .orderBy(...plan.orderBy)
      .limit(plan.limit)
      .all();
    return toPage(rows.map(toAlert), plan, hadCursor(request));
  }

  async countAlerts(filter: AlertFilter): Promise<number> {
    return this.db.select({ n: count() }).from(al).where(alertConditions(al, filter)).get()!.n;
  }

  async acknowledgeAlert(id: number, by: string | null, at: Date): Promise<AcknowledgeResult> {
    // The guard on `acknowledged` makes the first acknowledgement win without a read-then-write race.
    const updated = this.db
      .update(al)
      .set({ acknowledged: true, acknowledgedAt: at, acknowledgedBy: by })
      .where(and(eq(al.id, id), eq(al.acknowledged, false)))
      .returning()
      .get();
    if (updated) return { status: 'acknowledged', alert: toAlert(updated) };
    const existing = this.db.select().from(al).where(eq(al.id, id)).get();
    return existing ? { status: 'already-acknowledged', alert: toAlert(existing) } : { status: 'not-found' };
  }

  async alertHistory(testName: string): Promise<AlertHistory> {
    const last = this.db
      .select()
      .from(al)
      .where(eq(al.testName, testName))
      .orderBy(desc(al.createdAt), desc(al.id))
      .limit(1)
      .get();
    if (!last) return { lastAlert: null, severitiesSinceLastAlert: [] };
    const since = this.db
      .selectDistinct({ severity: a.severity })
      .from(a)
      .where(and(eq(a.testName, testName), gt(a.analyzedAt, last.createdAt)))
      .all();
    return {
      lastAlert: toAlert(last),
      severitiesSinceLastAlert: since.map((row) => parseSeverity(row.severity)),
    };
  }

  async alertsAfter(afterId: number, limit: number): Promise<DriftAlert[]> {
    return this.db.select().from(al).where(gt(al.id, afterId)).orderBy(asc(al.id)).limit(limit).all().map(toAlert);
  }

  async statistics(scope: StatisticsScope): Promise<Statistics> {
    const row = this.db
      .select({
        totalTests: countDistinct(m.testName),
        totalMeasurements: count(),
        avgConfidence: avg(m.confidence).mapWith(Number),
        minConfidence: min(m.confidence),
        maxConfidence: max(m.confidence),
      })
      .from(m)
      .where(measurementConditions(m, { category: scope.category, since: scope.since }))
      .get()!;
    return { ...row, avgConfidence: row.totalMeasurements === 0 ? null : row.avgConfidence };
  }

  async databaseSizeBytes(): Promise<number> {
    const row = this.db.get<{ bytes: number }>(
      sql`select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()`,
    );
    return row.bytes;
  }

  async cleanup(days: RetentionDays, now: Date): Promise<CleanupCounts> {
    return this.db.transaction((tx) => ({
      measurements: tx.delete(m).where(lt(m.timestamp, daysBefore(now, days.measurementsDays))).run().changes,
      analyses: tx.delete(a).where(lt(a.analyzedAt, daysBefore(now, days.analysisDays))).run().changes,
      // Only acknowledged alerts age out, by their acknowledgement: an open alert is never deleted by age.
      alerts: tx.delete(al).where(and(eq(al.acknowledged, true), lt(al.acknowledgedAt, daysBefore(now, days.alertsDays)))).run().changes,
    }));
  }

  async vacuum(): Promise<void> {
    this.db.run(sql`vacuum`);
    this.db.run(sql`pragma optimize`);
  }

  async *streamRows<T extends TableName>(table: T, batchSize: number): AsyncIterable<TableRows[T][]> {
    const source = tableOf[table];
    const parse = (rows: unknown[]) => parseRows(table, rows);
    let lastId = 0;
    for (;;) {
      const rows = this.db.select().from(source).where(gt(source.id, lastId)).orderBy(asc(source.id)).limit(batchSize).all();
      if (rows.length === 0) return;
      lastId = rows[rows.length - 1]!.id;
      yield parse(rows);
    }
  }

  async importRows<T extends TableName>(table: T, rows: TableRows[T][]): Promise<number> {
    return this.db.transaction((tx) => {
      let inserted = 0;
      for (let i = 0; i < rows.length; i += insertChunk) {
        const chunk = rows.slice(i, i + insertChunk);
        const insert =
          table === 'measurements'
            ? tx.insert(m).values(chunk as Measurement[]).onConflictDoNothing({ target: m.id })
            : table === 'analyses'
              ? tx.insert(a).values(chunk as DriftAnalysis[]).onConflictDoNothing({ target: a.id })
              : tx.insert(al).values(chunk as DriftAlert[]).onConflictDoNothing({ target: al.id });
        inserted += insert.run().changes;
      }
      return inserted;
    });
  }

  async countRows(table: TableName): Promise<number> {
    return this.db.$count(tableOf[table]);
  }

  // A SQLite file is served by one process; a promise chain per file and test orders the work of
  // every store that process opened on it.
  async withTestLock<T>(testName: string, work: (locked: Store) => Promise<T>): Promise<T> {
    const key = `${this.db.$client.name}\u0000${testName}`;
    const previous = testLocks.get(key) ?? Promise.resolve();
    const current = previous.catch(() => {}).then(() => work(this));
    testLocks.set(key, current);
    try {
      return await current;
    } finally {
      if (testLocks.get(key) === current) testLocks.delete(key);
    }
  }

  poolStats() {
    return null;
  }

  async close(): Promise<void> {
    this.db.$client.close();
  }
}

function parseRows<T extends TableName>(table: T, rows: unknown[]): TableRows[T][] {
  if (table === 'analyses') return rows.map((r) => toAnalysis(r as typeof a.$inferSelect)) as TableRows[T][];
  if (table === 'alerts') return rows.map((r) => toAlert(r as typeof al.$inferSelect)) as TableRows[T][];
  return rows as TableRows[T][];
}
