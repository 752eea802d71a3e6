// Batch ingest through the Store against the raw driver doing the same inserts, in the same run.
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStore } from '../src/store/open-store.js';
import type { DatabaseConfig } from '../src/config.js';
import type { StorageBackend } from '../src/store/store.js';
import { benchDatabase, heading, measurementBatch, rate, table, timed } from './support.js';

const batchSize = 1000;
const batches = Number(process.env.BENCH_INGEST_BATCHES ?? 200);
const rounds = 3;

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

/** One timed run into a fresh, migrated database, so neither side inserts into the other's rows. */
async function run(backend: StorageBackend, side: 'store' | 'raw', data: Batch[]): Promise<number> {
  const database = await benchDatabase(backend);
  const store = await openStore(database.config);
  try {
    if (side === 'raw') await store.close();
    const { seconds } = await timed(async () => {
      if (side === 'store') for (const batch of data) await store.recordMeasurements(batch);
      else await rawInsert(database.config, data);
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
  const seconds = { store: [] as number[], raw: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    // Alternate which side goes first so neither always runs on a warmer machine.
    const order = round % 2 === 0 ? (['store', 'raw'] as const) : (['raw', 'store'] as const);
    for (const side of order) seconds[side].push(await run(backend, side, data));
  }
  const storeSeconds = Math.min(...seconds.store);
  const rawSeconds = Math.min(...seconds.raw);
  return {
    backend,
    rows,
    'store (best of 3)': rate(rows, storeSeconds),
    'raw driver (best of 3)': rate(rows, rawSeconds),
    'store / raw': (rawSeconds / storeSeconds).toFixed(2),
  };
}

export async function benchStoreIngest(): Promise<void> {
  heading(`Store batch ingest: ${batches} batches of ${batchSize} measurements, vs the raw driver (aim: ratio >= 0.8)`);
  table([await benchBackend('sqlite'), await benchBackend('postgres')]);
}
