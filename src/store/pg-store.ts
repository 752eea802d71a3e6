import { type Column, SQL, and, getTableColumns, getTableName, gte, inArray, lt, or, sql, sum } from 'drizzle-orm';
import { toSnakeCase } from 'drizzle-orm/casing';
import type { PgTable } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { connectPg, type PgConnectionOptions } from '../db/pg/connect.js';
import { periodStart, type RetentionMode } from '../db/pg/partition-periods.js';
import { detachPartitionsBefore, dropExpiredPartitions, ensurePartitions, readPartitioning, type RangePartition } from '../db/pg/partitions.js';
import * as tables from '../db/pg/schema.js';
import { replacedColumns } from './query-parts.js';
import { mergeAggregate, mergeTestSummary } from './summaries.js';
import { readSeriesCopy } from './pg-series-copy.js';
import { SqlStore, type InsertOf, type SqlDatabase, type Tables, type TestPoints } from './sql-store.js';
import type { CleanupCounts, DriftAlert, DriftAnalysis, Measurement, RetentionDays, RowSource, Store, TableName, TableRows } from './store.js';
import type { MeasurementValues } from './validation.js';

/** The LISTEN/NOTIFY channel on which a schema's new alerts are announced. */
export function alertChannel(schema: string): string {
  return `driftwatch_alerts_${schema}`;
}

// PostgreSQL binds at most 65535 parameters per statement; 1000 rows x 16 columns stays below.
const insertChunk = 1000;

export class PgStore extends SqlStore {
  readonly backend = 'postgres' as const;

  private constructor(
    db: SqlDatabase,
    readonly schema: string,
    private readonly retention: RetentionMode,
    private readonly pool: pg.Pool,
    /** One connection of its own for ping(), apart from the pool the work shares. */
    private readonly pingPool: pg.Pool,
    /** How many transactions this store's connection is inside of: 0 for the pool itself. */
    private readonly depth = 0,
  ) {
    super(db, tables);
  }

  static async open(options: PgConnectionOptions): Promise<PgStore> {
    const db = await connectPg(options);
    const pingPool = new pg.Pool({
      connectionString: options.url,
      max: 1,
      connectionTimeoutMillis: 5_000,
      statement_timeout: 5_000,
      application_name: `${options.applicationName ?? 'driftwatch'}-ready`,
    });
    pingPool.on('error', () => {});
    return new PgStore(db, options.schema, options.retention ?? 'partitions', db.$client, pingPool);
  }

  /**
   * The work runs on one connection, with the same queries bound to it; a nested call is a savepoint.
   * Written out rather than Drizzle's transaction(), which never returns a connection whose BEGIN
   * failed and hands one whose ROLLBACK failed back to the pool: in an outage the pool would drain.
   */
  protected async atomically<T>(work: (tx: this) => Promise<T>): Promise<T> {
    if (this.depth > 0) {
      const savepoint = sql.raw(`sp${this.depth}`);
      await this.db.execute(sql`savepoint ${savepoint}`);
      const nested = new PgStore(this.db, this.schema, this.retention, this.pool, this.pingPool, this.depth + 1) as this;
      try {
        const result = await work(nested);
        await this.db.execute(sql`release savepoint ${savepoint}`);
        return result;
      } catch (error) {
        await this.db.execute(sql`rollback to savepoint ${savepoint}`);
        throw error;
      }
    }
    return this.inTransaction('begin', work);
  }

  withSnapshot<T>(work: (snapshot: RowSource) => Promise<T>): Promise<T> {
    // Read only, so nothing is written by mistake.
    return this.inTransaction('begin isolation level repeatable read read only', work);
  }

  /** Runs `work` in a transaction of its own connection, begun by `begin`. */
  private inTransaction<T>(begin: string, work: (tx: this) => Promise<T>): Promise<T> {
    return this.onOwnConnection(async (client, markBroken) => {
      try {
        await client.query(begin);
        const bound = new PgStore(drizzle({ client, casing: 'snake_case' }), this.schema, this.retention, this.pool, this.pingPool, 1) as this;
        const result = await work(bound);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(markBroken);
        throw error;
      }
    });
  }

  /**
   * Runs `work` on one pooled connection. A connection that is lost meanwhile (or that `work` marks
   * broken) is closed, not reused; and between two statements, when no query is there to report a
   * loss to, its 'error' event has a listener instead of ending the process.
   */
  private async onOwnConnection<T>(work: (client: pg.PoolClient, markBroken: (error: Error) => void) => Promise<T>): Promise<T> {
    let broken: Error | undefined;
    const markBroken = (error: Error) => {
      broken = error;
    };
    // The listener goes on in the pool's callback itself: awaiting connect() would leave the client
    // without one until the next microtask, and a connection killed as it became ready (its end in
    // the same packet as its readiness) would emit an 'error' nobody hears, ending the process.
    const client = await new Promise<pg.PoolClient>((resolve, reject) => {
      this.pool.connect((error, connected) => {
        if (error || !connected) return reject(error ?? new Error('the pool handed out no connection'));
        connected.on('error', markBroken);
        resolve(connected);
      });
    });
    try {
      return await work(client, markBroken);
    } finally {
      client.off('error', markBroken);
      client.release(broken);
    }
  }

  protected override async pointsOfTests(testNames: readonly string[], since: Date | undefined): Promise<TestPoints[]> {
    // Inside a transaction the work's one connection is bound to queries: the shared text read serves there.
    if (this.depth > 0) return super.pointsOfTests(testNames, since);
    const names = storable(testNames);
    if (names.length === 0) return [];
    return this.onOwnConnection(async (client, markBroken) => {
      try {
        return await readSeriesCopy(client, names, since);
      } catch (error) {
        // A read given up half-way may leave rows of the copy on the wire: that connection is not reused.
        markBroken(error as Error);
        throw error;
      }
    });
  }

  protected async upsertMeasurements(rows: MeasurementValues[]): Promise<MeasurementValues[]> {
    // Most batches bring new pairs only: one statement adds them, adds them to the summaries, and
    // names the ones stored already (a statement sees the rows its own CTEs insert only as returned).
    const { confidenceMeasurements: m, testSummaries: ts, hourlyConfidence: h } = tables;
    const hour = this.hourOfColumn(sql`"timestamp"`);
    // A test run's batch brings one row per test: then nothing needs grouping (1.3 ms of 1,000 rows).
    const onePerTest = new Set(rows.map((row) => row.testName)).size === rows.length;
    const period = this.periodOfColumn(sql`"timestamp"`);
    const testAdditions = onePerTest
      ? sql`select test_name, coalesce(category, ''), ${period}, 1, confidence, confidence, confidence, "timestamp", "timestamp", confidence from added`
      : sql`select test_name, coalesce(category, ''), ${period}, count(*), sum(confidence), min(confidence), max(confidence), min("timestamp"), max("timestamp"),
          (array_agg(confidence order by "timestamp" desc))[1]
        from added group by test_name, coalesce(category, ''), ${period}`;
    const result = await this.db.execute<AddedOutcome>(
      sql`with added as (
        ${insertRows(m, rows)} on conflict (test_name, "timestamp") do nothing returning test_name, category, confidence, "timestamp"
      ), tests as (
        insert into ${ts} (test_name, category_key, period, measurements_count, confidence_sum, min_confidence, max_confidence, first_seen, last_seen, latest_confidence)
        ${testAdditions} order by 1, 2, 3
        on conflict (test_name, category_key, period) do update set ${setClause(mergeTestSummary(ts))}
      ), hours as (
        insert into ${h} (category_key, hour, measurements_count, confidence_sum, min_confidence, max_confidence)
        select coalesce(category, ''), ${hour}, count(*), sum(confidence), min(confidence), max(confidence)
        from added group by coalesce(category, ''), ${hour} order by 2, 1
        on conflict (hour, category_key) do update set ${setClause(mergeAggregate(h))}
      )
      ${addedOutcome(rows.length)}`,
    );
    const { added, pairs } = result.rows[0]!;
    if (added === rows.length) return [];
    const addedPairs = new Set((pairs ?? []).map(([testName, atMs]) => `${testName}\u0000${atMs}`));
    const replacing = rows.filter((row) => !addedPairs.has(`${row.testName}\u0000${row.timestamp.getTime()}`));
    await this.db.execute(sql`${insertRows(m, replacing)} on conflict (test_name, "timestamp") do update set ${setClause(replacedColumns(m))}`);
    return replacing;
  }

  protected hourOfColumn(timestamp: Column | SQL): SQL<Date> {
    // date_bin counts from a fixed UTC instant; date_trunc would follow the session's time zone.
    return sql<Date>`date_bin('1 hour', ${timestamp}, timestamptz '2000-01-01 00:00:00+00')`;
  }

  protected periodOfColumn(timestamp: Column | SQL): SQL<Date> {
    // In UTC, whatever the session's time zone.
    return sql<Date>`date_trunc('month', ${timestamp}, 'UTC')`;
  }

  protected epochMsOf(timestamp: Column): SQL<number> {
    // extract() is exact (numeric); a double's epoch seconds would misplace instants far from 1970.
    return sql<number>`floor(extract(epoch from ${timestamp}) * 1000)`;
  }

  protected isAnyOf(column: Column, values: readonly (string | number)[]): SQL {
    return sql`${column} = any(${sql.param(storable(values))}::${sql.raw(column.getSQLType())}[])`;
  }

  protected namesRelation(names: readonly string[]): SQL {
    return sql`unnest(${sql.param(storable(names))}::text[]) as names(name)`;
  }

  protected insertMany<T extends Tables['testSummaries' | 'hourlyConfidence' | 'driftAnalysis' | 'driftAlerts' | 'driftDetectorState' | 'testAnalysisMarks']>(table: T, rows: T['$inferInsert'][]): InsertOf<T> {
    return this.db.insert(table).select(unnestRows(table, rows));
  }

  protected async lockSummaries(which: SQL): Promise<void> {
    const { testSummaries: ts } = tables;
    // In key order, as every batch takes them, so two writers never wait on each other in a circle.
    await this.db.execute(sql`select 1 from ${ts} where ${which} order by test_name, category_key, period for update`);
  }

  protected async holdMarks(): Promise<void> {
    // The mode the marks' upsert takes anyway, taken before reading the summaries it checks.
    await this.db.execute(sql`lock table ${tables.testAnalysisMarks} in row exclusive mode`);
  }

  protected async excludeAnalysisWriters(): Promise<void> {
    await this.db.execute(sql`lock table ${tables.testAnalysisMarks}, ${tables.driftDetectorState} in share row exclusive mode`);
  }

  protected async allowLongStatements(): Promise<void> {
    await this.db.execute(sql`set local statement_timeout = 0`);
  }

  protected changedRows(result: unknown): number {
    return (result as { rowCount: number | null }).rowCount ?? 0;
  }

  protected aroundAlertInsert() {
    return {
      // Raisers take turns from id to commit, so alerts become visible in id order and a reader's
      // cursor (the last id it delivered) never passes an id that commits later.
      before: async () => {
        await this.db.execute(sql`select pg_advisory_xact_lock(hashtext(${`driftwatch.alerts.${this.schema}`}))`);
      },
      // Sent when this transaction commits, to every instance listening, whichever process raised it.
      // One for the whole insert: a listener reads every alert after the last it delivered anyway.
      after: async (lastId: number) => {
        await this.db.execute(sql`select pg_notify(${alertChannel(this.schema)}, ${String(lastId)})`);
      },
    };
  }

  protected async importRowsWithIds<T extends Exclude<TableName, 'history'>>(table: T, rows: TableRows[T][]): Promise<number> {
    const target = this.tableOf(table);
    return this.atomically(async (tx) => {
      await tx.allowLongStatements();
      let inserted = 0;
      // A partitioned table's key is (id, timestamp), so a stored id under another instant would not
      // conflict: ids already stored are left out by hand, one import at a time so none slips between.
      if (table === 'measurements') await tx.db.execute(sql`select pg_advisory_xact_lock(hashtext(${'driftwatch.import.'} || current_schema()))`);
      for (let i = 0; i < rows.length; i += insertChunk) {
        const chunk = rows.slice(i, i + insertChunk);
        if (table === 'measurements') {
          const fresh = await tx.withoutStoredIds(chunk as Measurement[]);
          const added = await tx.db.execute<{ test_name: string; category: string | null; confidence: number; at_ms: number }>(
            sql`${insertRows(tables.confidenceMeasurements, fresh)} on conflict do nothing returning test_name, category, confidence, ${epochMs}`,
          );
          await tx.addToSummaries(
            added.rows.map((row) => ({ testName: row.test_name, category: row.category, confidence: row.confidence, timestamp: new Date(row.at_ms) })),
          );
          inserted += added.rows.length;
        } else {
          inserted += tx.changedRows(
            await tx.db
              .insert(target)
              .values(chunk as (DriftAnalysis & DriftAlert)[])
              .onConflictDoNothing(),
          );
        }
      }
      // Rows arrived with their own ids; move the identity past them so new rows do not collide.
      // Never back: an insert running meanwhile, whose rows this transaction cannot see, has drawn
      // ids past them and goes on drawing in order (saveAnalyses and createAlerts pair ids so).
      await tx.db.execute(
        sql`select setval(seq, greatest(coalesce((select max(${target.id}) from ${target}), 0) + 1, coalesce(pg_sequence_last_value(seq) + 1, 1)), false)
          from (select pg_get_serial_sequence(${getTableName(target)}, 'id')::regclass as seq) as identity`,
      );
      return inserted;
    });
  }

  /** The rows whose id no stored measurement has, the first of each id only. */
  private async withoutStoredIds(rows: Measurement[]): Promise<Measurement[]> {
    const m = tables.confidenceMeasurements;
    const stored = await this.db.select({ id: m.id }).from(m).where(inArray(m.id, rows.map((row) => row.id)));
    const seen = new Set(stored.map((row) => row.id));
    return rows.filter((row) => !seen.has(row.id) && seen.add(row.id));
  }

  /** On a partitioned table retention takes whole periods only, unless told to take every row (DRIFT_PG_RETENTION=rows). */
  protected override async retentionCutoff(cutoff: Date): Promise<Date> {
    if (this.retention === 'rows') return cutoff;
    const { layout } = await readPartitioning(this.db);
    return layout === 'off' ? cutoff : periodStart(cutoff, layout);
  }

  /**
   * Whole periods go as partitions (no dead rows, no long delete), detached here and dropped once
   * the cleanup has committed; what is left before the cutoff, row by row.
   */
  protected override async deleteRowsBefore(cutoff: Date): Promise<number> {
    // Partitions first: they are detached after the partitions' turn, which upkeep takes before it
    // locks the table. Detaching one locks the table against every reader and writer until commit.
    const detached = await detachPartitionsBefore(this.db, cutoff);
    // Whatever was detached, writers wait from here until commit: the mending deletes summaries that
    // lost every row without counting the measurements again, so no batch may add to one meanwhile.
    // Readers go on.
    await this.db.execute(sql`lock table ${tables.confidenceMeasurements} in share row exclusive mode`);
    return (await this.summarisedRowsWithin(detached)) + (await super.deleteRowsBefore(cutoff));
  }

  /**
   * How many measurements the periods held, from their hours' summaries: periods begin on whole UTC
   * hours, and counting a month's partition row by row took 0.3 s at 3,100,000 rows.
   */
  private async summarisedRowsWithin(periods: readonly RangePartition[]): Promise<number> {
    if (periods.length === 0) return 0;
    const { hourlyConfidence: h } = tables;
    const [row] = await this.db
      .select({ n: sum(h.measurementsCount).mapWith(Number) })
      .from(h)
      .where(or(...periods.map((period) => and(gte(h.hour, period.from), lt(h.hour, period.to)))));
    return row!.n ?? 0;
  }

  async maintainStorage(now: Date): Promise<string[]> {
    const made: string[] = [];
    // A partition a transaction: moving a period's waiting rows out of the default partition locks
    // it until commit, so the lock ends with each period rather than with the last.
    for (;;) {
      const one = await this.atomically(async (tx) => {
        await tx.allowLongStatements();
        const { layout } = await readPartitioning(tx.db);
        return layout === 'off' ? [] : ensurePartitions(tx.db, layout, now, 1);
      });
      if (one.length === 0) break;
      made.push(...one);
    }
    // After the partitions, and best effort: an expired table a crash left behind that cannot go
    // now (a view on it, a dump holding it) must not keep upkeep from making them.
    await dropExpiredPartitions(this.db).catch(() => {});
    return made;
  }

  async databaseSizeBytes(): Promise<number> {
    const result = await this.db.execute<{ bytes: string }>(
      sql`select coalesce(sum(pg_total_relation_size(c.oid)), 0) as bytes
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = ${this.schema} and c.relkind in ('r', 'm')`,
    );
    return Number(result.rows[0]?.bytes ?? 0);
  }

  vacuum(): Promise<void> {
    return this.vacuumTables(Object.values(tables));
  }

  override async cleanup(days: RetentionDays, now: Date): Promise<CleanupCounts> {
    const counts = await super.cleanup(days, now);
    // Inside a caller's transaction nothing has committed yet: the next cleanup or upkeep finishes.
    if (this.depth > 0) return counts;
    // The cleanup has committed, so neither step after it changes what it did: each is best effort,
    // and the two go at once (removing a month's files is the disk's work, vacuuming the server's).
    // Mending rewrote the summary of every test that lost rows: until a vacuum came by (autovacuum,
    // where it is on), counting tests read their heap pages, not their index alone (100,000 tests
    // after a month went: statistics 21 ms, 12-14 ms vacuumed). The vacuum skips a table it cannot
    // lock at once. It leaves ANALYZE to autovacuum: sampling the summaries read every page of them
    // (150 ms after a month of 10M rows went), and VACUUM itself keeps the row counts plans lean on.
    const vacuumed = async () => {
      if (counts.measurements === 0) return;
      await this.writersBefore().catch(() => {});
      await this.vacuumTables([tables.testSummaries, tables.hourlyConfidence], sql`skip_locked`);
    };
    await Promise.all([dropExpiredPartitions(this.db).catch(() => {}), vacuumed().catch(() => {})]);
    return counts;
  }

  /**
   * Waits for the batches under way: one that waited for the cleanup's lock keeps a snapshot from
   * before the commit (the catalog's, taken as it began) to its end, and until then no vacuum may
   * remove the summaries the cleanup deleted, nor mark their pages all-visible (at 10M rows with a
   * writer going, statistics then took 210-240 ms instead of 32). SHARE mode on the parent table
   * alone (every batch locks it) waits for every writer, without touching a partition in an order
   * upkeep does not take them in; batches coming after it wait meanwhile. Best effort: a second at most.
   */
  private async writersBefore(): Promise<void> {
    await this.atomically(async (tx) => {
      await tx.db.execute(sql`set local lock_timeout = 1000`);
      await tx.db.execute(sql`lock table only ${tables.confidenceMeasurements} in share mode`);
    });
  }

  private async vacuumTables(list: readonly PgTable[], options = sql`analyze`): Promise<void> {
    // VACUUM cannot run inside a transaction: each statement goes out on its own, on one
    // connection whose statement limit is lifted meanwhile.
    await this.onOwnConnection(async (client, markBroken) => {
      try {
        await client.query('set statement_timeout = 0');
        const db = drizzle({ client, casing: 'snake_case' });
        for (const table of list) await db.execute(sql`vacuum (${options}) ${table}`);
        await client.query('reset statement_timeout');
      } catch (error) {
        // Its statement limit may still be lifted: not a connection to hand back.
        markBroken(error as Error);
        throw error;
      }
    });
  }

  withTestLocks<T>(testNames: readonly string[], work: (locked: Store) => Promise<T>): Promise<T> {
    const keys = [...new Set(testNames)].map((name) => `driftwatch.test.${this.schema}.${name}`);
    return this.atomically(async (tx) => {
      // In the order of the lock keys themselves, not of the names: two names may hash alike, and
      // only one order of the keys every caller follows rules out two callers waiting in a circle.
      await tx.db.execute(
        sql`select pg_advisory_xact_lock(key) from (select distinct hashtext(name) as key from unnest(${sql.param(keys)}::text[]) as name order by key) as keys`,
      );
      return work(tx);
    });
  }

  async ping(): Promise<void> {
    await this.pingPool.query('select 1');
  }

  poolStats() {
    const pool = this.pool;
    return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.pingPool.end()]);
  }
}

// Batches go in as one array per column through unnest(): one parameter per column whatever the batch
// size, where a multi-row VALUES list costs a parameter per value to build and to bind.

/**
 * The values PostgreSQL can hold: text with NUL is refused on every way in (validation.ts), so no
 * stored name has one, and sent to the server such a value fails the whole statement (a protocol
 * error in COPY's text, read as the database being away).
 */
function storable<V extends string | number>(values: readonly V[]): V[] {
  return values.filter((value) => typeof value !== 'string' || !value.includes('\u0000'));
}

/**
 * Rows as a SELECT over one array per column, every column of the table in order (Drizzle's
 * insert-select names them all): an id the rows leave out comes from the table's identity, any
 * other column they leave out takes its default value, or null.
 */
function unnestRows<T extends PgTable>(table: T, rows: T['$inferInsert'][]): SQL {
  const selected: SQL[] = [];
  const arrays: SQL[] = [];
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    if (key === 'id' && !rows.some((row) => 'id' in row)) {
      // The sequence is looked up once (a scalar subquery), not for every row.
      selected.push(sql`nextval((select pg_get_serial_sequence(${getTableName(table)}, 'id')))`);
      continue;
    }
    const fallback = column.default instanceof SQL ? null : (column.default ?? null);
    const given = rows.map((row) => (row as Record<string, unknown>)[key] ?? fallback);
    selected.push(sql`${sql.identifier(`c${arrays.length}`)}`);
    if (column.getSQLType() === 'jsonb') {
      // One JSON document for the whole column: as an array of JSON texts the driver escaped every
      // quote of every value (a detector state has dozens) for the array literal, 1.9 s of Node's
      // time in a pass over 100,000 tests. Read as json, so each value is parsed once, into its
      // jsonb: as one jsonb document it was parsed whole and then every value copied out of it
      // (1,000 detector states: 45 ms against 34).
      arrays.push(sql`array(select nullif(e.value::jsonb, 'null'::jsonb) from json_array_elements(${JSON.stringify(given)}::json) with ordinality as e(value, position) order by e.position)`);
      continue;
    }
    const values = given.map((value) => (value === null ? null : column.mapToDriverValue(value)));
    arrays.push(sql`${sql.param(values)}::${sql.raw(column.getSQLType())}[]`);
  }
  const names = sql.join(arrays.map((_, i) => sql.identifier(`c${i}`)), sql`, `);
  return sql`select ${sql.join(selected, sql`, `)} from unnest(${sql.join(arrays, sql`, `)}) as given(${names})`;
}

/** An INSERT of rows given per column: new ones (no id: the identity assigns it) or imported ones, with their ids. */
export function insertRows<T extends PgTable>(table: T, rows: T['$inferInsert'][]): SQL {
  const names = Object.keys(getTableColumns(table)).map((key) => sql.identifier(toSnakeCase(key)));
  return sql`insert into ${table} (${sql.join(names, sql`, `)}) ${unnestRows(table, rows)}`;
}

/** A conflict's SET clause from column keys and their values. */
function setClause(set: Record<string, SQL>): SQL {
  return sql.join(
    Object.entries(set).map(([key, value]) => sql`${sql.identifier(toSnakeCase(key))} = ${value}`),
    sql`, `,
  );
}

// Driver-level results come back untyped (Drizzle leaves timestamps as PostgreSQL's text): the instant as a number.
const epochMsOfTimestamp = sql`(extract(epoch from "timestamp") * 1000)::float8`;
export const epochMs = sql`${epochMsOfTimestamp} as at_ms`;

export type AddedOutcome = {
  added: number;
  /** Each added row's test and instant (epoch ms), only when some given pair was stored already. */
  pairs: [string, number][] | null;
};

/**
 * What an insert of `given` rows that skips stored pairs (a CTE `added` returning test_name and
 * "timestamp") tells its caller. Most batches meet no stored pair: they get a count alone, not a
 * row back per measurement (about 1 ms of Node's time per 1,000).
 */
export function addedOutcome(given: number): SQL {
  return sql`select count(*)::int as added, case when count(*) < ${given} then json_agg(json_build_array(test_name, ${epochMsOfTimestamp})) end as pairs from added`;
}
