// Every query of the Store, written once. Drizzle's sqlite-core builders mirror pg-core's and are
// awaitable on better-sqlite3 too, so the shared members below await the same builder on either
// dialect; the two subclasses hold only what the databases truly do differently.
import { type Column, type SQL, and, asc, avg, count, countDistinct, desc, eq, exists, gt, gte, inArray, isNull, lt, max, min, not, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { PgDatabase } from '../db/pg/connect.js';
import type * as pgTables from '../db/pg/schema.js';
import {
  alertConditions,
  analysisConditions,
  daysBefore,
  hadCursor,
  inIdOrder,
  keysetPlan,
  latestPerTestAndInstant,
  measurementConditions,
  parseSeverity,
  replacedColumns,
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
  DetectorStateRow,
  DriftAlert,
  DriftAnalysis,
  Measurement,
  MeasurementFilter,
  NewDriftAlert,
  NewDriftAnalysis,
  NewMeasurement,
  Page,
  PageRequest,
  RecordOutcome,
  RetentionDays,
  Statistics,
  StatisticsScope,
  Store,
  StorageBackend,
  TableName,
  TableRows,
  TestFilter,
  TimeCursor,
  TrackedTest,
} from './store.js';
import { InvalidInputError } from './errors.js';
import { acknowledgerSchema, toMeasurementValues, type MeasurementValues } from './validation.js';

/**
 * The database the shared queries are written against. Its static type is pg-core's; a SQLite
 * store passes its better-sqlite3 database and sqlite-core tables, whose builders have the same
 * shape and whose rows have the same types (test/db/schema-parity.test.ts holds them together).
 */
export type SqlDatabase = Omit<PgDatabase, '$client'>;
export type Tables = typeof pgTables;

/** One of the three tables, by the rows it reads back. */
type AnyTable<R> = Tables['confidenceMeasurements' | 'driftAnalysis' | 'driftAlerts'] & { $inferSelect: R };

interface TrackedTestScope extends TestFilter {
  testNames?: readonly string[] | undefined;
  after?: string | undefined;
  limit?: number | undefined;
}

export abstract class SqlStore implements Store {
  abstract readonly backend: StorageBackend;
  abstract readonly schema: string | null;

  protected constructor(
    protected readonly db: SqlDatabase,
    protected readonly tables: Tables,
  ) {}

  // ---- what each dialect does its own way ----

  /** Runs `work` in one transaction on one connection; `work` gets the store bound to it. */
  protected abstract atomically<T>(work: (tx: this) => Promise<T>): Promise<T>;
  /**
   * Upserts a validated batch (one row per test and instant) atomically, the fastest way the driver
   * allows; returns how many rows were new rather than replacing a stored one.
   */
  protected abstract insertMeasurements(rows: MeasurementValues[]): Promise<number>;
  /** Lifts the statement time limit for the rest of the transaction: maintenance may take long. */
  protected abstract allowLongStatements(): Promise<void>;
  /** Rows a DELETE or UPDATE changed, from the driver's own result shape. */
  protected abstract changedRows(result: unknown): number;
  /** Called inside createAlert's transaction before the id is drawn and after the row is in. */
  protected abstract aroundAlertInsert(): { before(): Promise<void>; after(id: number): Promise<void> };
  abstract importRows<T extends TableName>(table: T, rows: TableRows[T][]): Promise<number>;
  abstract databaseSizeBytes(): Promise<number>;
  abstract vacuum(): Promise<void>;
  abstract withTestLock<T>(testName: string, work: (locked: Store) => Promise<T>): Promise<T>;
  abstract ping(): Promise<void>;
  abstract poolStats(): { total: number; idle: number; waiting: number } | null;
  abstract close(): Promise<void>;

  // ---- measurements ----

  async recordMeasurement(input: NewMeasurement): Promise<Measurement> {
    const [values] = toMeasurementValues([input], new Date());
    const { confidenceMeasurements: m } = this.tables;
    const [row] = await this.atomically((tx) =>
      tx.db
        .insert(m)
        .values(values!)
        .onConflictDoUpdate({ target: [m.testName, m.timestamp], set: replacedColumns(m) })
        .returning(),
    );
    return row!;
  }

  async recordMeasurements(inputs: NewMeasurement[]): Promise<RecordOutcome> {
    const rows = toMeasurementValues(inputs, new Date());
    const latest = latestPerTestAndInstant(rows);
    const inserted = latest.length === 0 ? 0 : await this.insertMeasurements(latest);
    return { inserted, replaced: rows.length - inserted };
  }

  getMeasurements(ids: readonly number[]): Promise<Measurement[]> {
    return this.byIds(this.tables.confidenceMeasurements, ids, (row) => row);
  }

  listMeasurements(filter: MeasurementFilter, request: PageRequest<TimeCursor>): Promise<Page<Measurement>> {
    const table = this.tables.confidenceMeasurements;
    return this.keysetPage(table, table.timestamp, measurementConditions(table, filter), request, (row) => row);
  }

  countMeasurements(filter: MeasurementFilter): Promise<number> {
    return this.db.$count(this.tables.confidenceMeasurements, measurementConditions(this.tables.confidenceMeasurements, filter));
  }

  async measurementsOfTests(testNames: readonly string[], since?: Date): Promise<Measurement[]> {
    if (testNames.length === 0) return [];
    const { confidenceMeasurements: m } = this.tables;
    return this.db
      .select()
      .from(m)
      .where(and(inArray(m.testName, [...testNames]), measurementConditions(m, { since })))
      .orderBy(asc(m.testName), asc(m.timestamp), asc(m.id));
  }

  // ---- tracked tests ----

  /**
   * Tracked tests: each test's aggregates, grouped first, then its latest row joined in, so the
   * latest-row lookup is one indexed probe per returned test rather than one per measurement.
   */
  private async trackedTests(scope: TrackedTestScope): Promise<TrackedTest[]> {
    const { confidenceMeasurements: m } = this.tables;
    const conditionsOn = (t: { testName: Column; category: Column; timestamp: Column }) =>
      and(
        testConditions(t, scope, this.backend),
        scope.testNames !== undefined ? inArray(t.testName, [...scope.testNames]) : undefined,
        scope.after !== undefined ? gt(t.testName, scope.after) : undefined,
      );
    const groupedQuery = this.db
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
      .$dynamic();
    const grouped = (scope.limit === undefined ? groupedQuery : groupedQuery.limit(scope.limit)).as('grouped');
    const latest = alias(m, 'latest');
    const newer = alias(m, 'newer');
    const newestId = sql`(select ${newer.id} from ${m} ${newer} where ${newer.testName} = ${grouped.testName} and ${
      conditionsOn(newer) ?? sql`1 = 1`
    } order by ${newer.timestamp} desc, ${newer.id} desc limit 1)`;
    const rows = await this.db
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
      .orderBy(asc(grouped.testName));
    return rows.map(toTrackedTest);
  }

  async listTests(filter: TestFilter, page: { first: number; after?: string | undefined }): Promise<Page<TrackedTest>> {
    const rows = await this.trackedTests({ ...filter, after: page.after, limit: page.first + 1 });
    return toPage(rows, { backwards: false, size: page.first }, page.after !== undefined);
  }

  async countTests(filter: TestFilter): Promise<number> {
    const { confidenceMeasurements: m } = this.tables;
    const [row] = await this.db.select({ n: countDistinct(m.testName) }).from(m).where(testConditions(m, filter, this.backend));
    return row!.n;
  }

  async getTests(testNames: readonly string[]): Promise<TrackedTest[]> {
    if (testNames.length === 0) return [];
    return this.trackedTests({ testNames });
  }

  async listTestNames(filter: { category?: string | undefined; after?: string | undefined; limit: number }): Promise<string[]> {
    const { confidenceMeasurements: m } = this.tables;
    const rows = await this.db
      .selectDistinct({ testName: m.testName })
      .from(m)
      .where(and(testConditions(m, filter, this.backend), filter.after !== undefined ? gt(m.testName, filter.after) : undefined))
      .orderBy(asc(m.testName))
      .limit(filter.limit);
    return rows.map((r) => r.testName);
  }

  // ---- analyses ----

  async saveAnalyses(analyses: NewDriftAnalysis[]): Promise<DriftAnalysis[]> {
    if (analyses.length === 0) return [];
    const { driftAnalysis: a } = this.tables;
    // 500 rows x 16 columns stays below either driver's limit on bound parameters per statement.
    const rows = await this.atomically(async (tx) => {
      const saved = [];
      for (let i = 0; i < analyses.length; i += 500) {
        saved.push(...(await tx.db.insert(a).values(analyses.slice(i, i + 500)).returning()));
      }
      return saved;
    });
    return rows.map(toAnalysis);
  }

  getAnalyses(ids: readonly number[]): Promise<DriftAnalysis[]> {
    return this.byIds(this.tables.driftAnalysis, ids, toAnalysis);
  }

  async latestAnalyses(testNames: readonly string[]): Promise<DriftAnalysis[]> {
    if (testNames.length === 0) return [];
    const { driftAnalysis: a } = this.tables;
    const newer = alias(a, 'newer');
    const newestId = sql`(select ${newer.id} from ${a} ${newer} where ${newer.testName} = ${a.testName} order by ${newer.analyzedAt} desc, ${newer.id} desc limit 1)`;
    const rows = await this.db
      .select()
      .from(a)
      .where(and(inArray(a.testName, [...testNames]), eq(a.id, newestId)));
    return rows.map(toAnalysis);
  }

  listAnalyses(filter: AnalysisFilter, request: PageRequest<TimeCursor>): Promise<Page<DriftAnalysis>> {
    const table = this.tables.driftAnalysis;
    return this.keysetPage(table, table.analyzedAt, analysisConditions(table, filter), request, toAnalysis);
  }

  countAnalyses(filter: AnalysisFilter): Promise<number> {
    return this.db.$count(this.tables.driftAnalysis, analysisConditions(this.tables.driftAnalysis, filter));
  }

  // ---- alerts ----

  async createAlert(alert: NewDriftAlert): Promise<DriftAlert> {
    const { driftAlerts: al } = this.tables;
    return this.atomically(async (tx) => {
      const hooks = tx.aroundAlertInsert();
      await hooks.before();
      const [row] = await tx.db.insert(al).values(alert).returning();
      await hooks.after(row!.id);
      return toAlert(row!);
    });
  }

  getAlerts(ids: readonly number[]): Promise<DriftAlert[]> {
    return this.byIds(this.tables.driftAlerts, ids, toAlert);
  }

  listAlerts(filter: AlertFilter, request: PageRequest<TimeCursor>): Promise<Page<DriftAlert>> {
    const table = this.tables.driftAlerts;
    return this.keysetPage(table, table.createdAt, alertConditions(table, filter), request, toAlert);
  }

  countAlerts(filter: AlertFilter): Promise<number> {
    return this.db.$count(this.tables.driftAlerts, alertConditions(this.tables.driftAlerts, filter));
  }

  async acknowledgeAlert(id: number, by: string | null, at: Date): Promise<AcknowledgeResult> {
    const checked = acknowledgerSchema.safeParse(by);
    if (!checked.success) throw new InvalidInputError([{ path: 'by', message: checked.error.issues[0]!.message }]);
    const { driftAlerts: al } = this.tables;
    // The guard on `acknowledged` makes the first acknowledgement win without a read-then-write race.
    const [updated] = await this.atomically((tx) =>
      tx.db
        .update(al)
        .set({ acknowledged: true, acknowledgedAt: at, acknowledgedBy: by })
        .where(and(eq(al.id, id), eq(al.acknowledged, false)))
        .returning(),
    );
    if (updated) return { status: 'acknowledged', alert: toAlert(updated) };
    const [existing] = await this.db.select().from(al).where(eq(al.id, id));
    return existing ? { status: 'already-acknowledged', alert: toAlert(existing) } : { status: 'not-found' };
  }

  async alertHistory(testName: string): Promise<AlertHistory> {
    const { driftAlerts: al, driftAnalysis: a } = this.tables;
    const [last] = await this.db
      .select()
      .from(al)
      .where(eq(al.testName, testName))
      .orderBy(desc(al.createdAt), desc(al.id))
      .limit(1);
    if (!last) return { lastAlert: null, severitiesSinceLastAlert: [] };
    const since = await this.db
      .selectDistinct({ severity: a.severity })
      .from(a)
      .where(and(eq(a.testName, testName), gt(a.analyzedAt, last.createdAt)));
    return { lastAlert: toAlert(last), severitiesSinceLastAlert: since.map((row) => parseSeverity(row.severity)) };
  }

  async alertsAfter(afterId: number, limit: number): Promise<DriftAlert[]> {
    const { driftAlerts: al } = this.tables;
    const rows = await this.db.select().from(al).where(gt(al.id, afterId)).orderBy(asc(al.id)).limit(limit);
    return rows.map(toAlert);
  }

  // ---- detector states ----

  async detectorStates(testNames: readonly string[]): Promise<DetectorStateRow[]> {
    if (testNames.length === 0) return [];
    const { driftDetectorState: d } = this.tables;
    return this.db.select().from(d).where(inArray(d.testName, [...testNames]));
  }

  async saveDetectorStates(states: DetectorStateRow[]): Promise<void> {
    if (states.length === 0) return;
    const { driftDetectorState: d } = this.tables;
    // 500 rows x 5 columns stays far below either driver's limit on bound parameters per statement.
    await this.atomically(async (tx) => {
      for (let i = 0; i < states.length; i += 500) {
        await tx.db
          .insert(d)
          .values(states.slice(i, i + 500))
          .onConflictDoUpdate({
            target: d.testName,
            set: replacedColumns(d, ['testName']),
            // Two instances folding the same test race to save; the state that has seen later points
            // wins, so a slower writer cannot move the fold backwards (the fold is deterministic,
            // so equal instants mean equal states).
            setWhere: or(isNull(d.lastTimestamp), gte(sql`excluded.${sql.identifier('last_timestamp')}`, d.lastTimestamp)),
          });
      }
    });
  }

  // ---- maintenance ----

  async statistics(scope: StatisticsScope): Promise<Statistics> {
    const { confidenceMeasurements: m } = this.tables;
    const [row] = await this.db
      .select({
        totalTests: countDistinct(m.testName),
        totalMeasurements: count(),
        avgConfidence: avg(m.confidence).mapWith(Number),
        minConfidence: min(m.confidence),
        maxConfidence: max(m.confidence),
      })
      .from(m)
      .where(measurementConditions(m, { category: scope.category, since: scope.since }));
    return { ...row!, avgConfidence: row!.totalMeasurements === 0 ? null : row!.avgConfidence };
  }

  async cleanup(days: RetentionDays, now: Date): Promise<CleanupCounts> {
    const { confidenceMeasurements: m, driftAnalysis: a, driftAlerts: al, driftDetectorState: d } = this.tables;
    return this.atomically(async (tx) => {
      await tx.allowLongStatements();
      const measurements = tx.changedRows(await tx.db.delete(m).where(lt(m.timestamp, daysBefore(now, days.measurementsDays))));
      // A test with no measurements left is gone: should it come back, it starts a baseline afresh
      // rather than continuing from one learnt before its whole history was deleted.
      await tx.db.delete(d).where(not(exists(tx.db.select({ one: sql`1` }).from(m).where(eq(m.testName, d.testName)))));
      return {
        measurements,
        analyses: tx.changedRows(await tx.db.delete(a).where(lt(a.analyzedAt, daysBefore(now, days.analysisDays)))),
        // Only acknowledged alerts age out, by their acknowledgement: an open alert is never deleted by age.
        alerts: tx.changedRows(
          await tx.db.delete(al).where(and(eq(al.acknowledged, true), lt(al.acknowledgedAt, daysBefore(now, days.alertsDays)))),
        ),
      };
    });
  }

  /** Rows fetched by id, in the order the ids were asked for (DataLoader's contract). */
  private async byIds<R extends { id: number }, T extends { id: number }>(table: AnyTable<R>, ids: readonly number[], parse: (row: R) => T): Promise<T[]> {
    if (ids.length === 0) return [];
    const rows = (await this.db.select().from(table as Tables['driftAlerts']).where(inArray(table.id, [...ids]))) as unknown as R[];
    return inIdOrder(ids, rows.map(parse));
  }

  /** One page of a newest-first listing keyed by (time, id). */
  private async keysetPage<R, T>(
    table: AnyTable<R>,
    time: Column,
    where: SQL | undefined,
    request: PageRequest<TimeCursor>,
    parse: (row: R) => T,
  ): Promise<Page<T>> {
    const plan = keysetPlan(time, table.id, request);
    const rows = (await this.db
      .select()
      .from(table as Tables['driftAlerts'])
      .where(and(where, plan.where))
      .orderBy(...plan.orderBy)
      .limit(plan.limit)) as unknown as R[];
    return toPage(rows.map(parse), plan, hadCursor(request));
  }

  protected tableOf(table: TableName) {
    const { confidenceMeasurements, driftAnalysis, driftAlerts } = this.tables;
    return { measurements: confidenceMeasurements, analyses: driftAnalysis, alerts: driftAlerts }[table];
  }

  async *streamRows<T extends TableName>(table: T, batchSize: number): AsyncIterable<TableRows[T][]> {
    const source = this.tableOf(table);
    let lastId = 0;
    for (;;) {
      const rows = await this.db.select().from(source).where(gt(source.id, lastId)).orderBy(asc(source.id)).limit(batchSize);
      if (rows.length === 0) return;
      lastId = rows[rows.length - 1]!.id;
      yield parseRows(table, rows);
    }
  }

  async countRows(table: TableName): Promise<number> {
    return this.db.$count(this.tableOf(table));
  }
}

function parseRows<T extends TableName>(table: T, rows: unknown[]): TableRows[T][] {
  if (table === 'analyses') return rows.map((r) => toAnalysis(r as Parameters<typeof toAnalysis>[0])) as TableRows[T][];
  if (table === 'alerts') return rows.map((r) => toAlert(r as Parameters<typeof toAlert>[0])) as TableRows[T][];
  return rows as TableRows[T][];
}
