// The API over real HTTP on loopback: ingest through recordMeasurements next to the raw driver,
// and requests per second with latency percentiles for a page of 100 measurements.
import { openStore } from '../src/store/open-store.js';
import type { StorageBackend } from '../src/store/store.js';
import { benchDatabase, heading, measurementBatch, rate, serve, table, timed } from './support.js';
import { rawInsert } from './store-ingest.js';

const batches = Number(process.env.BENCH_HTTP_BATCHES ?? 100);
const batchSize = 1000;
const readSeconds = Number(process.env.BENCH_HTTP_READ_SECONDS ?? 5);
const concurrency = 16;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const mutation = `mutation($input: [RecordMeasurementInput!]!) { recordMeasurements(input: $input) { count } }`;
const rounds = 3;

/**
 * Seconds to post every batch to a fresh server over a fresh database, from `clients` pipelines
 * posting one batch at a time each; leaves the server running.
 */
async function ingestRun(backend: StorageBackend, bodies: string[], clients: number) {
  const database = await benchDatabase(backend);
  await (await openStore(database.config)).close();
  const server = await serve(database.config);
  let next = 0;
  const { seconds } = await timed(() =>
    Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          const result = (await response.json()) as { data?: { recordMeasurements: { count: number } } };
          if (result.data?.recordMeasurements.count !== batchSize) throw new Error(`ingest failed: ${JSON.stringify(result).slice(0, 200)}`);
        }
      }),
    ),
  );
  return { seconds, server, database };
}

/** Seconds for the raw driver to insert the same batches into a fresh, migrated database. */
async function rawRun(backend: StorageBackend, data: ReturnType<typeof measurementBatch>[]) {
  const database = await benchDatabase(backend);
  try {
    await (await openStore(database.config)).close();
    return (await timed(() => rawInsert(database.config, data))).seconds;
  } finally {
    await database.destroy();
  }
}

async function benchBackend(backend: StorageBackend) {
  const data = Array.from({ length: batches }, (_, b) => measurementBatch(batchSize, b * batchSize, 1000));
  const bodies = data.map((rows) =>
    JSON.stringify({ query: mutation, variables: { input: rows.map((r) => ({ ...r, timestamp: r.timestamp.toISOString() })) } }),
  );
  const httpSeconds: number[] = [];
  const concurrentSeconds: number[] = [];
  const rawSeconds: number[] = [];
  let last: Awaited<ReturnType<typeof ingestRun>> | null = null;
  for (let round = 0; round < rounds; round++) {
    for (const [clients, seconds] of [[1, httpSeconds], [4, concurrentSeconds]] as const) {
      if (last) {
        await last.server.close();
        await last.database.destroy();
      }
      last = await ingestRun(backend, bodies, clients);
      seconds.push(last.seconds);
    }
    rawSeconds.push(await rawRun(backend, data));
  }
  const { server, database } = last!;
  try {
    const page = JSON.stringify({ query: `{ measurements(first: 100) { edges { cursor node { id testName confidence timestamp } } } }` });
    const latencies: number[] = [];
    const deadline = Date.now() + readSeconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < deadline) {
          const start = performance.now();
          const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: page });
          await response.arrayBuffer();
          latencies.push(performance.now() - start);
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    const rows = batches * batchSize;
    const http = Math.min(...httpSeconds);
    const concurrent = Math.min(...concurrentSeconds);
    const raw = Math.min(...rawSeconds);
    return {
      backend,
      'raw driver': rate(rows, raw),
      'HTTP, 1 client': rate(rows, http),
      ratio: (raw / http).toFixed(2),
      'HTTP, 4 clients': rate(rows, concurrent),
      'ratio ': (raw / concurrent).toFixed(2),
      'page of 100: req/s': Math.round(latencies.length / readSeconds).toLocaleString('en-US'),
      'p50 ms': percentile(latencies, 50).toFixed(1),
      'p99 ms': percentile(latencies, 99).toFixed(1),
    };
  } finally {
    await server.close();
    await database.destroy();
  }
}

export async function benchHttp(): Promise<void> {
  heading(
    `HTTP: recordMeasurements in ${batches} batches of ${batchSize} vs the raw driver (aim >= 0.5), best of ${rounds} fresh runs; ` +
      `a page of 100 measurements, ${concurrency} concurrent clients for ${readSeconds} s`,
  );
  table([await benchBackend('sqlite'), await benchBackend('postgres')]);
}
