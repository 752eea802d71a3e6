// Batch ingest through the Store against the same inserts without the summaries and against the raw
// driver, in the same run.
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { connectPg } from '../src/db/pg/connect.js';
import { confidenceMeasurements } from '../src/db/pg/schema.js';
import { connectSqlite } from '../src/db/sqlite/connect.js';
import { openStore } from '../src/store/open-store.js';
import { addedOutcome, insertRows } from '../src/store/pg-store.js';
import { preparedUpsert } from '../src/store/sqlite-store.js';
import { toMeasurementValues } from '../src/store/validation.js';
import type { DatabaseConfig } from '../src/config.js';
import type { StorageBackend } from '../src/store/store.js';
import { benchDatabase, heading, measurementBatch, rate, table, timed } from './support.js';

const batchSize = 1000;
const batches = Number(process.env.BENCH_INGEST_BATCHES ?? 200);
const rounds = 3;
const backends = (process.env.BENCH_INGEST_BACKENDS ?? 'sqlite,postgres').split(',') as StorageBackend[];

type Batch = ReturnType<typeof measurementBatch>;

async function rawSqlite(file: string, data: Batch[]): Promise<void> {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  const insert = db.prepare(
    `insert into confidence_measurements (test_name, confidence, category, timestamp, failure_id, rule_score, signal_score, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertBatch = db.transaction((rows: Batch) => {
    const now = Date.now();
    for (const r of rows) insert.run(r.testName, r.confidence, r.category, r.timestamp.getTime(), r.failureId, r.ruleScore, r.signalScore, now);
  });
  for (const rows of data) insertBatch(rows);
  db.close();
}

async function rawPg(url: string, schema: string, data: Batch[]): Promise<void> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  for (const rows of data) {
    const params: unknown[] = [];
    const tuples = rows.map((r, i) => {
      params.push(r.testName, r.confidence, r.category, r.timestamp, r.failureId, r.ruleScore, r.signalScore, new Date());
      const b = i * 8;
      return `($${b + 1},$${b + 2},$${b + 3},$${b + 4},$${b + 5},$${b + 6},$${b + 7},$${b + 8})`;
    });
    await client.query(
      `insert into confidence_measurements (test_name, confidence, category, timestamp, failure_id, rule_score, signal_score, created_at) values ${tuples.join(',')}`,
      params,
    );
  }
  await client.end();
}

/** The raw driver's batch insert into an already migrated database of either backend. */
export async function rawInsert(config: DatabaseConfig, data: Batch[]): Promise<void> {
  if (config.backend === 'sqlite') await rawSqlite(config.path, data);
  else await rawPg(config.url, config.schema, data);
}

/**
 * The store's own measurement upsert, validated and one transaction per batch as recordMeasurements
 * does it, but without the summaries: what ingest costs before the summaries are kept current.
 */
async function withoutSummaries(config: DatabaseConfig, data: Batch[]): Promise<void> {
  if (config.backend === 'sqlite') {
    const db = connectSqlite(config.path);
    const upsert = preparedUpsert(db);
    const insertBatch = db.$client.transaction((rows: Batch) => upsert(toMeasurementValues(rows, new Date())));
    for (const rows of data) insertBatch.immediate(rows);
    db.$client.close();
    return;
  }
  const pool = (await connectPg({ ...config, pool: { min: 1, max: 1 } })).$client;
  const client = await pool.connect();
  const db = drizzle({ client, casing: 'snake_case' });
  try {
    for (const rows of data) {
      await client.query('begin');
      await db.execute(
        sql`with added as (${insertRows(confidenceMeasurements, toMeasurementValues(rows, new Date()))} on conflict (test_name, "timestamp") do nothing returning test_name, "timestamp") ${addedOutcome(rows.length)}`,
      );
      await client.query('commit');
    }
  } finally {
    client.release();
    await pool.end();
  }
}

type Side = 'store' | 'without summaries' | 'raw';

/** One timed run into a fresh, migrated database, so no side inserts into another's rows. */
async function run(backend: StorageBackend, side: Side, data: Batch[]): Promise<number> {
  const database = await benchDatabase(backend);
  const store = await openStore(database.config);
  try {
    if (side !== 'store') await store.close();
    const { seconds } = await timed(async () => {
      if (side === 'store') for (const batch of data) await store.recordMeasurements(batch);
      else if (side === 'raw') await rawInsert(database.config, data);
      else await withoutSummaries(database.config, data);
    });
    return seconds;
  } finally {
    if (side === 'store') await store.close();
    await database.destroy();
  }
}

async function benchBackend(backend: StorageBackend) {
  const data = Array.from({ length: batches }, (_, b) => measurementBatch(batchSize, b * batchSize, 1000));
  const rows = batches * batchSize;
  const sides: Side[] = ['store', 'without summaries', 'raw'];
  const seconds: Record<Side, number[]> = { store: [], 'without summaries': [], raw: [] };
  for (let round = 0; round < rounds; round++) {
    // Rotate which side goes first so none always runs on a warmer machine.
    for (let i = 0; i < sides.length; i++) {
      const side = sides[(round + i) % sides.length]!;
      seconds[side].push(await run(backend, side, data));
    }
  }
  const best = (side: Side) => Math.min(...seconds[side]);
  return {
    backend,
    rows,
    'store (best of 3)': rate(rows, best('store')),
    'without summaries (best of 3)': rate(rows, best('without summaries')),
    'raw driver (best of 3)': rate(rows, best('raw')),
    'with / without summaries': (best('without summaries') / best('store')).toFixed(2),
    'store / raw': (best('raw') / best('store')).toFixed(2),
  };
}

export async function benchStoreIngest(): Promise<void> {
  heading(`Store batch ingest: ${batches} batches of ${batchSize} measurements, with and without the summaries and vs the raw driver (aim: with / without >= 0.8)`);
  const results = [];
  for (const backend of backends) results.push(await benchBackend(backend));
  table(results);
}
