// Every query of the Store, written once. Drizzle's sqlite-core builders mirror pg-core's and are
// awaitable on better-sqlite3 too, so the shared members below await the same builder on either
// dialect; the two subclasses hold only what the databases truly do differently.
import { type Column, type SQL, and, asc, count, desc, eq, exists, gt, gte, inArray, isNull, lt, lte, max, min, not, notExists, or, sql, sum } from 'drizzle-orm';
import { alias, type PgInsertBase, type PgInsertSelectQueryBuilder } from 'drizzle-orm/pg-core';
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
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
  AnalysisMark,
  AlertHistory,
  AnalysisFilter,
  CleanupCounts,
  DetectorStateRow,
  DriftAlert,
  DriftAnalysis,
  HistoryHour,
  Measurement,
  MeasurementFilter,
  NewDriftAlert,
  NewDriftAnalysis,
  NewMeasurement,
  Page,
  PageRequest,
  SeriesPoint,
  RecordOutcome,
  RetentionDays,
  RowSource,
  Statistics,
  StatisticsScope,
  Store,
  StorageBackend,
  TableName,
  TableRows,
  TestFilter,
  TestNameFilter,
  TestSeriesRead,
  TimeCursor,
  TrackedTest,
} from './store.js';
import { InvalidInputError } from './errors.js';
import {
  categoryKey,
  categoryKeyIs,
  categoryOfKey,
  exceedsStored,
  excludedValue,
  mergeAggregate,
  mergeTestSummary,
  hourOf,
  nextHourFrom,
  periodAfter,
  periodOf,
  summaryAdditions,
  type SummarisedRow,
} from './summaries.js';
import { acknowledgerSchema, toMeasurementValues, type MeasurementValues } from './validation.js';

/**
 * The database the shared queries are written against. Its static type is pg-core's; a SQLite
 * store passes its better-sqlite3 database and sqlite-core tables, whose builders have the same
 * shape and whose rows have the same types (test/db/schema-parity.test.ts holds them together).
 */
export type SqlDatabase = Omit<PgDatabase, '$client'>;
export type Tables = typeof pgTables;

/** One test's points as analysis reads them, before its category is added. */
export type TestPoints = Omit<TestSeriesRead, 'category'>;

/** An insert builder before its conflict clause. */
export type InsertOf<T extends Tables[keyof Tables]> = PgInsertBase<T, NodePgQueryResultHKT>;

/** One of the three tables of rows with ids, by the rows it reads back. */
type AnyTable<R> = Tables['confidenceMeasurements' | 'driftAnalysis' | 'driftAlerts'] & { $inferSelect: R };

interface TrackedTestScope extends TestFilter {
  testNames?: readonly string[] | undefined;
  after?: string | undefined;
  limit?: number | undefined;
  /** Only tests with measurements their latest analysis has not seen. */
  pending?: boolean | undefined;
}

// 500 rows x 12 columns stays below either driver's limit on bound parameters per statement.
const summaryChunk = 500;

function toStatistics(
  totalTests: number,
  parts: { measurementsCount: number | null; confidenceSum: number | null; minConfidence: number | null; maxConfidence: number | null }[],
): Statistics {
  let totalMeasurements = 0;
  let confidenceSum = 0;
  let minConfidence: number | null = null;
  let maxConfidence: number | null = null;
  for (const part of parts) {
    if (!part.measurementsCount) continue;
    totalMeasurements += part.measurementsCount;
    confidenceSum += part.confidenceSum!;
    minConfidence = minConfidence === null ? part.minConfidence : Math.min(minConfidence, part.minConfidence!);
    maxConfidence = maxConfidence === null ? part.maxConfidence : Math.max(maxConfidence, part.maxConfidence!);
  }
  return {
    totalTests,
    totalMeasurements,
    avgConfidence: totalMeasurements === 0 ? null : confidenceSum / totalMeasurements,
    minConfidence,
    maxConfidence,
  };
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
   * Upserts a validated batch (one row per test and instant) the fastest way the driver allows, in
   * the caller's transaction, adding the new rows to the summaries; returns the rows that replaced a
   * stored measurement instead (the caller summarises their tests and hours afresh).
   */
  protected abstract upsertMeasurements(rows: MeasurementValues[]): Promise<MeasurementValues[]>;
  /** The start of the UTC hour holding each instant of a timestamp column, as hourly_confidence keys it. */
  protected abstract hourOfColumn(timestamp: Column | SQL): SQL<Date>;
  /** The start of the UTC month holding each instant of a timestamp column, as test_summaries keys it (periodOf). */
  protected abstract periodOfColumn(timestamp: Column | SQL): SQL<Date>;
  /** A timestamp column as whole epoch milliseconds, floored as a Date reads the column (finer digits dropped). */
  protected abstract epochMsOf(timestamp: Column): SQL<number>;

  /**
   * `column` is one of `values`, bound as one parameter: a batch names 1,000 tests, and as 1,000
   * parameters (inArray) building and binding them cost more than the query they went into.
   */
  protected abstract isAnyOf(column: Column, values: readonly (string | number)[]): SQL;
  /** The names as a relation `names` of one column, `name`: to drive a query by them. */
  protected abstract namesRelation(names: readonly string[]): SQL;
  /**
   * An insert of many rows, ready for its conflict or returning clause: the fastest way the driver
   * takes a batch (one array per column on PostgreSQL, a row list on SQLite).
   */
  protected abstract insertMany<T extends Tables['testSummaries' | 'hourlyConfidence' | 'driftAnalysis' | 'driftAlerts' | 'driftDetectorState' | 'testAnalysisMarks']>(table: T, rows: T['$inferInsert'][]): InsertOf<T>;
  /**
   * Locks the summaries of the tests `which` picks until the transaction ends, before they are
   * summarised afresh. Without it, a batch adding to a summary could commit between the recount's
   * read and its write, and the recount would write over the batch's share.
   */
  protected abstract lockSummaries(which: SQL): Promise<void>;
  /** Holds test_analysis_marks against a cleanup until the transaction ends (SQLite's writers take turns anyway). */
  protected abstract holdMarks(): Promise<void>;
  /** Holds test_analysis_marks and drift_detector_state against every writer until the transaction ends. */
  protected abstract excludeAnalysisWriters(): Promise<void>;
  /** Lifts the statement time limit for the rest of the transaction: maintenance may take long. */
  protected abstract allowLongStatements(): Promise<void>;
  /** Rows a DELETE or UPDATE changed, from the driver's own result shape. */
  protected abstract changedRows(result: unknown): number;
  /** Called inside createAlerts' transaction before the ids are drawn and after the rows are in, with the last id. */
  protected abstract aroundAlertInsert(): { before(): Promise<void>; after(lastId: number): Promise<void> };
  /** importRows for the tables whose rows carry ids. */
  protected abstract importRowsWithIds<T extends Exclude<TableName, 'history'>>(table: T, rows: TableRows[T][]): Promise<number>;
  abstract withSnapshot<T>(work: (snapshot: RowSource) => Promise<T>): Promise<T>;
  abstract databaseSizeBytes(): Promise<number>;
  abstract vacuum(): Promise<void>;
  abstract maintainStorage(now: Date): Promise<string[]>;
  abstract withTestLocks<T>(testNames: readonly string[], work: (locked: Store) => Promise<T>): Promise<T>;
  abstract ping(): Promise<void>;
  abstract poolStats(): { total: number; idle: number; waiting: number } | null;
  abstract close(): Promise<void>;

  // ---- measurements ----

  async recordMeasurement(input: NewMeasurement): Promise<Measurement> {
    const values = toMeasurementValues([input], new Date());
    const { confidenceMeasurements: m } = this.tables;
    return this.atomically(async (tx) => {
      await tx.storeMeasurements(values);
      const [row] = await tx.db
        .select()
        .from(m)
        .where(and(eq(m.testName, values[0]!.testName), eq(m.timestamp, values[0]!.timestamp)));
      return row!;
    });
  }

  async recordMeasurements(inputs: NewMeasurement[]): Promise<RecordOutcome> {
    const rows = toMeasurementValues(inputs, new Date());
    const latest = latestPerTestAndInstant(rows);
    const inserted = latest.length === 0 ? 0 : await this.atomically((tx) => tx.storeMeasurements(latest));
    return { inserted, replaced: rows.length - inserted };
  }

  /** Upserts validated rows and brings the summaries along; returns how many rows were new. */
  private async storeMeasurements(rows: MeasurementValues[]): Promise<number> {
    const replaced = await this.upsertMeasurements(rows);
    if (replaced.length === 0) return rows.length;
    // A replaced value cannot be taken out of a minimum: its test and hour are summarised afresh.
    await this.resummariseTests((testName) => this.isAnyOf(testName, [...new Set(replaced.map((row) => row.testName))]));
    await this.resummariseHours([...new Set(replaced.map((row) => hourOf(row.timestamp).getTime()))].map((time) => new Date(time)));
    return rows.length - replaced.length;
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
    return this.db.select().from(m).where(this.ofTests(testNames, since)).orderBy(asc(m.testName), asc(m.timestamp), asc(m.id));
  }

  async seriesOfTests(testNames: readonly string[], since?: Date): Promise<TestSeriesRead[]> {
    if (testNames.length === 0) return [];
    const [categories, series] = await Promise.all([this.latestCategories(testNames), this.pointsOfTests(testNames, since)]);
    return series.map((points) => ({ ...points, category: categories.get(points.testName) ?? null }));
  }

  /**
   * The category of each named test's latest measurement, from its summaries: the one with the
   * latest last instant holds it (a test's instants are unique). A test with points since some
   * moment has its latest among them, so this is also its latest category since then. Ordered in
   * SQL: two categories' last instants may differ by microseconds a Date cannot hold.
   *
   * Driven by the names, a subquery per name, so each is an index lookup whatever the planner
   * thinks of the table: filtered by `= any(names)` instead, PostgreSQL costed 1,000 lookups in
   * 100,000 summaries above a parallel scan of them all (90-200 ms a batch against 4 ms).
   */
  private async latestCategories(testNames: readonly string[]): Promise<Map<string, string | null>> {
    const { testSummaries: ts } = this.tables;
    const name = sql<string>`names.name`;
    const latest = this.db.select({ key: ts.categoryKey }).from(ts).where(eq(ts.testName, name)).orderBy(desc(ts.lastSeen)).limit(1);
    const rows = await this.db.select({ testName: name, categoryKey: sql<string | null>`(${latest})` }).from(this.namesRelation(testNames));
    return new Map(rows.map(({ testName, categoryKey }) => [testName, categoryKey === null ? null : categoryOfKey(categoryKey)]));
  }

  /** Each named test's points since `since` (any order); a test without any is left out. */
  protected async pointsOfTests(testNames: readonly string[], since: Date | undefined): Promise<TestPoints[]> {
    const { confidenceMeasurements: m } = this.tables;
    // A row per test rather than per measurement: decoding a million rows cost the pass more than
    // the database spends joining their values. One aggregate carries each value beside its instant,
    // so the two cannot fall out of step; it writes a double's text so that it reads back as the
    // same double, and the instant as whole epoch milliseconds.
    const rows = await this.db
      .select({
        testName: m.testName,
        points: sql<string>`string_agg(cast(${m.confidence} as text) || ',' || cast(${this.epochMsOf(m.timestamp)} as text), ',')`,
      })
      .from(m)
      .where(this.ofTests(testNames, since))
      .groupBy(m.testName);
    return rows.map(({ testName, points }) => ({ testName, ...parsePoints(points) }));
  }

  private ofTests(testNames: readonly string[], since: Date | undefined): SQL | undefined {
    const { confidenceMeasurements: m } = this.tables;
    return and(this.isAnyOf(m.testName, testNames), measurementConditions(m, { since }));
  }

  // ---- tracked tests, read from test_summaries ----

  /** Which test summaries a listing covers: a category filter keeps that category's measurements only. */
  private summaryConditions(scope: TrackedTestScope): SQL | undefined {
    const { testSummaries: ts, testAnalysisMarks: mk } = this.tables;
    return and(
      scope.category !== undefined ? categoryKeyIs(ts.categoryKey, scope.category) : undefined,
      testConditions({ testName: ts.testName, category: ts.categoryKey, timestamp: ts.lastSeen }, { search: scope.search }, this.backend),
      scope.testNames !== undefined ? this.isAnyOf(ts.testName, scope.testNames) : undefined,
      scope.after !== undefined ? gt(ts.testName, scope.after) : undefined,
      scope.pending
        ? notExists(
            this.db
              .select({ one: sql`1` })
              .from(mk)
              .where(and(eq(mk.testName, ts.testName), eq(mk.categoryKey, ts.categoryKey), eq(mk.period, ts.period), gte(mk.analyzedRevision, ts.revision))),
          )
        : undefined,
    );
  }

  /**
   * Tracked tests: each test's summaries (one per category and month) added up, then the one holding its latest
   * measurement joined in; a test's timestamps are unique, so exactly one summary holds it.
   */
  private async trackedTests(scope: TrackedTestScope): Promise<TrackedTest[]> {
    const { testSummaries: ts } = this.tables;
    const groupedQuery = this.db
      .select({
        testName: ts.testName,
        // Names apart from the table's own columns, which the join below brings in again.
        measurementsCount: sum(ts.measurementsCount).mapWith(Number).as('test_measurements_count'),
        confidenceSum: sum(ts.confidenceSum).mapWith(Number).as('test_confidence_sum'),
        firstSeen: min(ts.firstSeen).as('test_first_seen'),
        lastSeen: max(ts.lastSeen).as('test_last_seen'),
      })
      .from(ts)
      .where(this.summaryConditions(scope))
      .groupBy(ts.testName)
      .orderBy(asc(ts.testName))
      .$dynamic();
    const grouped = (scope.limit === undefined ? groupedQuery : groupedQuery.limit(scope.limit)).as('grouped');
    const latest = alias(ts, 'latest');
    const rows = await this.db
      .select({
        testName: grouped.testName,
        categoryKey: latest.categoryKey,
        measurementsCount: grouped.measurementsCount,
        confidenceSum: grouped.confidenceSum,
        firstSeen: grouped.firstSeen,
        lastSeen: grouped.lastSeen,
        latestConfidence: latest.latestConfidence,
      })
      .from(grouped)
      .innerJoin(latest, and(eq(latest.testName, grouped.testName), eq(latest.lastSeen, grouped.lastSeen)))
      .orderBy(asc(grouped.testName));
    return rows.map(({ categoryKey, confidenceSum, ...row }) =>
      toTrackedTest({ ...row, category: categoryOfKey(categoryKey), averageConfidence: confidenceSum / row.measurementsCount }),
    );
  }

  async listTests(filter: TestFilter, page: { first: number; after?: string | undefined }): Promise<Page<TrackedTest>> {
    const rows = await this.trackedTests({ ...filter, after: page.after, limit: page.first + 1 });
    return toPage(rows, { backwards: false, size: page.first }, page.after !== undefined);
  }

  countTests(filter: TestFilter): Promise<number> {
    return this.countTestsWhere(this.summaryConditions(filter));
  }

  /**
   * Distinct test names among the summaries, counted by grouping in name order: PostgreSQL then walks
   * the primary key's index, where count(distinct) would sort every name (4x slower at 100,000 tests).
   */
  private async countTestsWhere(where: SQL | undefined): Promise<number> {
    const { testSummaries: ts } = this.tables;
    const names = this.db.select({ testName: ts.testName }).from(ts).where(where).groupBy(ts.testName).orderBy(asc(ts.testName)).as('names');
    const [row] = await this.db.select({ n: count() }).from(names);
    return row!.n;
  }

  async getTests(testNames: readonly string[]): Promise<TrackedTest[]> {
    if (testNames.length === 0) return [];
    return this.trackedTests({ testNames });
  }

  async listTestNames(filter: TestNameFilter): Promise<string[]> {
    const { testSummaries: ts } = this.tables;
    const query = this.db.selectDistinct({ testName: ts.testName }).from(ts).where(this.summaryConditions(filter)).orderBy(asc(ts.testName));
    const rows = await (filter.limit === undefined ? query : query.limit(filter.limit));
    return rows.map((r) => r.testName);
  }

  async analysisMarks(testNames: readonly string[]): Promise<AnalysisMark[]> {
    if (testNames.length === 0) return [];
    const { testSummaries: ts } = this.tables;
    return this.db
      .select({ testName: ts.testName, categoryKey: ts.categoryKey, period: ts.period, revision: ts.revision, firstSeen: ts.firstSeen })
      .from(ts)
      .where(this.isAnyOf(ts.testName, testNames));
  }

  async markAnalyzed(marks: readonly AnalysisMark[]): Promise<void> {
    const { testAnalysisMarks: mk } = this.tables;
    // A summary written since it was read has a higher revision than its mark, and so stays pending;
    // a slower analysis that read less never takes a mark back. A mark that stands already (a test's
    // earlier months, mostly) is left as it is rather than written again.
    if (marks.length === 0) return;
    await this.atomically(async (tx) => {
      // In key order, as every marking takes them, so two passes over the same tests never wait on each other in a circle.
      const standing = (await tx.stillStanding(marks)).sort(
        (x, y) => compareText(x.testName, y.testName) || compareText(x.categoryKey, y.categoryKey) || x.period.getTime() - y.period.getTime(),
      );
      for (let i = 0; i < standing.length; i += summaryChunk) {
        const chunk = standing.slice(i, i + summaryChunk).map(({ testName, categoryKey, period, revision }) => ({ testName, categoryKey, period, analyzedRevision: revision }));
        await tx.insertMany(mk, chunk).onConflictDoUpdate({
          target: [mk.testName, mk.categoryKey, mk.period],
          set: { analyzedRevision: excludedValue(mk.analyzedRevision) },
          setWhere: exceedsStored(mk.analyzedRevision),
        });
      }
    });
  }

  /**
   * The marks whose summaries are the ones analysis read. A cleanup may have taken a summary's rows
   * (and its mark) meanwhile and new rows begun it again, counting revisions from 1: its revision can
   * be back at the one read, but its first instant is later, since rows after the cutoff began it.
   * Such a summary stays unmarked, so pending. (A replacement that moves a category's every row
   * elsewhere deletes its summary too; one begun again at the same first instant and back at the
   * same revision before the mark is written would not be told apart.)
   */
  private async stillStanding(marks: readonly AnalysisMark[]): Promise<AnalysisMark[]> {
    const { testSummaries: ts } = this.tables;
    // Until commit no cleanup can delete a summary: it takes the marks' table before it does.
    await this.holdMarks();
    const standing = await this.db
      .select({ testName: ts.testName, categoryKey: ts.categoryKey, period: ts.period, firstSeen: ts.firstSeen })
      .from(ts)
      .where(this.isAnyOf(ts.testName, [...new Set(marks.map((mark) => mark.testName))]));
    const key = (summary: Omit<AnalysisMark, 'revision'>) => `${summary.testName}\u0000${summary.categoryKey}\u0000${summary.period.getTime()}\u0000${summary.firstSeen.getTime()}`;
    const firstSeenNow = new Set(standing.map(key));
    return marks.filter((mark) => firstSeenNow.has(key(mark)));
  }

  // ---- analyses ----

  async saveAnalyses(analyses: NewDriftAnalysis[]): Promise<DriftAnalysis[]> {
    if (analyses.length === 0) return [];
    const { driftAnalysis: a } = this.tables;
    // 500 rows x 16 columns stays below either driver's limit on bound parameters per statement.
    const ids = await this.atomically(async (tx) => {
      const drawn: number[] = [];
      for (let i = 0; i < analyses.length; i += 500) {
        const rows = await tx.insertMany(a, analyses.slice(i, i + 500)).returning({ id: a.id });
        drawn.push(...inDrawOrder(rows).map((row) => row.id));
      }
      return drawn;
    });
    // Only the ids come back: a pass over 100,000 tests parsed every column it had just written.
    return analyses.map((analysis, i) => ({ ...analysis, id: ids[i]! }));
  }

  getAnalyses(ids: readonly number[]): Promise<DriftAnalysis[]> {
    return this.byIds(this.tables.driftAnalysis, ids, toAnalysis);
  }

  async latestAnalyses(testNames: readonly string[]): Promise<DriftAnalysis[]> {
    if (testNames.length === 0) return [];
    const { driftAnalysis: a } = this.tables;
    const rows = await this.db.select().from(a).where(sql`${a.id} in (${this.newestIds(a, testNames)})`);
    return rows.map(toAnalysis);
  }

  /**
   * The id of each named test's newest analysis or alert (by its time, then id). One index probe per
   * name asked for, whatever the planner believes of the table: right after a pass stored 100,000
   * analyses, its statistics are stale and a plan from the table's side read it all.
   */
  private newestIds(table: Tables['driftAnalysis'] | Tables['driftAlerts'], testNames: readonly string[]): SQL {
    const newer = alias(table, 'newer');
    const newerTime = 'analyzedAt' in newer ? newer.analyzedAt : newer.createdAt;
    const names = sql.join([...new Set(testNames)].map((name) => sql`(${name})`), sql`, `);
    return sql`select (select ${newer.id} from ${table} ${newer} where ${newer.testName} = names.column1 order by ${newerTime} desc, ${newer.id} desc limit 1) from (values ${names}) as names`;
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
    const [created] = await this.createAlerts([alert]);
    return created!;
  }

  async createAlerts(alerts: readonly NewDriftAlert[]): Promise<DriftAlert[]> {
    if (alerts.length === 0) return [];
    const { driftAlerts: al } = this.tables;
    return this.atomically(async (tx) => {
      const hooks = tx.aroundAlertInsert();
      await hooks.before();
      const rows = [];
      // 500 rows x 11 columns stays below either driver's limit on bound parameters per statement.
      for (let i = 0; i < alerts.length; i += 500) {
        rows.push(...(await tx.insertMany(al, alerts.slice(i, i + 500)).returning()));
      }
      const ordered = inDrawOrder(rows);
      await hooks.after(ordered[ordered.length - 1]!.id);
      return ordered.map(toAlert);
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
    return (await this.alertHistories([testName])).get(testName)!;
  }

  async alertHistories(testNames: readonly string[]): Promise<Map<string, AlertHistory>> {
    const histories = new Map<string, AlertHistory>(testNames.map((name) => [name, { lastAlert: null, severitiesSinceLastAlert: [] }]));
    if (testNames.length === 0) return histories;
    const { driftAlerts: al, driftAnalysis: a } = this.tables;
    const isLast = sql`${al.id} in (${this.newestIds(al, testNames)})`;
    // Each test's last alert, once with every severity analysed since it (or once with none).
    const since = this.db
      .selectDistinct({ testName: a.testName, severity: a.severity })
      .from(a)
      .innerJoin(al, and(eq(a.testName, al.testName), gt(a.analyzedAt, al.createdAt)))
      .where(isLast)
      .as('since');
    const rows = await this.db.select({ alert: al, severity: since.severity }).from(al).leftJoin(since, eq(since.testName, al.testName)).where(isLast);
    for (const { alert, severity } of rows) {
      const history = histories.get(alert.testName)!;
      history.lastAlert ??= toAlert(alert);
      if (severity !== null) history.severitiesSinceLastAlert.push(parseSeverity(severity));
    }
    return histories;
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
    return this.db.select().from(d).where(this.isAnyOf(d.testName, testNames));
  }

  async saveDetectorStates(states: DetectorStateRow[]): Promise<void> {
    if (states.length === 0) return;
    const { driftDetectorState: d } = this.tables;
    // 500 rows x 5 columns stays far below either driver's limit on bound parameters per statement.
    // In test order, as every save takes them, so two passes over the same tests never wait on each other in a circle.
    const ordered = [...states].sort((x, y) => compareText(x.testName, y.testName));
    await this.atomically(async (tx) => {
      for (let i = 0; i < ordered.length; i += 500) {
        await tx
          .insertMany(d, ordered.slice(i, i + 500))
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

  /**
   * From the summaries: the tests from test_summaries, the values from hourly_confidence; since a
   * moment, the whole hours plus the measurements of the part hour before them, and the tests whose
   * latest measurement (in the category) is that recent.
   */
  async statistics(scope: StatisticsScope): Promise<Statistics> {
    const { confidenceMeasurements: m, testSummaries: ts, hourlyConfidence: h } = this.tables;
    const inCategory = (column: Column | SQL) => (scope.category === undefined ? undefined : categoryKeyIs(column, scope.category));
    // The values from the hours: a row per hour and category, where the tests' summaries are a row
    // per test, rewritten by every batch and every cleanup. After a month's retention at 10M rows
    // with a writer going, summing those (4,797 pages, bloated) took 162 ms, 54 ms vacuumed.
    const hoursFrom = (from: Date | undefined) =>
      this.db
        .select({
          measurementsCount: sum(h.measurementsCount).mapWith(Number),
          confidenceSum: sum(h.confidenceSum).mapWith(Number),
          minConfidence: min(h.minConfidence).mapWith(Number),
          maxConfidence: max(h.maxConfidence).mapWith(Number),
        })
        .from(h)
        .where(and(inCategory(h.categoryKey), from === undefined ? undefined : gte(h.hour, from)));
    if (scope.since === undefined) {
      const [totalTests, [hours]] = await Promise.all([this.countTestsWhere(inCategory(ts.categoryKey)), hoursFrom(undefined)]);
      return toStatistics(totalTests, [hours!]);
    }
    const wholeHours = nextHourFrom(scope.since);
    const [tests, [hours], [partHour]] = await Promise.all([
      // Recent tests: only the summaries of the month holding `since` and later ones can be that recent.
      this.countTestsWhere(and(inCategory(ts.categoryKey), gte(ts.period, periodOf(scope.since)), gte(ts.lastSeen, scope.since))),
      hoursFrom(wholeHours),
      this.db
        .select({
          measurementsCount: count(),
          confidenceSum: sum(m.confidence).mapWith(Number),
          minConfidence: min(m.confidence),
          maxConfidence: max(m.confidence),
        })
        .from(m)
        // The category compared through coalesce, so the planner ranges over the timestamp index (a few
        // rows at most an hour's) instead of reading the category's every row through its own index.
        .where(and(gte(m.timestamp, scope.since), lt(m.timestamp, wholeHours), inCategory(sql`coalesce(${m.category}, '')`))),
    ]);
    return toStatistics(tests, [hours!, partHour!]);
  }

  /**
   * The instant retention deletes the measurements before, for a cutoff of `days` ago: that cutoff
   * itself, unless the layout keeps a period the cutoff falls in whole (PostgreSQL's partitions).
   */
  protected async retentionCutoff(cutoff: Date): Promise<Date> {
    return cutoff;
  }

  async cleanup(days: RetentionDays, now: Date): Promise<CleanupCounts> {
    const { driftAnalysis: a, driftAlerts: al } = this.tables;
    return this.atomically(async (tx) => {
      await tx.allowLongStatements();
      const analyses = tx.changedRows(await tx.db.delete(a).where(lt(a.analyzedAt, daysBefore(now, days.analysisDays))));
      // Only acknowledged alerts age out, by their acknowledgement: an open alert is never deleted by age.
      const alerts = tx.changedRows(await tx.db.delete(al).where(and(eq(al.acknowledged, true), lt(al.acknowledgedAt, daysBefore(now, days.alertsDays)))));
      // The measurements last: from their first delete to the commit, writers of measurements wait.
      const cutoff = await tx.retentionCutoff(daysBefore(now, days.measurementsDays));
      return { measurements: await tx.deleteMeasurementsBefore(cutoff), analyses, alerts };
    });
  }

  /** Deletes the measurements older than a moment, and what they added to the summaries; the caller holds the transaction. */
  private async deleteMeasurementsBefore(cutoff: Date): Promise<number> {
    const { hourlyConfidence: h } = this.tables;
    const deleted = await this.deleteRowsBefore(cutoff);
    if (deleted === 0) return 0;
    const wholeHoursGone = lt(h.hour, hourOf(cutoff));
    // The history has hourly_confidence's columns (db schema hourColumns): whole rows move over.
    await this.addToHistory(this.db.select().from(h).where(wholeHoursGone));
    await this.db.delete(h).where(wholeHoursGone);
    // The hour the cutoff falls in kept some rows and lost others, unless the cutoff begins it (as
    // it does when whole partitions go): counting it again then read 100,000 rows for nothing.
    if (hourOf(cutoff).getTime() !== cutoff.getTime()) await this.resummariseHours([hourOf(cutoff)]);
    await this.mendSummariesBefore(cutoff);
    return deleted;
  }

  /**
   * Mends the summaries after every measurement before `cutoff` went. A summary holds one month's
   * rows of its test and category: one whose last instant was before the cutoff lost every row (so
   * every summary of the months before the cutoff's) and goes without a look at the measurements.
   * Only in the cutoff's own month can a summary have lost some rows and kept others: those keep
   * their last instant and latest confidence, and the rest is counted from what their month keeps.
   * The caller holds the measurements against every writer, so no batch adds to a summary meanwhile.
   */
  private async mendSummariesBefore(cutoff: Date): Promise<void> {
    const { testSummaries: ts, testAnalysisMarks: mk, driftDetectorState: d } = this.tables;
    const period = periodOf(cutoff);
    const partial = cutoff.getTime() > period.getTime();
    const summaryGone = (testName: Column, categoryKey: Column, month: Column) =>
      exists(
        this.db
          .select({ one: sql`1` })
          .from(ts)
          .where(and(eq(ts.testName, testName), eq(ts.categoryKey, categoryKey), eq(ts.period, month), lt(ts.lastSeen, cutoff))),
      );
    const anySummary = (testName: Column, lastSeen: SQL) => exists(this.db.select({ one: sql`1` }).from(ts).where(and(eq(ts.testName, testName), lastSeen)));
    // The count of the cut month first: it changes no summary that lost every row, and analysis may go
    // on saving marks and states meanwhile.
    if (partial) await this.recountRestOfMonth(cutoff);
    // As in a recount: the mark of a summary with nothing left, and the detector state of a test with
    // nothing left. They go in the order they are found, which an analysis saving them a batch at a
    // time does not follow: it waits for the commit instead, rather than each for a row the other holds.
    await this.excludeAnalysisWriters();
    await this.db.delete(mk).where(or(lt(mk.period, period), partial ? and(eq(mk.period, period), summaryGone(mk.testName, mk.categoryKey, mk.period)) : undefined));
    await this.db.delete(d).where(and(anySummary(d.testName, lt(ts.lastSeen, cutoff)), not(anySummary(d.testName, gte(ts.lastSeen, cutoff)))));
    await this.db.delete(ts).where(lt(ts.lastSeen, cutoff));
  }

  /** Counts the summaries of the month the cutoff falls in again, from the rows that month keeps after it. */
  private async recountRestOfMonth(cutoff: Date): Promise<void> {
    const { confidenceMeasurements: m, testSummaries: ts } = this.tables;
    const period = periodOf(cutoff);
    const touched = (testName: Column) =>
      inArray(testName, this.db.select({ testName: ts.testName }).from(ts).where(and(eq(ts.period, period), lt(ts.firstSeen, cutoff))));
    // When most tests of the month are touched, naming them makes every row probe a hash of their
    // names to keep the few others out (3 of 7 s at 10M rows, measured when a summary spanned all months).
    const [shares] = await this.db
      .select({ touched: count(sql`case when ${lt(ts.firstSeen, cutoff)} then 1 end`), all: count() })
      .from(ts)
      .where(eq(ts.period, period));
    const mostTouched = shares!.touched * 2 >= shares!.all;
    const keptInMonth = and(gte(m.timestamp, cutoff), lt(m.timestamp, periodAfter(period)));
    const kept = this.summariesOfRows(and(keptInMonth, mostTouched ? undefined : touched(m.testName))).as('kept');
    // The subquery's aliased columns render unqualified, which both tables of the UPDATE would claim.
    const ofKept = (column: string) => sql`${sql.identifier('kept')}.${sql.identifier(column)}`;
    await this.db
      .update(ts)
      .set({
        measurementsCount: ofKept('measurements_count'),
        confidenceSum: ofKept('confidence_sum'),
        minConfidence: ofKept('min_confidence'),
        maxConfidence: ofKept('max_confidence'),
        firstSeen: ofKept('first_seen'),
        revision: sql`${ts.revision} + 1`,
      })
      .from(kept)
      .where(and(eq(ts.testName, kept.testName), eq(ts.categoryKey, ofKept('category_key')), eq(ts.period, period), lt(ts.firstSeen, cutoff)));
  }

  /**
   * Deletes the measurements older than a moment, and only them; the caller holds the transaction
   * and mends the summaries. The transaction holds the measurements against every other writer from
   * here to its end (SQLite's writes take turns on the file anyway).
   */
  protected async deleteRowsBefore(cutoff: Date): Promise<number> {
    const { confidenceMeasurements: m } = this.tables;
    // The hour the cutoff falls in is summarised afresh from what it keeps: what it loses goes to the
    // history first, counted from the rows (at most an hour's).
    await this.addToHistory(this.hoursOfRows(and(gte(m.timestamp, hourOf(cutoff)), lt(m.timestamp, cutoff))));
    return this.changedRows(await this.db.delete(m).where(lt(m.timestamp, cutoff)));
  }

  /** Adds hours' summaries of measurements retention deletes to hourly_confidence_history. */
  private async addToHistory(hours: PgInsertSelectQueryBuilder<Tables['hourlyConfidenceHistory']>): Promise<void> {
    const { hourlyConfidenceHistory: hh } = this.tables;
    await this.db.insert(hh).select(hours).onConflictDoUpdate({ target: [hh.hour, hh.categoryKey], set: mergeAggregate(hh) });
  }

  // ---- summaries: kept current in the transaction of every write to the measurements ----

  /** Adds measurements that replaced nothing to the summaries. */
  protected async addToSummaries(rows: readonly SummarisedRow[]): Promise<void> {
    const { testSummaries: ts, hourlyConfidence: h } = this.tables;
    const { tests, hours } = summaryAdditions(rows);
    for (let i = 0; i < tests.length; i += summaryChunk) {
      await this.insertMany(ts, tests.slice(i, i + summaryChunk)).onConflictDoUpdate({ target: [ts.testName, ts.categoryKey, ts.period], set: mergeTestSummary(ts) });
    }
    for (let i = 0; i < hours.length; i += summaryChunk) {
      await this.insertMany(h, hours.slice(i, i + summaryChunk)).onConflictDoUpdate({ target: [h.hour, h.categoryKey], set: mergeAggregate(h) });
    }
  }

  /** Summarises the tests `which` picks afresh from their stored measurements (a revision more for each). */
  private async resummariseTests(which: (testName: Column) => SQL): Promise<void> {
    const { confidenceMeasurements: m, testSummaries: ts, testAnalysisMarks: mk, driftDetectorState: d } = this.tables;
    const keyOf = sql<string>`coalesce(${m.category}, '')`;
    // What belongs to a test (or a test's category) with no measurement left goes first, while `which`
    // still sees the summaries as they were: the summary, its mark (a summary made afresh counts its
    // revisions from 1 again), and the detector's state (should the test come back, it learns a
    // baseline afresh rather than continue one learnt before its whole history was deleted).
    await this.lockSummaries(which(ts.testName));
    const noneLeft = (testName: Column, categoryKey?: Column, period?: Column) =>
      notExists(
        this.db
          .select({ one: sql`1` })
          .from(m)
          .where(
            and(
              eq(m.testName, testName),
              categoryKey === undefined ? undefined : eq(keyOf, categoryKey),
              period === undefined ? undefined : eq(this.periodOfColumn(m.timestamp), period),
            ),
          ),
      );
    await this.db.delete(mk).where(and(which(mk.testName), noneLeft(mk.testName, mk.categoryKey, mk.period)));
    await this.db.delete(d).where(and(which(d.testName), noneLeft(d.testName)));
    await this.db.delete(ts).where(and(which(ts.testName), noneLeft(ts.testName, ts.categoryKey, ts.period)));
    const grouped = this.summariesOfRows(which(m.testName)).as('grouped');
    const latest = alias(m, 'latest');
    const summaries = this.db
      .select({
        testName: grouped.testName,
        categoryKey: grouped.categoryKey,
        period: grouped.period,
        measurementsCount: grouped.measurementsCount,
        confidenceSum: grouped.confidenceSum,
        minConfidence: grouped.minConfidence,
        maxConfidence: grouped.maxConfidence,
        firstSeen: grouped.firstSeen,
        lastSeen: grouped.lastSeen,
        latestConfidence: latest.confidence,
        revision: sql<number>`1`.as('revision'),
      })
      .from(grouped)
      .innerJoin(latest, and(eq(latest.testName, grouped.testName), eq(latest.timestamp, grouped.lastSeen)))
      // SQLite reads the ON of an INSERT ... SELECT's last join as the upsert's unless a WHERE ends it.
      .where(sql`1 = 1`)
      // Rows are written, and locked, in key order, as every batch does.
      .orderBy(asc(grouped.testName), asc(grouped.categoryKey), asc(grouped.period));
    await this.db
      .insert(ts)
      .select(summaries)
      .onConflictDoUpdate({
        target: [ts.testName, ts.categoryKey, ts.period],
        set: { ...replacedColumns(ts, ['testName', 'categoryKey', 'period', 'revision']), revision: sql`${ts.revision} + 1` },
      });
  }

  /** Each test's, category's and month's summary, the latest confidence aside, from the measurements `where` picks. */
  private summariesOfRows(where: SQL | undefined) {
    const { confidenceMeasurements: m } = this.tables;
    const keyOf = sql<string>`coalesce(${m.category}, '')`;
    const periodOfRow = this.periodOfColumn(m.timestamp);
    return this.db
      .select({
        testName: m.testName,
        categoryKey: keyOf.as('category_key'),
        period: periodOfRow.as('period'),
        ...this.confidenceAggregate(),
        firstSeen: min(m.timestamp).as('first_seen'),
        lastSeen: max(m.timestamp).as('last_seen'),
      })
      .from(m)
      .where(where)
      .groupBy(m.testName, keyOf, periodOfRow);
  }

  /** Summarises the given hours afresh from the measurements stored in them. */
  private async resummariseHours(hours: readonly Date[]): Promise<void> {
    const { confidenceMeasurements: m, hourlyConfidence: h } = this.tables;
    for (let i = 0; i < hours.length; i += 100) {
      const chunk = hours.slice(i, i + 100);
      await this.db.delete(h).where(inArray(h.hour, chunk));
      const within = or(...chunk.map((hour) => and(gte(m.timestamp, hour), lt(m.timestamp, new Date(hour.getTime() + 3_600_000)))));
      // Another writer recounting the same hour deleted its rows first, so this delete waited for it
      // to commit and this recount counts its rows too. The rows its recount inserted came after
      // this delete's snapshot and are still there: they are replaced, not met with a duplicate key.
      await this.db
        .insert(h)
        .select(this.hoursOfRows(within))
        .onConflictDoUpdate({ target: [h.hour, h.categoryKey], set: replacedColumns(h, ['hour', 'categoryKey']) });
    }
  }

  /** The count, sum and extremes of the measurements' confidence, named as the summary tables' columns. */
  private confidenceAggregate() {
    const { confidenceMeasurements: m } = this.tables;
    return {
      measurementsCount: count().as('measurements_count'),
      confidenceSum: sum(m.confidence).mapWith(Number).as('confidence_sum'),
      minConfidence: min(m.confidence).as('min_confidence'),
      maxConfidence: max(m.confidence).as('max_confidence'),
    };
  }

  /** Each hour's and category's summary of the measurements `where` picks, in hourly_confidence's columns. */
  private hoursOfRows(where: SQL | undefined) {
    const { confidenceMeasurements: m } = this.tables;
    const hourOfRow = this.hourOfColumn(m.timestamp);
    const keyOf = sql<string>`coalesce(${m.category}, '')`;
    return this.db
      .select({
        categoryKey: keyOf.as('category_key'),
        hour: hourOfRow.as('hour'),
        ...this.confidenceAggregate(),
      })
      .from(m)
      .where(where)
      .groupBy(keyOf, hourOfRow);
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

  protected tableOf(table: Exclude<TableName, 'history'>) {
    const { confidenceMeasurements, driftAnalysis, driftAlerts } = this.tables;
    return { measurements: confidenceMeasurements, analyses: driftAnalysis, alerts: driftAlerts }[table];
  }

  async *streamRows<T extends TableName>(table: T, batchSize: number): AsyncIterable<TableRows[T][]> {
    if (table === 'history') return yield* this.streamHistory(batchSize) as AsyncIterable<TableRows[T][]>;
    const source = this.tableOf(table as Exclude<T, 'history'>);
    let lastId = 0;
    for (;;) {
      const rows = await this.db.select().from(source).where(gt(source.id, lastId)).orderBy(asc(source.id)).limit(batchSize);
      if (rows.length === 0) return;
      lastId = rows[rows.length - 1]!.id;
      yield parseRows(table, rows);
    }
  }

  /**
   * The history, whole hours at a time (as many as make about a batch of rows, one at least), in hour
   * order and each hour's categories in code unit order: sorted here, not by either database's
   * collation, so both backends list it alike for copy's checksum.
   */
  private async *streamHistory(batchSize: number): AsyncIterable<HistoryHour[]> {
    const { hourlyConfidenceHistory: hh } = this.tables;
    let after: Date | undefined;
    for (;;) {
      const later = after && gt(hh.hour, after);
      const hours = await this.db.select({ hour: hh.hour, rows: count() }).from(hh).where(later).groupBy(hh.hour).orderBy(asc(hh.hour)).limit(batchSize);
      if (hours.length === 0) return;
      let { hour: through, rows: taken } = hours[0]!;
      for (const next of hours.slice(1)) {
        if (taken + next.rows > batchSize) break;
        taken += next.rows;
        through = next.hour;
      }
      const rows = await this.db.select().from(hh).where(and(later, lte(hh.hour, through)));
      rows.sort((x, y) => x.hour.getTime() - y.hour.getTime() || compareText(x.categoryKey, y.categoryKey));
      after = rows[rows.length - 1]!.hour;
      yield rows.map((row) => ({
        hour: row.hour,
        category: categoryOfKey(row.categoryKey),
        measurementsCount: row.measurementsCount,
        confidenceSum: row.confidenceSum,
        minConfidence: row.minConfidence,
        maxConfidence: row.maxConfidence,
      }));
    }
  }

  importRows<T extends TableName>(table: T, rows: TableRows[T][]): Promise<number> {
    if (table === 'history') return this.importHistory(rows as TableRows['history'][]);
    return this.importRowsWithIds(table as Exclude<T, 'history'>, rows as TableRows[Exclude<T, 'history'>][]);
  }

  /** Adds exported history hours; an hour and category stored already is left as it is, so a second import adds nothing. */
  private async importHistory(rows: readonly HistoryHour[]): Promise<number> {
    const { hourlyConfidenceHistory: hh } = this.tables;
    return this.atomically(async (tx) => {
      let inserted = 0;
      for (let i = 0; i < rows.length; i += summaryChunk) {
        const chunk = rows.slice(i, i + summaryChunk).map(({ category, ...hour }) => ({ ...hour, categoryKey: categoryKey(category) }));
        inserted += tx.changedRows(await tx.db.insert(hh).values(chunk).onConflictDoNothing());
      }
      return inserted;
    });
  }

  async countRows(table: TableName): Promise<number> {
    return this.db.$count(table === 'history' ? this.tables.hourlyConfidenceHistory : this.tableOf(table));
  }
}

/** Code unit order, the same in every process and unlike a database's collation. */
function compareText(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Inserted rows in the order they were given (sorted in place): ids are drawn row by row in that
 * order, and RETURNING promises no order of its own.
 */
function inDrawOrder<R extends { id: number }>(rows: R[]): R[] {
  return rows.sort((x, y) => x.id - y.id);
}

/** `confidence,epochMs,confidence,epochMs,...` as seriesOfTests aggregates a test's points. */
function parsePoints(text: string): Omit<TestPoints, 'testName'> {
  const fields = text.split(',');
  const confidences = new Float64Array(fields.length / 2);
  const timestamps = new Float64Array(fields.length / 2);
  for (let i = 0; i < confidences.length; i++) {
    confidences[i] = Number(fields[2 * i]);
    timestamps[i] = Number(fields[2 * i + 1]);
  }
  return { confidences, timestamps };
}

function parseRows<T extends TableName>(table: T, rows: unknown[]): TableRows[T][] {
  if (table === 'analyses') return rows.map((r) => toAnalysis(r as Parameters<typeof toAnalysis>[0])) as TableRows[T][];
  if (table === 'alerts') return rows.map((r) => toAlert(r as Parameters<typeof toAlert>[0])) as TableRows[T][];
  return rows as TableRows[T][];
}
