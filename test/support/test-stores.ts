// Fresh, real databases for tests: a new SQLite file or a new PostgreSQL schema each time, removed afterwards.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { inject, test } from 'vitest';
import type { DatabaseConfig } from '../../src/config.js';
import type { MeasurementsLayout, RetentionMode } from '../../src/db/pg/partition-periods.js';
import { pgMigrationsFolder } from '../../src/db/pg/connect.js';
import { sqliteMigrationsFolder } from '../../src/db/sqlite/connect.js';
import { openStore } from '../../src/store/open-store.js';
import type { StorageBackend, Store } from '../../src/store/store.js';

export const backends: StorageBackend[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  config: DatabaseConfig;
  /** Removes the file or drops the schema. Close every store on it first. */
  destroy(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(6).toString('hex')}`;
}

export function testPgUrl(): string {
  return inject('pgUrl');
}

/**
 * A fresh SQLite file, or a fresh schema in the shared test database. `ownDatabase` gives
 * PostgreSQL a database of its own instead, for a test that another suite's open transactions
 * would disturb (VACUUM keeps rows any transaction in the same database might still see).
 */
export async function createTestDatabase(backend: StorageBackend, options: { ownDatabase?: boolean } = {}): Promise<TestDatabase> {
  if (backend === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftwatch-'));
    return {
      config: { backend: 'sqlite', path: path.join(dir, 'drift.db') },
      destroy: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = uniqueName('test');
  const url = testPgUrl();
  if (options.ownDatabase) {
    const name = uniqueName('own');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name}`).finally(() => admin.end());
    const own = new URL(url);
    own.pathname = `/${name}`;
    return {
      config: { backend: 'postgres', url: own.toString(), schema, pool: { min: 0, max: 4 }, applicationName: schema },
      destroy: async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        // Only this test's own connections can be in its own database.
        await client.query(`drop database if exists ${name} with (force)`).finally(() => client.end());
      },
    };
  }
  return {
    // A name of its own, so a test that terminates connections touches only this database's.
    config: { backend: 'postgres', url, schema, pool: { min: 0, max: 4 }, applicationName: schema },
    destroy: () => dropSchema(url, schema),
  };
}

/** A PostgreSQL test database's settings, asking for its measurements in `layout`. */
/** A PostgreSQL database's config with its measurements in `layout`; `retention` as DRIFT_PG_RETENTION would set it. */
export function withPartition(config: DatabaseConfig, layout: MeasurementsLayout, retention?: RetentionMode): DatabaseConfig {
  if (config.backend !== 'postgres') throw new Error('partitioning is a PostgreSQL feature');
  return { ...config, partition: layout, ...(retention !== undefined && { retention }) };
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

/** A vitest `test` whose `store` fixture is a migrated, empty store of the given backend. */
export function storeTest(backend: StorageBackend) {
  return test.extend<{ database: TestDatabase; store: Store }>({
    database: async ({}, use) => {
      const database = await createTestDatabase(backend);
      await use(database);
      await database.destroy();
    },
    store: async ({ database }, use) => {
      const store = await openStore(database.config);
      await use(store);
      await store.close();
    },
  });
}

/** Runs raw statements against a test database outside any store, then closes the connection. */
async function withRawDatabase(
  config: DatabaseConfig,
  work: { sqlite: (db: Database.Database) => void; postgres: (client: pg.Client, schema: string) => Promise<void> },
): Promise<void> {
  if (config.backend === 'sqlite') {
    const db = new Database(config.path);
    try {
      work.sqlite(db);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: config.url });
  await client.connect();
  try {
    await work.postgres(client, `"${config.schema}"`);
  } finally {
    await client.end();
  }
}

/**
 * Makes the database itself refuse any row of `testName` in `table` (a trigger), so a test can fail
 * a write part-way through a batch, after the rows before it were already handed to the database.
 */
export async function rejectTestNamed(config: DatabaseConfig, testName: string, table = 'confidence_measurements'): Promise<void> {
  const quoted = `'${testName.replaceAll("'", "''")}'`;
  const name = `reject_${crypto.randomBytes(4).toString('hex')}`;
  await withRawDatabase(config, {
    sqlite: (db) =>
      db.exec(`create trigger ${name} before insert on ${table}
               when new.test_name = ${quoted} begin select raise(abort, 'rejected by test trigger'); end`),
    postgres: async (client, schema) => {
      await client.query(`
      create function ${schema}.${name}() returns trigger language plpgsql as $$
      begin
        if new.test_name = ${quoted} then raise exception 'rejected by test trigger'; end if;
        return new;
      end $$;
      create trigger ${name} before insert on ${schema}.${table} for each row execute function ${schema}.${name}();`);
    },
  });
}

export interface InsertGate {
  /** Resolves once an insert is waiting at the gate; fails with what `givenUp` says, once it says something. */
  untilWaiting(givenUp?: () => string | null): Promise<void>;
  /** Lets every waiting and later insert through. */
  open(): Promise<void>;
  /** Ends the gate's connection (opening the gate if it is still shut). */
  end(): Promise<void>;
}

/**
 * Shuts a gate inside PostgreSQL: every row inserted into `table` (or updated, with `event`) for
 * which `condition` (SQL over `new`) holds waits, after it has drawn its id (or locked its row),
 * until the test opens the gate. A test can so hold a write provably in flight, between its start
 * and its commit.
 */
export async function gateInserts(config: DatabaseConfig, table: string, condition = 'true', event: 'insert' | 'update' = 'insert'): Promise<InsertGate> {
  if (config.backend !== 'postgres') throw new Error('gateInserts needs PostgreSQL');
  const client = new pg.Client({ connectionString: config.url });
  await client.connect();
  const key = [4242, crypto.randomInt(2 ** 31)];
  const name = `gate_${crypto.randomBytes(4).toString('hex')}`;
  const schema = `"${config.schema}"`;
  await client.query(`
    create function ${schema}.${name}() returns trigger language plpgsql as $$
    begin
      if ${condition} then perform pg_advisory_lock(${key[0]}, ${key[1]}); perform pg_advisory_unlock(${key[0]}, ${key[1]}); end if;
      return new;
    end $$;
    create trigger ${name} before ${event} on ${schema}.${table} for each row execute function ${schema}.${name}();`);
  await client.query('select pg_advisory_lock($1, $2)', key);
  return {
    untilWaiting: async (givenUp = () => null) => {
      while (!(await client.query(`select 1 from pg_locks where locktype = 'advisory' and classid = $1 and objid = $2 and not granted`, key)).rowCount) {
        const reason = givenUp();
        if (reason) throw new Error(reason);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    open: async () => {
      await client.query('select pg_advisory_unlock_all()');
    },
    end: () => client.end(),
  };
}

/**
 * Brings a new database to the state of an older release: only the first `count` migrations applied
 * and journaled the way Drizzle's migrator does, so opening a store applies the rest. With `from`,
 * a database brought so far already goes on from there (to put rows in between).
 */
export async function migrateUpTo(config: DatabaseConfig, count: number, from = 0): Promise<void> {
  await withRawDatabase(config, {
    sqlite: (db) => {
      db.exec('CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)');
      for (const migration of readMigrationFiles({ migrationsFolder: sqliteMigrationsFolder }).slice(from, count)) {
        for (const statement of migration.sql) db.exec(statement);
        db.prepare('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)').run(migration.hash, migration.folderMillis);
      }
    },
    postgres: async (client, schema) => {
      if (from === 0) {
        await client.query(`create schema ${schema}`);
        await client.query(`CREATE TABLE ${schema}."__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
      }
      await client.query(`set search_path to ${schema}`);
      for (const migration of readMigrationFiles({ migrationsFolder: pgMigrationsFolder }).slice(from, count)) {
        for (const statement of migration.sql) await client.query(statement);
        await client.query(`INSERT INTO ${schema}."__drizzle_migrations" (hash, created_at) VALUES ($1, $2)`, [migration.hash, migration.folderMillis]);
      }
    },
  });
}

/** Inserts measurement rows as they are, ids included, past every rule but the table's own. */
export async function insertRawMeasurements(
  config: DatabaseConfig,
  rows: { id: number; testName: string; confidence: number; timestamp: Date; category?: string | null }[],
): Promise<void> {
  const insert = 'insert into confidence_measurements (id, test_name, confidence, timestamp, created_at, category) values ';
  await withRawDatabase(config, {
    sqlite: (db) => {
      const statement = db.prepare(`${insert} (?, ?, ?, ?, ?, ?)`);
      for (const r of rows) statement.run(r.id, r.testName, r.confidence, r.timestamp.getTime(), r.timestamp.getTime(), r.category ?? null);
    },
    postgres: async (client, schema) => {
      for (const r of rows) {
        await client.query(`${insert.replace('into ', `into ${schema}.`)} ($1, $2, $3, $4, $4, $5)`, [r.id, r.testName, r.confidence, r.timestamp, r.category ?? null]);
      }
    },
  });
}

/**
 * Runs one query outside any store and returns its rows, instants as epoch milliseconds and
 * PostgreSQL's bigints as numbers, so both backends' rows compare as they are.
 */
export async function readRaw(config: DatabaseConfig, query: string): Promise<Record<string, unknown>[]> {
  let rows: Record<string, unknown>[] = [];
  await withRawDatabase(config, {
    sqlite: (db) => {
      rows = db.prepare(query).all() as Record<string, unknown>[];
    },
    postgres: async (client, schema) => {
      await client.query(`set search_path to ${schema}`);
      const bigintAsNumber = (oid: number, format?: string) => (oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format as 'text'));
      rows = (await client.query({ text: query, types: { getTypeParser: bigintAsNumber } as pg.CustomTypesConfig })).rows;
    },
  });
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value instanceof Date ? value.getTime() : value])));
}
