// Shared bits of the benchmark programs: real databases in temp places, timing and printing.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
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

// Flags for the served process's node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the
// server under a bench (NODE_OPTIONS refuses --cpu-prof).
const serverNodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * `drift serve` in its own process, so the load generator does not share the server's CPU.
 * Resolves once /ready answers; start-up includes the migrations, which over millions of rows may
 * take minutes, so it waits up to `startMs` and gives up at once if the process exits.
 */
export async function serve(config: DatabaseConfig, startMs = 10_000): Promise<{ url: string; close(): Promise<void> }> {
  const port = await freePort();
  const env =
    config.backend === 'sqlite'
      ? { DRIFT_BACKEND: 'sqlite', DRIFT_SQLITE_PATH: config.path }
      : { DRIFT_BACKEND: 'postgres', DRIFT_DB_URL: config.url, POSTGRES_SCHEMA: config.schema };
  const child = spawn(process.execPath, [...serverNodeArgs, 'bin/drift.js', 'serve', '--port', String(port)], {
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + startMs;
  for (;;) {
    if (exited) throw new Error(`the server exited during start-up with code ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/ready`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`the server was not ready after ${startMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
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
