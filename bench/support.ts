// Shared bits of the benchmark programs: real databases in temp places, timing and printing.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DatabaseConfig } from '../src/config.js';
import type { StorageBackend } from '../src/store/store.js';

export const benchPgUrl = process.env.DRIFT_BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export interface BenchDatabase {
  config: DatabaseConfig;
  destroy(): Promise<void>;
}

export async function benchDatabase(backend: StorageBackend): Promise<BenchDatabase> {
  const tag = crypto.randomBytes(4).toString('hex');
  if (backend === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftwatch-bench-'));
    return {
      config: { backend: 'sqlite', path: path.join(dir, 'bench.db') },
      destroy: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `bench_${tag}`;
  return {
    config: { backend: 'postgres', url: benchPgUrl, schema, pool: { min: 1, max: 10 } },
    destroy: async () => {
      const client = new pg.Client({ connectionString: benchPgUrl });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    },
  };
}

export async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const start = process.hrtime.bigint();
  const result = await work();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, result };
}

export function rate(rows: number, seconds: number): string {
  return `${Math.round(rows / seconds).toLocaleString('en-US')} rows/s`;
}

export function heading(title: string): void {
  console.log(`\n## ${title}`);
}

export function table(rows: Record<string, string | number>[]): void {
  console.table(rows);
}

/** Samples resident memory while work runs and reports the peak above the starting point. */
export async function peakMemory<T>(work: () => Promise<T>): Promise<{ result: T; peakMiB: number; startMiB: number }> {
  global.gc?.();
  const startRss = process.memoryUsage().rss;
  let peak = startRss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakMiB: (peak - startRss) / 2 ** 20, startMiB: startRss / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

export function measurementBatch(size: number, offset: number, tests: number) {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  return Array.from({ length: size }, (_, i) => {
    const n = offset + i;
    return {
      testName: `suite.test_${n % tests}`,
      confidence: ((n * 7919) % 1000) / 1000,
      category: `category_${n % 10}`,
      timestamp: new Date(t0 + n * 1000),
      failureId: n % 10 === 0 ? `F-${n}` : null,
      ruleScore: 0.5,
      signalScore: 0.25,
    };
  });
}
