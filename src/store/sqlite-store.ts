import { AsyncLocalStorage } from 'node:async_hooks';
import { type Column, type SQL, Param, Placeholder, getTableColumns, is, sql } from 'drizzle-orm';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { connectSqlite, type SqliteDatabase } from '../db/sqlite/connect.js';
import * as sqliteTables from '../db/sqlite/schema.js';
import { replacedColumns } from './query-parts.js';
import { mergeAggregate, mergeTestSummary, summaryAdditions, type HourAddition, type SummarisedRow, type TestSummaryAddition } from './summaries.js';
import { SqlStore, type InsertOf, type SqlDatabase, type Tables } from './sql-store.js';
import type { RowSource, Store, TableName, TableRows } from './store.js';
import type { MeasurementValues } from './validation.js';

// One connection serves every caller in the process, so a transaction open across an `await` would
// take in any other caller's statements. Writes therefore queue per database file, and the
// transaction a caller is inside of is known from its async context, not from which store it holds.
const writeQueues = new Map<string, Promise<unknown>>();
const openTransaction = new AsyncLocalStorage<Database.Database>();

// better-sqlite3 binds at most 32766 parameters per statement; 500 rows x 16 columns stays well below.
const insertChunk = 500;

export class SqliteStore extends SqlStore {
  readonly backend = 'sqlite' as const;
  readonly schema = null;
  private readonly client: Database.Database;
  /** Upserts validated rows, one per test and instant, and returns those that replaced one; the caller holds the transaction. */
  private readonly upsertRows: (rows: MeasurementValues[]) => MeasurementValues[];
  private readonly mergeSummaries: (additions: ReturnType<typeof summaryAdditions>) => void;

  private constructor(db: SqliteDatabase) {
    super(db as unknown as SqlDatabase, sqliteTables as unknown as Tables);
    this.client = db.$client;
    this.upsertRows = preparedUpsert(db);
    this.mergeSummaries = preparedSummaries(db);
  }

  static open(file: string): SqliteStore {
    return new SqliteStore(connectSqlite(file));
  }

  async withSnapshot<T>(work: (snapshot: RowSource) => Promise<T>): Promise<T> {
    // This process's connection takes in every caller's statements, so the snapshot reads through a
    // read-only one of its own. In memory there is no other connection to the data: the reads go
    // through this one, and see what this process commits between them.
    if (this.client.memory) return work(this);
    const client = new Database(this.client.name, { readonly: true, fileMustExist: true });
    try {
      // Deferred: WAL fixes the snapshot at the first read and holds it until the commit.
      client.exec('begin');
      return await work(new SqliteStore(drizzle({ client, schema: sqliteTables, casing: 'snake_case' }) as SqliteDatabase));
    } finally {
      client.close();
    }
  }

  /**
   * BEGIN IMMEDIATE takes the file's write lock at once, so the transaction also orders writers in
   * other processes (each waits up to busy_timeout, then fails as unavailable). Inside an open
   * transaction a nested one is a savepoint, as on PostgreSQL.
   */
  protected atomically<T>(work: (tx: this) => Promise<T>): Promise<T> {
    const client = this.client;
    if (openTransaction.getStore() === client && client.inTransaction) {
      return enclose(client, 'savepoint nested', 'release nested', 'rollback to nested; release nested', () => work(this));
    }
    const run = () =>
      openTransaction.run(client, () => enclose(client, 'begin immediate', 'commit', 'rollback', () => work(this)));
    const key = client.name;
    const result = (writeQueues.get(key) ?? Promise.resolve()).then(run, run);
    const settled = result.catch(() => {});
    writeQueues.set(key, settled);
    void settled.then(() => {
      if (writeQueues.get(key) === settled) writeQueues.delete(key);
    });
    return result;
  }

  protected async upsertMeasurements(rows: MeasurementValues[]): Promise<MeasurementValues[]> {
    const replaced = this.upsertRows(rows);
    const replacing = new Set(replaced);
    await this.addToSummaries(replaced.length === 0 ? rows : rows.filter((row) => !replacing.has(row)));
    return replaced;
  }

  // Per row through prepared statements: building a 500-row statement per batch cost more than the writes.
  protected override async addToSummaries(rows: readonly SummarisedRow[]): Promise<void> {
    this.mergeSummaries(summaryAdditions(rows));
  }

  protected hourOfColumn(timestamp: Column | SQL): SQL<Date> {
    // Epoch milliseconds, floored (not truncated towards zero, which would misplace instants before 1970).
    return sql<Date>`(${timestamp} - (((${timestamp} % 3600000) + 3600000) % 3600000))`;
  }

  protected periodOfColumn(timestamp: Column | SQL): SQL<Date> {
    // As fractional epoch seconds, which SQLite floors to the month the instant lies in (before 1970 too).
    return sql<Date>`(cast(strftime('%s', ${timestamp} / 1000.0, 'unixepoch', 'start of month') as integer) * 1000)`;
  }

  protected epochMsOf(timestamp: Column): SQL<number> {
    // Stored as epoch milliseconds already.
    return sql<number>`${timestamp}`;
  }

  protected isAnyOf(column: Column, values: readonly (string | number)[]): SQL {
    // A JSON array in one parameter: also clear of SQLite's limit on bound parameters per statement.
    return sql`${column} in (select value from json_each(${JSON.stringify(values)}))`;
  }

  protected namesRelation(names: readonly string[]): SQL {
    return sql`(select value as name from json_each(${JSON.stringify(names)})) as names`;
  }

  protected insertMany<T extends Tables['testSummaries' | 'hourlyConfidence' | 'driftAnalysis' | 'driftAlerts' | 'driftDetectorState' | 'testAnalysisMarks']>(table: T, rows: T['$inferInsert'][]): InsertOf<T> {
    return this.db.insert(table).values(rows as never);
  }

  // The transaction holds the file's write lock already: no other writer is between its statements.
  protected async lockSummaries(): Promise<void> {}

  protected async holdMarks(): Promise<void> {}

  protected async excludeAnalysisWriters(): Promise<void> {}

  protected async allowLongStatements(): Promise<void> {}

  protected changedRows(result: unknown): number {
    return (result as Database.RunResult).changes;
  }

  protected aroundAlertInsert() {
    // Writes already take turns on the file's lock; the alert bus polls the table, so nothing to announce.
    const nothing = async () => {};
    return { before: nothing, after: nothing };
  }

  protected async importRowsWithIds<T extends Exclude<TableName, 'history'>>(table: T, rows: TableRows[T][]): Promise<number> {
    const target = this.tableOf(table);
    return this.atomically(async (tx) => {
      let inserted = 0;
      for (let i = 0; i < rows.length; i += insertChunk) {
        const chunk = rows.slice(i, i + insertChunk) as (typeof target.$inferInsert)[];
        if (table === 'measurements') {
          const m = this.tables.confidenceMeasurements;
          const added = await tx.db
            .insert(m)
            .values(chunk as (typeof m.$inferInsert)[])
            .onConflictDoNothing()
            .returning({ testName: m.testName, category: m.category, confidence: m.confidence, timestamp: m.timestamp });
          await tx.addToSummaries(added);
          inserted += added.length;
        } else {
          inserted += tx.changedRows(await tx.db.insert(target).values(chunk).onConflictDoNothing());
        }
      }
      return inserted;
    });
  }

  async databaseSizeBytes(): Promise<number> {
    const row = this.client.prepare('select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()').get();
    return (row as { bytes: number }).bytes;
  }

  async vacuum(): Promise<void> {
    this.client.exec('vacuum');
    this.client.exec('pragma optimize');
  }

  /** One file with nothing to prepare ahead. */
  async maintainStorage(): Promise<string[]> {
    return [];
  }

  withTestLocks<T>(_testNames: readonly string[], work: (locked: Store) => Promise<T>): Promise<T> {
    // The file's write lock is coarser than one test's, and it holds across processes.
    return this.atomically((tx) => work(tx));
  }

  async ping(): Promise<void> {
    this.client.prepare('select 1').get();
  }

  poolStats() {
    return null;
  }

  async close(): Promise<void> {
    this.client.close();
  }
}

async function enclose<T>(client: Database.Database, begin: string, commit: string, rollback: string, work: () => Promise<T>): Promise<T> {
  client.exec(begin);
  let result: T;
  try {
    result = await work();
  } catch (error) {
    if (client.inTransaction) client.exec(rollback);
    throw error;
  }
  client.exec(commit);
  return result;
}

/** Upserts measurements a row at a time through two statements prepared once. */
export function preparedUpsert(db: SqliteDatabase): (rows: MeasurementValues[]) => MeasurementValues[] {
  const { confidenceMeasurements: m } = sqliteTables;
  const slots = placeholders(m, ['id']);
  // Two builders: an insert builder collects every conflict clause it is given. Both bind the same
  // values in the same order; only what a conflict does differs.
  const add = bound<MeasurementValues>(db, db.insert(m).values(slots).onConflictDoNothing({ target: [m.testName, m.timestamp] }));
  const replace = bound<MeasurementValues>(db, db.insert(m).values(slots).onConflictDoUpdate({ target: [m.testName, m.timestamp], set: replacedColumns(m) }));
  return (rows) => {
    const replaced: MeasurementValues[] = [];
    for (const row of rows) {
      if (add(row).changes === 0) {
        replace(row);
        replaced.push(row);
      }
    }
    return replaced;
  };
}

/** Merges summary additions into their tables, a row at a time through statements prepared once. */
function preparedSummaries(db: SqliteDatabase): (additions: ReturnType<typeof summaryAdditions>) => void {
  const { testSummaries: ts, hourlyConfidence: h } = sqliteTables;
  const mergeTest = bound<TestSummaryAddition>(
    db,
    db.insert(ts).values(placeholders(ts, ['revision'])).onConflictDoUpdate({ target: [ts.testName, ts.categoryKey, ts.period], set: mergeTestSummary(ts) }),
  );
  const mergeHour = bound<HourAddition>(
    db,
    db.insert(h).values(placeholders(h, [])).onConflictDoUpdate({ target: [h.hour, h.categoryKey], set: mergeAggregate(h) }),
  );
  return ({ tests, hours }) => {
    for (const test of tests) mergeTest(test);
    for (const hour of hours) mergeHour(hour);
  };
}

/** A placeholder for every column of a table but the given ones, named by the column's key. */
function placeholders<T extends SQLiteTable>(table: T, except: string[]): T['$inferInsert'] {
  const keys = Object.keys(getTableColumns(table)).filter((key) => !except.includes(key));
  return Object.fromEntries(keys.map((key) => [key, sql.placeholder(key)])) as T['$inferInsert'];
}

/**
 * Drizzle writes the statement and each column's encoder; binding them ourselves, once, spares a
 * batch Drizzle's per-row placeholder lookup, which cost a third of the gap to the raw driver.
 */
function bound<R>(db: SqliteDatabase, builder: { prepare(): { getQuery(): { sql: string; params: unknown[] } } }): (row: R) => Database.RunResult {
  const query = builder.prepare().getQuery();
  const encoders = query.params.map((param) => {
    // A value Drizzle filled in itself (a column's default) is bound as it is.
    if (!(is(param, Param) && is(param.value, Placeholder))) return () => param;
    const key = param.value.name as keyof R;
    const encoder = param.encoder;
    return (row: R) => (encoder ? encoder.mapToDriverValue(row[key]) : row[key]);
  });
  const statement = db.$client.prepare(query.sql);
  return (row) => statement.run(encoders.map((encode) => encode(row)));
}
