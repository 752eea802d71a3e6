// Issue 12's dashboard questions at scale: a database seeded in SQL at the schema of migration
// 0002, then `drift serve` migrates it to whatever the code holds (summaries, on the new code) and
// answers over real HTTP. Prints the start-up, each question's latency, analyzeDrift full,
// incremental and full again, the tables' sizes, and recordMeasurements against the raw driver's upsert.
import fs from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import pg from 'pg';
import type { DatabaseConfig } from '../src/config.js';
import type { StorageBackend } from '../src/store/store.js';
import { benchDatabase, heading, rate, serve, table, timed } from './support.js';

const scaleSizes: Record<StorageBackend, { rows: number; tests: number }> = {
  postgres: { rows: Number(process.env.BENCH_SCALE_PG_ROWS ?? 10_000_000), tests: Number(process.env.BENCH_SCALE_PG_TESTS ?? 100_000) },
  sqlite: { rows: Number(process.env.BENCH_SCALE_SQLITE_ROWS ?? 1_000_000), tests: Number(process.env.BENCH_SCALE_SQLITE_TESTS ?? 10_000) },
};
const backends = (process.env.BENCH_SCALE_BACKENDS ?? 'postgres,sqlite').split(',') as StorageBackend[];

/** The schema every database in the field has before issue 12; `serve` applies whatever follows. */
const seedMigrations = 3;
const stepMs = 10 * 60_000;
const categories = ['ui', 'api', 'unit', 'integration', 'e2e'];
const pgChunk = 1_000_000;
const repeats = 5;
const batchSize = 1000;
const ingestBatchCount = 100;
/** Issue 12's incremental case: 10,000 new rows touching 1,000 tests. */
const touchedTests = 1000;
const newRowsPerTest = 10;

const columns = 'test_name, confidence, category, "timestamp", failure_id, rule_score, signal_score, created_at';
const upsertSet =
  'confidence = excluded.confidence, category = excluded.category, failure_id = excluded.failure_id, ' +
  'rule_score = excluded.rule_score, signal_score = excluded.signal_score';

/** Test t's measurements sit in slots 0..perTest-1, `stepMs` apart, the last one at `end`; slots past it are new rows. */
export interface Scale {
  backend: StorageBackend;
  rows: number;
  tests: number;
  perTest: number;
  end: number;
  stepMs: number;
}

const instant = (scale: Scale, slot: number) => scale.end - (scale.perTest - 1 - slot) * scale.stepMs;
export const testName = (t: number) => `suite.test_${String(t).padStart(6, '0')}`;
export const categoryOf = (t: number) => categories[t % categories.length]!;
const categorySql = `case t % ${categories.length} ${categories.map((c, i) => `when ${i} then '${c}'`).join(' ')} end`;

/**
 * The seed's select list over (g, t, slot), the same SQL on both dialects but for the name and
 * instant: confidence 0.85 ± 0.05 (a quadratic hash, so no test's noise is a straight line), and
 * over their last fifth every 20th test falls by 0.25 and the next by 0.10, so a full analysis
 * finds CRITICAL and MEDIUM drift; one measurement in 50 carries a failure id.
 */
function seedSelect(scale: Scale, name: string, at: string): string {
  const noise = '((t * 104729 + slot * 7919 + slot * slot * 31) % 1001) / 10000.0 - 0.05';
  const fall = `case when slot >= ${Math.floor(scale.perTest * 0.8)} then (case t % 20 when 0 then 0.25 when 1 then 0.10 else 0 end) else 0 end`;
  return `${name}, 0.85 + ${noise} - ${fall}, ${categorySql}, ${at}, case when g % 50 = 0 then 'F-' || g end, 0.5, 0.25, ${at}`;
}

const migrationsFolder = (dialect: 'pg' | 'sqlite') => fileURLToPath(new URL(`../drizzle/${dialect}`, import.meta.url));

export function pgClient(config: Extract<DatabaseConfig, { backend: 'postgres' }>): pg.Client {
  return new pg.Client({ connectionString: config.url, options: `-c search_path=${config.schema}`, application_name: 'driftwatch-bench-scale' });
}

/** Migrations 0000..0002 recorded as drizzle's migrator records them, then the rows, in SQL. */
export async function seed(config: DatabaseConfig, scale: Scale): Promise<{ load: number; vacuum: number }> {
  const migrations = readMigrationFiles({ migrationsFolder: migrationsFolder(config.backend === 'sqlite' ? 'sqlite' : 'pg') }).slice(0, seedMigrations);
  if (config.backend === 'sqlite') {
    const db = new Database(config.path);
    try {
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)');
      for (const migration of migrations) {
        for (const statement of migration.sql) db.exec(statement);
        db.prepare('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)').run(migration.hash, migration.folderMillis);
      }
      const insert = db.prepare(
        `insert into confidence_measurements (${columns})
         with recursive s(g) as (select 0 union all select g + 1 from s where g < ${scale.rows - 1})
         select ${seedSelect(scale, "'suite.test_' || printf('%06d', t)", `${scale.end} - (${scale.perTest - 1} - slot) * ${scale.stepMs}`)}
         from (select g, g % ${scale.tests} as t, g / ${scale.tests} as slot from s)`,
      );
      const { seconds } = await timed(async () => db.transaction(() => insert.run())());
      // No ANALYZE: SQLite does not gather statistics by itself, so a database in the field has none.
      return { load: seconds, vacuum: 0 };
    } finally {
      db.close();
    }
  }
  const client = pgClient(config);
  await client.connect();
  try {
    await client.query(`create schema "${config.schema}"`);
    await client.query('CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)');
    for (const migration of migrations) {
      for (const statement of migration.sql) await client.query(statement);
      await client.query('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES ($1, $2)', [migration.hash, migration.folderMillis]);
    }
    // In time order, as the rows arrive in the field, so the indexes grow as theirs do; a
    // statement per million rows keeps each transaction's WAL and locks moderate.
    const insert = `insert into confidence_measurements (${columns})
      select ${seedSelect(scale, "'suite.test_' || lpad(t::text, 6, '0')", `$3::timestamptz - (${scale.perTest - 1} - slot) * interval '${scale.stepMs / 1000} seconds'`)}
      from (select g, g % ${scale.tests} as t, g / ${scale.tests} as slot from generate_series($1::bigint, $2::bigint) as g) as s`;
    const load = await timed(async () => {
      for (let from = 0; from < scale.rows; from += pgChunk) {
        await client.query(insert, [from, Math.min(from + pgChunk, scale.rows) - 1, new Date(scale.end)]);
      }
    });
    // A database that grew over months has been vacuumed and analysed by autovacuum; without this
    // the planner would guess and the visibility map would be empty.
    const vacuum = await timed(() => client.query('vacuum (analyze) confidence_measurements'));
    return { load: load.seconds, vacuum: vacuum.seconds };
  } finally {
    await client.end();
  }
}

// node:http rather than fetch: undici gives up on response headers after 300 s, and a full
// analyzeDrift over 100,000 tests on the old code takes about two minutes on a good day.
const agent = new http.Agent({ keepAlive: true });

async function post<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const body = JSON.stringify({ query, variables });
  const text = await new Promise<string>((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve(Buffer.concat(chunks).toString()));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
  const result = JSON.parse(text) as { data?: T; errors?: unknown };
  if (result.errors || !result.data) throw new Error(`${query.replace(/\s+/g, ' ').slice(0, 80)}: ${text.slice(0, 400)}`);
  return result.data;
}

/** What the code being measured offers: the new code adds `all` and `analyzedTests`. */
async function analyzeFeatures(url: string): Promise<{ all: boolean; analyzedTests: boolean }> {
  const data = await post<{ input: { inputFields: { name: string }[] }; payload: { fields: { name: string }[] } }>(
    url,
    '{ input: __type(name: "AnalyzeDriftInput") { inputFields { name } } payload: __type(name: "AnalyzeDriftPayload") { fields { name } } }',
  );
  return {
    all: data.input.inputFields.some((f) => f.name === 'all'),
    analyzedTests: data.payload.fields.some((f) => f.name === 'analyzedTests'),
  };
}

/** One timed analyzeDrift; the old payload lists every analysis, so it selects only their ids. */
async function analyze(url: string, features: { all: boolean; analyzedTests: boolean }, pass: string, all: boolean) {
  const input = all && features.all ? '(input: { all: true })' : '';
  const selection = features.analyzedTests ? 'analyzedTests' : 'analyses { id }';
  const { seconds, result } = await timed(() =>
    post<{ analyzeDrift: { analyzedTests?: number; analyses?: unknown[] } }>(url, `mutation { analyzeDrift${input} { ${selection} } }`),
  );
  const tests = result.analyzeDrift.analyzedTests ?? result.analyzeDrift.analyses!.length;
  return { pass, 'tests analysed': tests.toLocaleString('en-US'), seconds: seconds.toFixed(2), 'tests/s': Math.round(tests / seconds).toLocaleString('en-US') };
}

/** How many stored analyses reach each severity: shows the seed drifts as meant, old code and new alike. */
async function severityCounts(url: string): Promise<string> {
  const severities = ['NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
  const count = (s: string) => `${s}: analyses(first: 1, filter: { minSeverity: ${s} }) { totalCount }`;
  const data = await post<Record<string, { totalCount: number }>>(url, `{ ${severities.map(count).join(' ')} }`);
  // Each count is "at least"; the difference to the next severity up is "exactly".
  return severities.map((s, i) => `${s} ${data[s]!.totalCount - (data[severities[i + 1] ?? ''] ?? { totalCount: 0 }).totalCount}`).join(', ');
}

/** Median, min and max of `repeats` runs after one warm-up. */
async function ask(url: string, question: string, query: string, variables: Record<string, unknown> = {}) {
  await post(url, query, variables);
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await post(url, query, variables);
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  return { question, 'median ms': ms[Math.floor(repeats / 2)]!.toFixed(1), 'min ms': ms[0]!.toFixed(1), 'max ms': ms[repeats - 1]!.toFixed(1) };
}

export async function dashboardQuestions(url: string) {
  const stats = '{ totalTests totalMeasurements avgConfidence minConfidence maxConfidence }';
  const test = '{ testName measurementsCount averageConfidence latestConfidence firstSeen lastSeen }';
  const since = new Date(Date.now() - 86_400_000).toISOString();
  const questions: [string, string, Record<string, unknown>?][] = [
    ['statistics', `{ statistics ${stats} }`],
    ['statistics(category, since: 1 day ago)', `query($since: DateTime) { statistics(category: "api", since: $since) ${stats} }`, { since }],
    ['tests(first: 100) { totalCount … }', `{ tests(first: 100) { totalCount edges { node ${test} } } }`],
    ['tests(first: 100, category) { totalCount … }', `{ tests(first: 100, category: "api") { totalCount edges { node ${test} } } }`],
    [
      'page of 100 of one test with totalCount',
      `query($t: String) { measurements(first: 100, filter: { testName: $t }) { totalCount edges { node { id confidence timestamp } } } }`,
      { t: testName(0) },
    ],
    ['driftAnalysis of one test', `query($t: String!) { driftAnalysis(testName: $t) { severity driftPercentage pValue trend } }`, { t: testName(0) }],
    ['tests(first: 100) { latestAnalysis }', `{ tests(first: 100) { edges { node { testName latestAnalysis { severity } } } } }`],
    ['open alerts (first 100)', `{ alerts(first: 100, filter: { acknowledged: false }) { totalCount edges { node { testName severity message } } } }`],
    [
      'analyses with severity >= HIGH (first 100)',
      `{ analyses(first: 100, filter: { minSeverity: HIGH }) { totalCount edges { node { testName severity driftPercentage } } } }`,
    ],
  ];
  const rows = [];
  for (const [question, query, variables] of questions) rows.push(await ask(url, question, query, variables));
  return rows;
}

const recordMutation = 'mutation($input: [RecordMeasurementInput!]!) { recordMeasurements(input: $input) { count } }';

interface Row {
  testName: string;
  confidence: number;
  category: string;
  timestamp: number;
}

async function record(url: string, rows: Row[]): Promise<void> {
  const input = rows.map((r) => ({ ...r, timestamp: new Date(r.timestamp).toISOString(), ruleScore: 0.5, signalScore: 0.25 }));
  const { recordMeasurements } = await post<{ recordMeasurements: { count: number } }>(url, recordMutation, { input });
  if (recordMeasurements.count !== rows.length) throw new Error(`recordMeasurements stored ${recordMeasurements.count} of ${rows.length}`);
}

/** The new rows of the incremental pass: `newRowsPerTest` batches, each one CI run of the touched tests. */
function touchedBatches(scale: Scale): Row[][] {
  const touched = Math.min(touchedTests, scale.tests);
  const spacing = Math.floor(scale.tests / touched);
  return Array.from({ length: newRowsPerTest }, (_, j) =>
    Array.from({ length: touched }, (_, k) => {
      const t = k * spacing;
      return { testName: testName(t), confidence: 0.8 + (k % 10) / 100, category: categoryOf(t), timestamp: instant(scale, scale.perTest + j) };
    }),
  );
}

/**
 * The ingest rows: test/time pairs past the incremental ones; `shiftMs` gives the raw driver the
 * same rows five minutes later, so both sides insert new pairs into the same table.
 */
function ingestBatches(scale: Scale, shiftMs: number): Row[][] {
  return Array.from({ length: ingestBatchCount }, (_, b) =>
    Array.from({ length: batchSize }, (_, i) => {
      const n = b * batchSize + i;
      const t = n % scale.tests;
      const slot = scale.perTest + newRowsPerTest + Math.floor(n / scale.tests);
      return { testName: testName(t), confidence: 0.85 + (n % 10) / 100, category: categoryOf(t), timestamp: instant(scale, slot) + shiftMs };
    }),
  );
}

/** The raw driver's fastest plain upsert: one statement per batch (unnest on PostgreSQL). */
async function rawUpsert(config: DatabaseConfig, batches: Row[][]): Promise<number> {
  if (config.backend === 'sqlite') {
    const db = new Database(config.path);
    db.pragma('busy_timeout = 5000');
    try {
      const statement = db.prepare(
        `insert into confidence_measurements (${columns}) values (?, ?, ?, ?, null, 0.5, 0.25, ?)
         on conflict (test_name, "timestamp") do update set ${upsertSet}`,
      );
      const upsert = db.transaction((rows: Row[]) => {
        const now = Date.now();
        for (const r of rows) statement.run(r.testName, r.confidence, r.category, r.timestamp, now);
      });
      return (await timed(async () => batches.forEach((rows) => upsert(rows)))).seconds;
    } finally {
      db.close();
    }
  }
  const client = pgClient(config);
  await client.connect();
  try {
    const upsert = `insert into confidence_measurements (${columns})
      select u.*, null, 0.5, 0.25, now() from unnest($1::text[], $2::float8[], $3::text[], $4::timestamptz[]) as u
      on conflict (test_name, "timestamp") do update set ${upsertSet}`;
    const { seconds } = await timed(async () => {
      for (const rows of batches) {
        await client.query(upsert, [rows.map((r) => r.testName), rows.map((r) => r.confidence), rows.map((r) => r.category), rows.map((r) => new Date(r.timestamp))]);
      }
    });
    return seconds;
  } finally {
    await client.end();
  }
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/** Each table with its indexes (and TOAST on PostgreSQL), largest first, and the total. */
async function tableSizes(config: DatabaseConfig): Promise<{ table: string; MiB: string }[]> {
  let sizes: { name: string; bytes: number }[];
  if (config.backend === 'sqlite') {
    const db = new Database(config.path, { readonly: true });
    try {
      sizes = db
        .prepare(
          `select coalesce(m.tbl_name, d.name) as name, sum(d.pgsize) as bytes
           from dbstat as d left join sqlite_master as m on m.name = d.name group by 1 order by 2 desc`,
        )
        .all() as { name: string; bytes: number }[];
    } finally {
      db.close();
    }
  } else {
    const client = pgClient(config);
    await client.connect();
    try {
      // relkind r: plain tables and partitions (a partitioned parent holds no rows itself).
      const { rows } = await client.query<{ name: string; bytes: string }>(
        `select c.relname as name, pg_total_relation_size(c.oid) as bytes from pg_class as c
         join pg_namespace as n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind in ('r', 'm') order by 2 desc`,
        [config.schema],
      );
      sizes = rows.map((r) => ({ name: r.name, bytes: Number(r.bytes) }));
    } finally {
      await client.end();
    }
  }
  const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
  return [...sizes.map((s) => ({ table: s.name, MiB: mib(s.bytes) })), { table: 'total', MiB: mib(total) }];
}

async function benchBackend(backend: StorageBackend): Promise<void> {
  const { rows, tests } = scaleSizes[backend];
  if (rows % tests !== 0) throw new Error(`${backend}: ${rows} rows do not divide among ${tests} tests`);
  const scale: Scale = { backend, rows, tests, perTest: rows / tests, end: Date.now(), stepMs };
  heading(`Scale, ${backend}: ${rows.toLocaleString('en-US')} measurements over ${tests.toLocaleString('en-US')} tests, one per 10 minutes`);
  const database = await benchDatabase(backend);
  let server: Awaited<ReturnType<typeof serve>> | null = null;
  try {
    const seeded = await seed(database.config, scale);
    // The migrations to the current schema run in `serve`: on the new code they backfill the summaries.
    const started = await timed(() => serve(database.config, 3_600_000));
    server = started.result;
    table([
      {
        'load (SQL)': `${seeded.load.toFixed(1)} s`,
        'load rate': rate(rows, seeded.load),
        'vacuum analyze': `${seeded.vacuum.toFixed(1)} s`,
        'start + migrate': `${started.seconds.toFixed(1)} s`,
      },
    ]);
    const features = await analyzeFeatures(server.url);
    console.log(`analyzeDrift: input.all ${features.all ? 'present' : 'absent'}, payload.analyzedTests ${features.analyzedTests ? 'present' : 'absent'}`);
    // First, so the questions about analyses and alerts find what a running service would hold.
    const full = await analyze(server.url, features, 'all tests', true);
    console.log(`stored analyses by severity after it: ${await severityCounts(server.url)}`);
    table(await dashboardQuestions(server.url));
    const touched = touchedBatches(scale);
    for (const batch of touched) await record(server.url, batch);
    const newRows = `${(touched.length * touched[0]!.length).toLocaleString('en-US')} new rows on ${touched[0]!.length.toLocaleString('en-US')} tests`;
    const incremental = await analyze(server.url, features, `after ${newRows}`, false);
    // The first pass builds every test's detector state from its points; a later full pass continues them.
    const again = await analyze(server.url, features, 'all tests again (detector states kept)', true);
    table([full, incremental, again]);
    table(await tableSizes(database.config));

    const httpSeconds = (await timed(async () => {
      for (const batch of ingestBatches(scale, 0)) await record(server!.url, batch);
    })).seconds;
    const rawSeconds = await rawUpsert(database.config, ingestBatches(scale, 5 * 60_000));
    const ingested = ingestBatchCount * batchSize;
    table([
      {
        ingest: `${ingestBatchCount} batches of ${batchSize} into the seeded database`,
        'recordMeasurements (HTTP)': rate(ingested, httpSeconds),
        'raw upsert': rate(ingested, rawSeconds),
        'HTTP / raw': (rawSeconds / httpSeconds).toFixed(2),
      },
    ]);
  } finally {
    await server?.close();
    await database.destroy();
  }
}

export async function benchScale(): Promise<void> {
  for (const backend of backends) await benchBackend(backend);
}
