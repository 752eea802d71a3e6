import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { pgSchemaName, type PoolSize } from '../../config.js';
import { assertOpenable, detectPgLayout } from '../detect-layout.js';
import type { MeasurementsLayout, RetentionMode } from './partition-periods.js';
import { convertMeasurements, ensurePartitions, measurementsTable, readPartitioning, type ConversionProgress } from './partitions.js';
import * as schema from './schema.js';

export type PgDatabase = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export const pgMigrationsFolder = fileURLToPath(new URL('../../../drizzle/pg', import.meta.url));

export interface PgConnectionOptions {
  url: string;
  schema: string;
  pool: PoolSize;
  /** See DatabaseConfig; no limits when left out. */
  timeouts?: { lockMs: number; statementMs: number } | undefined;
  applicationName?: string | undefined;
  /** See DatabaseConfig. */
  partition?: MeasurementsLayout | undefined;
  /** See DatabaseConfig. */
  retention?: RetentionMode | undefined;
}

/** Refuses anything but a plain identifier before a single statement runs. */
export function assertSchemaName(name: string): string {
  const checked = pgSchemaName.safeParse(name);
  if (!checked.success) {
    throw new Error(`Invalid PostgreSQL schema "${name}": ${checked.error.issues[0]?.message ?? 'not a plain identifier'}`);
  }
  return checked.data;
}

/**
 * A pool whose every connection works in the tenant schema: the schema goes first on the
 * search_path in the startup packet, so unqualified table names (and the generated migrations)
 * resolve there and two schemas on one database never see each other's rows.
 */
export async function connectPg(options: PgConnectionOptions): Promise<PgDatabase> {
  const schemaName = assertSchemaName(options.schema);
  const pool = new pg.Pool({
    connectionString: options.url,
    min: options.pool.min,
    max: options.pool.max,
    // ISO dates in UTC whatever the database's defaults: partition bounds are read back from their text.
    options: `-c search_path=${schemaName} -c DateStyle=ISO -c TimeZone=UTC`,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'driftwatch',
    // A lock held elsewhere (a migration, someone's LOCK TABLE) fails our statement fast, instead of
    // filling the pool with waiting writers until nothing else gets a connection.
    lock_timeout: options.timeouts?.lockMs,
    statement_timeout: options.timeouts?.statementMs,
  });
  // An idle client that loses its server emits 'error' on the pool; without a listener that kills the process.
  pool.on('error', () => {});
  const db = drizzle({ client: pool, schema, casing: 'snake_case' });
  try {
    const applied = await migratePg(db, schemaName, options.partition);
    // A migration that filled the summaries left the planner without statistics and their visibility
    // map empty: until autovacuum came by, counting tests read every heap page (100,000 tests: 12 ms
    // vacuumed, 66 ms not).
    if (applied > 0) await db.execute(sql`vacuum analyze ${schema.testSummaries}, ${schema.hourlyConfidence}`);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return db;
}

/**
 * Applies the migrations under a per-schema advisory lock, so instances starting together take
 * turns; returns how many it applied.
 */
async function migratePg(db: PgDatabase, schemaName: string, partition: MeasurementsLayout | undefined): Promise<number> {
  const client = await db.$client.connect();
  try {
    const lockKey = sql`hashtext(${`driftwatch.migrate.${schemaName}`})`;
    const locked = drizzle({ client, casing: 'snake_case' });
    // A migration may rebuild an index over millions of rows: no statement limit while it runs, and
    // an instance starting meanwhile waits for the migration lock as long as that takes, whatever
    // lock_timeout says about the API's statements (it would fail start-up after 5 s).
    await locked.execute(sql`set statement_timeout = 0`);
    await locked.execute(sql`set lock_timeout = 0`);
    await locked.execute(sql`select pg_advisory_lock(${lockKey})`);
    try {
      // Under the lock and before the first write: an adopted or adopting schema is never half-seen.
      assertOpenable(await detectPgLayout(client, schemaName), `postgres schema ${schemaName}`);
      await locked.execute(sql`create schema if not exists ${sql.identifier(schemaName)}`);
      const journaled = async () => {
        const found = await locked.execute<{ n: number }>(
          sql`select count(*)::int as n from pg_tables where schemaname = ${schemaName} and tablename = '__drizzle_migrations'`,
        );
        if (found.rows[0]!.n === 0) return 0;
        const rows = await locked.execute<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(schemaName)}.${sql.identifier('__drizzle_migrations')}`);
        return rows.rows[0]!.n;
      };
      const before = await journaled();
      await migrate(locked, { migrationsFolder: pgMigrationsFolder, migrationsSchema: schemaName });
      await inTransaction(locked, () => settlePartitioning(locked, schemaName, partition, new Date()));
      return (await journaled()) - before;
    } finally {
      await locked.execute(sql`select pg_advisory_unlock(${lockKey})`);
      await locked.execute(sql`reset statement_timeout`);
      await locked.execute(sql`reset lock_timeout`);
    }
  } finally {
    client.release();
  }
}

/**
 * Gives an empty measurements table the layout asked for, refuses a filled one in another layout
 * (converting millions of rows is an operator's decision, with `drift migrate --partition`), and
 * makes a partitioned table's partitions ahead of now.
 */
async function settlePartitioning(db: NodePgDatabase, schemaName: string, wanted: MeasurementsLayout | undefined, now: Date): Promise<void> {
  const { layout } = await readPartitioning(db);
  if (wanted !== undefined && wanted !== layout) {
    // Locked before it is found empty, so a running server cannot write between the look and the conversion.
    await db.execute(sql`lock table ${sql.identifier(measurementsTable)} in access exclusive mode`);
    const empty = (await db.execute(sql`select 1 from ${sql.identifier(measurementsTable)} limit 1`)).rows.length === 0;
    if (!empty) {
      throw new Error(
        `postgres schema ${schemaName}: ${measurementsTable} is ${layout === 'off' ? 'not partitioned' : `partitioned by ${layout}`}, ` +
          `but DRIFT_PG_PARTITION is ${wanted}. Convert it with \`drift migrate --partition ${wanted}\` (it rewrites the table), or unset DRIFT_PG_PARTITION.`,
      );
    }
    await convertMeasurements(db, wanted, now);
  }
  const settled = wanted ?? layout;
  if (settled !== 'off') await ensurePartitions(db, settled, now);
}

/**
 * `drift migrate --partition`: converts the measurements table to `layout` in one transaction, on
 * one connection without time limits (the table is locked while its rows are copied). Returns
 * false when it already had that layout.
 */
export async function repartitionPg(options: PgConnectionOptions, layout: MeasurementsLayout, onProgress: (progress: ConversionProgress) => void): Promise<boolean> {
  const db = await connectPg({ ...options, partition: undefined, pool: { min: 0, max: 1 } });
  const client = await db.$client.connect();
  try {
    const bound = drizzle({ client, casing: 'snake_case' });
    return await inTransaction(bound, async () => {
      await bound.execute(sql`set local statement_timeout = 0`);
      await bound.execute(sql`set local lock_timeout = 0`);
      const changed = await convertMeasurements(bound, layout, new Date(), onProgress);
      if (layout !== 'off') await ensurePartitions(bound, layout, new Date());
      return changed;
    });
  } finally {
    client.release();
    await db.$client.end();
  }
}

/** Runs `work` in a transaction on a database bound to one connection: committed, or rolled back if it throws. */
async function inTransaction<T>(db: NodePgDatabase, work: () => Promise<T>): Promise<T> {
  await db.execute(sql`begin`);
  try {
    const result = await work();
    await db.execute(sql`commit`);
    return result;
  } catch (error) {
    await db.execute(sql`rollback`);
    throw error;
  }
}
