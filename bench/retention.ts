// Issue 12's retention aim on PostgreSQL: the oldest month of a table spanning 100 days deleted by
// `cleanup`, on the plain table (rows deleted one by one) and on the same rows partitioned by month
// (the month's partition dropped), each in a schema of its own seeded alike. Prints the conversion
// (`drift migrate --partition month`), the cleanup, how long another instance's batches wait
// meanwhile, the table's size before and after, and the next day's cleanup of a daily retention.
import type { DatabaseConfig } from '../src/config.js';
import { repartitionPg } from '../src/db/pg/connect.js';
import { nextPeriod, periodStart, type MeasurementsLayout } from '../src/db/pg/partition-periods.js';
import { PgStore } from '../src/store/pg-store.js';
import { categoryOf, pgClient, seed, testName, type Scale } from './scale.js';
import { benchDatabase, heading, table, timed } from './support.js';

const rows = Number(process.env.BENCH_RETENTION_ROWS ?? 10_000_000);
const tests = Number(process.env.BENCH_RETENTION_TESTS ?? 100_000);
const layouts = (process.env.BENCH_RETENTION_LAYOUTS ?? 'off,month').split(',') as MeasurementsLayout[];
const dayMs = 86_400_000;

/** The measurements table with its indexes, every partition included. */
async function measurementsMiB(config: Extract<DatabaseConfig, { backend: 'postgres' }>): Promise<string> {
  const client = pgClient(config);
  await client.connect();
  try {
    const { rows: found } = await client.query<{ bytes: string }>(
      `select coalesce(sum(pg_total_relation_size(c.oid)), 0) as bytes from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relkind = 'r' and c.relname like 'confidence\\_measurements%'`,
      [config.schema],
    );
    return (Number(found[0]!.bytes) / 2 ** 20).toFixed(1);
  } finally {
    await client.end();
  }
}

async function retentionOf(layout: MeasurementsLayout, scale: Scale): Promise<Record<string, string>> {
  const database = await benchDatabase('postgres');
  const config = database.config;
  if (config.backend !== 'postgres') throw new Error('PostgreSQL only');
  try {
    await seed(config, scale);
    // The first start migrates the seeded schema and fills the summaries.
    await (await PgStore.open(config)).close();
    const converted = layout === 'off' ? null : await timed(() => repartitionPg(config, layout, () => {}));
    const store = await PgStore.open(config);
    try {
      // The cutoff on the first instant of the second month holding rows: the oldest month goes whole.
      const cutoff = nextPeriod(periodStart(new Date(scale.end - (scale.perTest - 1) * scale.stepMs), 'month'), 'month');
      const retentionDays = 90;
      const before = await measurementsMiB(config);
      // A CI pipeline posting a run of 1,000 tests at a time throughout, from another instance: how
      // long its batches wait while the cleanup holds the measurements and mends the summaries.
      const writer = await PgStore.open(config);
      const waits: number[] = [];
      let writing = true;
      const posting = (async () => {
        for (let run = 0; writing; run++) {
          const at = new Date(Date.now() + run);
          const batch = Array.from({ length: 1000 }, (_, i) => {
            const t = (run * 1000 + i) % tests;
            return { testName: testName(t), category: categoryOf(t), confidence: 0.9, timestamp: at };
          });
          waits.push((await timed(() => writer.recordMeasurements(batch))).seconds);
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const posted = waits.length;
      const cleaned = await timed(() => store.cleanup({ measurementsDays: retentionDays, analysisDays: 30, alertsDays: 60 }, new Date(cutoff.getTime() + retentionDays * dayMs)));
      writing = false;
      await posting;
      await writer.close();
      const during = waits.slice(posted).sort((a, b) => a - b);
      // The overview after the cleanup, which rewrote every touched test's summary: its first answer
      // (which may open a connection too), then the median of five more.
      const counted = await timed(() => store.statistics({}));
      const again: number[] = [];
      for (let i = 0; i < 5; i++) again.push((await timed(() => store.statistics({}))).seconds);
      again.sort((a, b) => a - b);
      // The next day's run of a daily retention: the first day of the month after goes, and that
      // month's summaries are counted again from what it keeps.
      const nextDay = await timed(() =>
        store.cleanup({ measurementsDays: retentionDays, analysisDays: 30, alertsDays: 60 }, new Date(cutoff.getTime() + (retentionDays + 1) * dayMs)),
      );
      return {
        layout,
        'convert (migrate --partition)': converted === null ? '-' : `${converted.seconds.toFixed(1)} s`,
        'rows deleted': cleaned.result.measurements.toLocaleString('en-US'),
        cleanup: `${cleaned.seconds.toFixed(2)} s`,
        'batches of 1,000 meanwhile: median, longest': `${during.length}: ${(during[Math.floor(during.length / 2)]! * 1000).toFixed(0)} ms, ${(during[during.length - 1]! * 1000).toFixed(0)} ms`,
        'rows left (summaries)': counted.result.totalMeasurements.toLocaleString('en-US'),
        'statistics after: first, median of 5': `${(counted.seconds * 1000).toFixed(1)} ms, ${(again[2]! * 1000).toFixed(1)} ms`,
        'a day later: rows deleted, cleanup': `${nextDay.result.measurements.toLocaleString('en-US')}, ${nextDay.seconds.toFixed(2)} s`,
        'MiB before': before,
        'MiB after': await measurementsMiB(config),
      };
    } finally {
      await store.close();
    }
  } finally {
    await database.destroy();
  }
}

export async function benchRetention(): Promise<void> {
  if (rows % tests !== 0) throw new Error(`${rows} rows do not divide among ${tests} tests`);
  const perTest = rows / tests;
  // The first day on the first of a month, so the oldest month is a whole one, a month or more ago.
  const first = periodStart(new Date(Date.now() - (perTest + 31) * dayMs), 'month').getTime();
  const scale: Scale = { backend: 'postgres', rows, tests, perTest, end: first + (perTest - 1) * dayMs, stepMs: dayMs };
  heading(`Retention, postgres: the oldest month of ${rows.toLocaleString('en-US')} measurements over ${tests.toLocaleString('en-US')} tests, one a day`);
  const rowsOfTable = [];
  for (const layout of layouts) rowsOfTable.push(await retentionOf(layout, scale));
  table(rowsOfTable);
}
