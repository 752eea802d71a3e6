// Connections killed under a write load, and a shutdown in the middle of a batch: every write the
// server acknowledged is stored whole, and nothing it did not acknowledge is stored at all.
import pg from 'pg';
import { describe, expect } from 'vitest';
import { startServerProcess } from '../support/server-process.js';
import { databaseEnv } from '../support/run-cli.js';
import { gateInserts, storeTest } from '../support/test-stores.js';

const test = storeTest('postgres');
const mutation = `mutation($input: [RecordMeasurementInput!]!) { recordMeasurements(input: $input) { count } }`;
// Each row its own instant: a test and instant recorded twice is one measurement.
const batchOf = (tag: string, size: number) =>
  Array.from({ length: size }, (_, i) => ({ testName: tag, confidence: (i % 10) / 10, timestamp: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString() }));

async function send(url: string, tag: string, size: number): Promise<'stored' | 'refused'> {
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: mutation, variables: { input: batchOf(tag, size) } }) });
    const body = (await response.json()) as { data?: { recordMeasurements?: { count: number } }; errors?: { extensions?: { code?: string } }[] };
    if (body.data?.recordMeasurements?.count === size) return 'stored';
    expect(body.errors?.[0]?.extensions?.code).toBeDefined();
    return 'refused';
  } catch {
    return 'refused'; // the connection itself went away
  }
}

describe('resilience', () => {
  test('killing database connections during a write load loses no acknowledged write and stores no refused one', async ({ database, store }) => {
    if (database.config.backend !== 'postgres') throw new Error('postgres only');
    const server = await startServerProcess(databaseEnv(database.config));
    const admin = new pg.Client({ connectionString: database.config.url });
    await admin.connect();
    const outcomes = new Map<string, 'stored' | 'refused'>();
    try {
      // Each kill waits for one more acknowledged batch, so every kill lands in the middle of a load
      // that is really being written, however slow the machine.
      let acknowledged = 0;
      let onAcknowledged = () => {};
      const nextAcknowledged = () => new Promise<void>((resolve) => (onAcknowledged = resolve));
      let writing = true;
      const writers = Array.from({ length: 6 }, async (_, w) => {
        for (let n = 0; writing; n++) {
          const tag = `w${w}-b${n}`;
          const outcome = await send(server.url, tag, 200);
          outcomes.set(tag, outcome);
          if (outcome === 'stored') (acknowledged++, onAcknowledged());
        }
      });
      for (let kill = 0; kill < 5; kill++) {
        await nextAcknowledged();
        await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and datname = current_database()`, [database.config.applicationName]);
      }
      writing = false;
      await Promise.all(writers);
      expect(acknowledged).toBeGreaterThanOrEqual(5);
      // The service recovers by itself once the connections are back.
      expect(await send(server.url, 'after', 10)).toBe('stored');
      outcomes.set('after', 'stored');

      const counts = new Map((await store.listTests({}, { first: 500 })).items.map((t) => [t.testName, t.measurementsCount]));
      for (let page = await store.listTests({}, { first: 500 }); page.hasNextPage; ) {
        page = await store.listTests({}, { first: 500, after: page.items.at(-1)!.testName });
        for (const t of page.items) counts.set(t.testName, t.measurementsCount);
      }
      const stored = [...outcomes].filter(([, o]) => o === 'stored');
      for (const [tag] of stored) expect(counts.get(tag), tag).toBe(tag === 'after' ? 10 : 200);
      for (const [tag, outcome] of outcomes) if (outcome === 'refused') expect(counts.get(tag) ?? 0, tag).toBe(0);
      expect([...counts.keys()].every((tag) => outcomes.has(tag))).toBe(true);
    } finally {
      await admin.end();
      await server.stop();
    }
  });

  test('SIGTERM during a batch: the batch lands whole or not at all, and the server exits cleanly', async ({ database, store }) => {
    if (database.config.backend !== 'postgres') throw new Error('postgres only');
    const server = await startServerProcess(databaseEnv(database.config));
    // The batch's rows wait at a gate inside the database: the signal provably arrives mid-batch.
    const gate = await gateInserts(database.config, 'confidence_measurements');
    try {
      const inFlight = send(server.url, 'big', 10_000);
      await gate.untilWaiting();
      const exitCode = server.stop(); // SIGTERM goes out now, while the insert waits at the gate
      await gate.open();
      const outcome = await inFlight;
      expect(await exitCode).toBe(0);
      expect(await store.countMeasurements({ testName: 'big' })).toBe(outcome === 'stored' ? 10_000 : 0);
    } finally {
      await gate.end();
    }
  });
});
