// The database in trouble that is not an outage: a table locked by someone else, a full disk. The
// server answers fast with a coded error that says which, and /ready tells the truth about it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { loadConfig, type DatabaseConfig } from '../../src/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startServer, type RunningServer } from '../../src/server/main.js';
import { createTestDatabase } from '../support/test-stores.js';

const batch = `mutation($input: [RecordMeasurementInput!]!) { recordMeasurements(input: $input) { count } }`;
const rowsFrom = (start: number, count: number, testName = 't') =>
  Array.from({ length: count }, (_, i) => ({ testName, confidence: 0.5, timestamp: new Date(Date.UTC(2026, 10, 1) + (start + i) * 1000).toISOString() }));

async function start(database: DatabaseConfig): Promise<RunningServer> {
  return startServer({ ...loadConfig({}), database, server: { host: '127.0.0.1', port: 0 } }, createLogger({ level: 'silent' }));
}

async function post(server: RunningServer, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string; reason?: string } }[] };
}

async function ready(server: RunningServer) {
  const response = await fetch(new URL('/ready', server.url));
  return { status: response.status, body: (await response.json()) as { status: string } };
}

describe('database pressure', () => {
  it('postgres: a table locked by another session fails writes and reads fast as SERVICE_UNAVAILABLE (locked) while /ready answers', async () => {
    const database = await createTestDatabase('postgres');
    if (database.config.backend !== 'postgres') throw new Error('unreachable');
    const server = await start({ ...database.config, timeouts: { lockMs: 300, statementMs: 60_000 } });
    const holder = new pg.Client({ connectionString: database.config.url });
    await holder.connect();
    try {
      expect(await post(server, batch, { input: rowsFrom(0, 10) })).toStrictEqual({ data: { recordMeasurements: { count: 10 } } });
      await holder.query(`begin; lock table "${database.config.schema}".confidence_measurements in access exclusive mode`);

      // More writers than the pool has connections: none may wait for the lock until the pool is gone.
      const writes = await Promise.all(Array.from({ length: 12 }, (_, i) => post(server, batch, { input: rowsFrom(100 + i * 10, 10) })));
      for (const write of writes) expect(write.errors?.[0]?.extensions).toStrictEqual({ code: 'SERVICE_UNAVAILABLE', reason: 'locked' });
      expect(writes[0]!.errors![0]!.message).toMatch(/Another database session holds a lock/);
      // The overview reads the summaries, which the lock does not cover; a listing reads the table itself.
      expect(await post(server, '{ statistics { totalMeasurements } }')).toStrictEqual({ data: { statistics: { totalMeasurements: 10 } } });
      const read = await post(server, '{ measurements(first: 1) { totalCount } }');
      expect(read.errors?.[0]?.extensions?.reason).toBe('locked');
      expect(await ready(server)).toStrictEqual({ status: 200, body: { status: 'ready' } });

      await holder.query('rollback');
      expect(await post(server, '{ statistics { totalMeasurements } }')).toStrictEqual({ data: { statistics: { totalMeasurements: 10 } } });
    } finally {
      await holder.end();
      await server.close();
      await database.destroy();
    }
  });

  it('sqlite: a full disk is SERVICE_UNAVAILABLE (disk-full), /ready says so, and both recover once space is freed', async () => {
    // A small file system of its own (tmpfs: this machine's tests run as root) that the test can fill.
    const mount = fs.mkdtempSync(path.join(os.tmpdir(), 'driftwatch-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mount]);
    const server = await start({ backend: 'sqlite', path: path.join(mount, 'drift.db') });
    try {
      expect(await post(server, batch, { input: rowsFrom(0, 10) })).toStrictEqual({ data: { recordMeasurements: { count: 10 } } });
      const free = fs.statfsSync(mount).bavail * fs.statfsSync(mount).bsize;
      fs.writeFileSync(path.join(mount, 'filler'), Buffer.alloc(free - 8 * 1024));

      let full: Awaited<ReturnType<typeof post>> | null = null;
      for (let i = 1; i <= 50 && !full; i++) {
        const answer = await post(server, batch, { input: rowsFrom(i * 1000, 1000, `big-${i}`) });
        if (answer.errors) full = answer;
      }
      expect(full?.errors?.[0]?.extensions).toStrictEqual({ code: 'SERVICE_UNAVAILABLE', reason: 'disk-full' });
      expect(full?.errors?.[0]?.message).toMatch(/disk is full/);
      expect(await ready(server)).toStrictEqual({ status: 503, body: { status: 'disk full' } });
      expect(await post(server, '{ statistics { totalTests } }')).toMatchObject({ data: { statistics: { totalTests: expect.any(Number) } } });

      fs.rmSync(path.join(mount, 'filler'));
      expect(await post(server, batch, { input: rowsFrom(0, 10, 'after') })).toStrictEqual({ data: { recordMeasurements: { count: 10 } } });
      expect(await ready(server)).toStrictEqual({ status: 200, body: { status: 'ready' } });
    } finally {
      await server.close();
      execFileSync('umount', [mount]);
      fs.rmSync(mount, { recursive: true, force: true });
    }
  });
});
