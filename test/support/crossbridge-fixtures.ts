// The data the original CrossBridge tool made (test/fixtures/crossbridge/README.md), each test
// getting its own writable copy: a SQLite file in a temp folder, or the dump restored into a fresh
// PostgreSQL database that only this test uses.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { testPgUrl, uniqueName } from './test-stores.js';

const run = promisify(execFile);
export const fixtureDir = path.resolve('test/fixtures/crossbridge');
export const fixture = (name: string) => path.join(fixtureDir, name);

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export interface SqliteCopy {
  path: string;
  dir: string;
  destroy(): void;
}

export function copySqliteFixture(): SqliteCopy {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crossbridge-'));
  const file = path.join(dir, 'drift_tracking.db');
  fs.copyFileSync(fixture('crossbridge.db'), file);
  fs.chmodSync(file, 0o644);
  return { path: file, dir, destroy: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface PgCopy {
  /** The fresh database's URL (no schema parameter). */
  url: string;
  /** The original's schema, `drift`. */
  schema: string;
  /** `pg_dump` of the whole database: equal before and after means nothing changed. */
  dump(): Promise<string>;
  destroy(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export async function restorePgFixture(): Promise<PgCopy> {
  const admin = testPgUrl();
  const name = uniqueName('crossbridge');
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = withDatabase(admin, name);
  await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', fixture('crossbridge_pg.sql')]);
  return {
    url,
    schema: 'drift',
    dump: async () => {
      const { stdout } = await run('pg_dump', ['--no-owner', '-d', url], { maxBuffer: 64 * 1024 * 1024 });
      // pg_dump >= 15.14 wraps its output in \restrict / \unrestrict with a random key per run.
      return stdout.replace(/^\\(un)?restrict .*$/gm, '');
    },
    destroy: async () => {
      const dropper = new pg.Client({ connectionString: admin });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists "${name}"`);
      } finally {
        await dropper.end();
      }
    },
  };
}
