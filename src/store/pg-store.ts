import { type Column, type SQL, and, asc, avg, count, countDistinct, desc, eq, getTableName, gt, inArray, lt, max, min, sql } from 'drizzle-orm';
import { toSnakeCase } from 'drizzle-orm/casing';
import { drizzle } from 'drizzle-orm/node-postgres';
import { alias } from 'drizzle-orm/pg-core';
import { connectPg, type PgConnectionOptions, type PgDatabase } from '../db/pg/connect.js';
import * as tables from '../db/pg/schema.js';
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

/** The LISTEN/NOTIFY channel on which a schema's new alerts are announced. */
export function alertChannel(schema: string): string {
  return `driftwatch_alerts_${schema}`;
}

// PostgreSQL binds at most 65535 parameters per statement; 1000 rows x 16 columns stays below.
const insertChunk = 1000;

export class PgStore implements Store {
  readonly backend = 'postgres' as const;

  private constructor(
    private readonly db: PgDatabase,
    readonly schema: string,
  ) {}

  static async open(options: PgConnectionOptions): Promise<PgStore> {
    return new PgStore(await connectPg(options), options.schema);
  }

  async recordMeasurement(input: NewMeasurement): Promise<Measurement> {
    const [values] = toMeasurementValues([input], new Date());
    const [row] = await this.db.insert(m).values(values!).returning();
    return row!;
  }

  async recordMeasurements(inputs: NewMeasurement[]): Promise<number> {
    const rows = toMeasurementValues(inputs, new Date());
    if (rows.length === 0) return 0;
    // One statement is atomic by itself, whatever the batch size: no transaction round trips needed.
    await this.db.execute(insertByColumns(rows));
    return rows.length;
  }

  async getMeasurements(ids: readonly number[]): Promise<Measurement[]> {
    if (ids.length === 0) return [];
    return inIdOrder(ids, await this.db.select().from(m).where(inArray(m.id, [...ids])));
  }

  async listMeasurements(filter: MeasurementFilter, request: PageRequest<TimeCursor>): Promise<Page<Measurement>> {
    const plan = keysetPlan(m.timestamp, m.id, request);
    const rows = await this.db
      .select()
      .from(m)
      .where(and(measurementConditions(m, filter), plan.where))
      .orderBy(...plan.orderBy)
      .limit(plan.limit);
    return toPage(rows, plan, hadCursor(request));
  }

  async countMeasurements(filter: MeasurementFilter): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(m).where(measurementConditions(m, filter));
    return row!.n;
  }

  async measurementsOfTests(testNames: readonly string[], since?: Date): Promise<Measurement[]> {
    if (testNames.length === 0) return [];
    return this.db
      .select()
      .from(m)
      .where(and(inArray(m.testName, [...testNames]), measurementConditions(m, { since })))
      .orderBy(asc(m.testName), asc(m.timestamp), asc(m.id));
  }

  /**
   * Tracked tests: each test's aggregates, grouped first, then its latest row joined in, so the
   * latest-row lookup is one indexed probe per returned test rather than one per measurement.
   */
  private async trackedTests(scope: TrackedTestScope): Promise<TrackedTest[]> {
    const conditionsOn = (t: { testName: Column; category: Column; timestamp: Column }) =>
      and(
        testConditions(t, scope, 'pg'),
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
    const [row] = await this.db.select({ n: countDistinct(m.testName) }).from(m).where(testConditions(m, filter, 'pg'));
    return row!.n;
  }

  async getTests(testNames: readonly string[]): Promise<TrackedTest[]> {
    if (testNames.length === 0) return [];
    return this.trackedTests({ testNames });
  }

  async listTestNames(filter: { category?: string | undefined; after?: string | undefined; limit: number }): Promise<string[]> {
    const rows = await this.db
      .selectDistinct({ testName: m.testName })
      .from(m)
      .where(and(testConditions(m, filter, 'pg'), filter.after !== undefined ? gt(m.testName, filter.after) : undefined))
      .orderBy(asc(m.testName))
      .limit(filter.limit);
    return rows.map((r) => r.testName);
  }

  async saveAnalyses(analyses: NewDriftAnalysis[]): Promise<DriftAnalysis[]> {
    if (analyses.length === 0) return [];
    const rows = await this.db.transaction(async (tx) => {
      const saved = [];
      for (let i = 0; i < analyses.length; i += insertChunk) {
        saved.push(...(await tx.insert(a).values(analyses.slice(i, i + insertChunk)).returning()));
      }
      return saved;
    });
    return rows.map(toAnalysis);
  }

  async getAnalyses(ids: readonly number[]): Promise<DriftAnalysis[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.select().from(a).where(inArray(a.id, [...ids]));
    return inIdOrder(ids, rows.map(toAnalysis));
  }

  async latestAnalyses(testNames: readonly string[]): Promise<DriftAnalysis[]> {
    if (testNames.length === 0) return [];
    const newer = alias(a, 'newer');
    const rows = await this.db
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
      );
    return rows.map(toAnalysis);
  }

  async listAnalyses(filter: AnalysisFilter, request: PageRequest<TimeCursor>): Promise<Page<DriftAnalysis>> {
    const plan = keysetPlan(a.analyzedAt, a.id, request);
    const rows = await this.db
      .select()
      .from(a)
      .where(and(analysisConditions(a, filter), plan.where))
      .orderBy(...plan.orderBy)
      .limit(plan.limit);
    return toPage(rows.map(toAnalysis), plan, hadCursor(request));
  }

  async countAnalyses(filter: AnalysisFilter): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(a).where(analysisConditions(a, filter));
    return row!.n;
  }

  async createAlert(alert: NewDriftAlert): Promise<DriftAlert> {
    return this.db.transaction(async (tx) => {
      // Raisers take turns from id to commit, so alerts become visible in id order and a reader's
      // cursor (the last id it delivered) never passes an id that commits later.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`driftwatch.alerts.${this.schema}`}))`);
      const [row] = await tx.insert(al).values(alert).returning();
      // Sent when this transaction commits, to every instance listening, whichever process raised it.
      await tx.execute(sql`select pg_notify(${alertChannel(this.schema)}, ${String(row!.id)})`);
      return toAlert(row!);
    });
  }

  async getAlerts(ids: readonly number[]): Promise<DriftAlert[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.select().from(al).where(inArray(al.id, [...ids]));
    return inIdOrder(ids, rows.map(toAlert));
  }

  async listAlerts(filter: AlertFilter, request: PageRequest<TimeCursor>): Promise<Page<DriftAlert>> {
    const plan = keysetPlan(al.createdAt, al.id, request);
    const rows = await this.db
      .select()
      .from(al)
      .where(and(alertConditions(al, filter), plan.where))
      .orderBy(...plan.orderBy)
      .limit(plan.limit);
    return toPage(rows.map(toAlert), plan, hadCursor(request));
  }

  async countAlerts(filter: AlertFilter): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(al).where(alertConditions(al, filter));
    return row!.n;
  }

  async acknowledgeAlert(id: number, by: string | null, at: Date): Promise<AcknowledgeResult> {
    // The guard on `acknowledged` makes the first acknowledgement win without a read-then-write race.
    const [updated] = await this.db
      .update(al)
      .set({ acknowledged: true, acknowledgedAt: at, acknowledgedBy: by })
      .where(and(eq(al.id, id), eq(al.acknowledged, false)))
      .returning();
    if (updated) return { status: 'acknowledged', alert: toAlert(updated) };
    const [existing] = await this.db.select().from(al).where(eq(al.id, id));
    return existing ? { status: 'already-acknowledged', alert: toAlert(existing) } : { status: 'not-found' };
  }

  async alertHistory(testName: string): Promise<AlertHistory> {
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
    const rows = await this.db.select().from(al).where(gt(al.id, afterId)).orderBy(asc(al.id)).limit(limit);
    return rows.map(toAlert);
  }

  async statistics(scope: StatisticsScope): Promise<Statistics> {
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

  async databaseSizeBytes(): Promise<number> {
    const result = await this.db.execute<{ bytes: string }>(
      sql`select coalesce(sum(pg_total_relation_size(c.oid)), 0) as bytes
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = ${this.schema} and c.relkind in ('r', 'm')`,
    );
    return Number(result.rows[0]?.bytes ?? 0);
  }

  async cleanup(days: RetentionDays, now: Date): Promise<CleanupCounts> {
    return this.db.transaction(async (tx) => {
      const measurements = await tx.delete(m).where(lt(m.timestamp, daysBefore(now, days.measurementsDays)));
      const analyses = await tx.delete(a).where(lt(a.analyzedAt, daysBefore(now, days.analysisDays)));
      // Only acknowledged alerts age out, by their acknowledgement: an open alert is never deleted by age.
      const alerts = await tx.delete(al).where(and(eq(al.acknowledged, true), lt(al.acknowledgedAt, daysBefore(now, days.alertsDays))));
      return {
        measurements: measurements.rowCount ?? 0,
        analyses: analyses.rowCount ?? 0,
        alerts: alerts.rowCount ?? 0,
      };
    });
  }

  async vacuum(): Promise<void> {
    // VACUUM cannot run inside a transaction; each statement goes out on its own.
    for (const table of [m, a, al]) await this.db.execute(sql`vacuum analyze ${table}`);
  }

  async *streamRows<T extends TableName>(table: T, batchSize: number): AsyncIterable<TableRows[T][]> {
    const source = tableOf[table as TableName];
    let lastId = 0;
    for (;;) {
      const rows = await this.db.select().from(source).where(gt(source.id, lastId)).orderBy(asc(source.id)).limit(batchSize);
      if (rows.length === 0) return;
      lastId = rows[rows.length - 1]!.id;
      yield parseRows(table, rows);
    }
  }

  async importRows<T extends TableName>(table: T, rows: TableRows[T][]): Promise<number> {
    const target = tableOf[table];
    return this.db.transaction(async (tx) => {
      let inserted = 0;
      for (let i = 0; i < rows.length; i += insertChunk) {
        const chunk = rows.slice(i, i + insertChunk);
        const insert =
          table === 'measurements'
            ? tx.execute(insertByColumns(chunk as Measurement[]))
            : table === 'analyses'
              ? tx.insert(a).values(chunk as DriftAnalysis[]).onConflictDoNothing({ target: a.id })
              : tx.insert(al).values(chunk as DriftAlert[]).onConflictDoNothing({ target: al.id });
        inserted += (await insert).rowCount ?? 0;
      }
      // Rows arrived with their own ids; move the identity past them so new rows do not collide.
      await tx.execute(
        sql`select setval(pg_get_serial_sequence(${getTableName(target)}, 'id'), coalesce((select max(${target.id}) from ${target}), 0) + 1, false)`,
      );
      return inserted;
    });
  }

  async countRows(table: TableName): Promise<number> {
    return this.db.$count(tableOf[table]);
  }

  async withTestLock<T>(testName: string, work: (locked: Store) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`driftwatch.test.${this.schema}.${testName}`}))`);
      // The same queries, bound to this transaction's connection; nested transactions become savepoints.
      return work(new PgStore(tx as unknown as PgDatabase, this.schema));
    });
  }

  poolStats() {
    const pool = this.db.$client;
    return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
  }

  async close(): Promise<void> {
    await this.db.$client.end();
  }
}

// Batches go in as one array per column through unnest(): eight parameters whatever the batch size,
// where a multi-row VALUES list costs a parameter per value to build and to bind.
const unnestedColumns = [
  ['id', 'int8'],
  ['testName', 'text'],
  ['confidence', 'float8'],
  ['category', 'text'],
  ['timestamp', 'timestamptz'],
  ['failureId', 'text'],
  ['ruleScore', 'float8'],
  ['signalScore', 'float8'],
  ['createdAt', 'timestamptz'],
] as const satisfies readonly (readonly [keyof Measurement, string])[];

/** New rows (no id: the identity assigns it) or imported ones (with id: existing ids are skipped). */
function insertByColumns(rows: MeasurementValues[] | Measurement[]): SQL {
  const withIds = rows.length > 0 && 'id' in rows[0]!;
  const columns = unnestedColumns.filter(([key]) => withIds || key !== 'id');
  const names = columns.map(([key]) => sql.identifier(toSnakeCase(key)));
  const arrays = columns.map(
    ([key, type]) => sql`${sql.param(rows.map((row) => (row as Measurement)[key]))}::${sql.raw(type)}[]`,
  );
  const insert = sql`insert into ${m} (${sql.join(names, sql`, `)}) select * from unnest(${sql.join(arrays, sql`, `)})`;
  return withIds ? sql`${insert} on conflict (${sql.identifier('id')}) do nothing` : insert;
}

function parseRows<T extends TableName>(table: T, rows: unknown[]): TableRows[T][] {
  if (table === 'analyses') return rows.map((r) => toAnalysis(r as typeof a.$inferSelect)) as TableRows[T][];
  if (table === 'alerts') return rows.map((r) => toAlert(r as typeof al.$inferSelect)) as TableRows[T][];
  return rows as TableRows[T][];
}
