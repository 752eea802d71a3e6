// A database made by the original CrossBridge tool (or by anyone else) is never changed by a command
// that merely opens it: every command and the server refuse with one line naming `drift migrate` and copy.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { runCli } from '../support/run-cli.js';
import { copySqliteFixture, restorePgFixture, sha256 } from '../support/crossbridge-fixtures.js';

const refusal = /^drift: .*holds the original CrossBridge drift tables, not adopted yet; nothing was changed\. Adopt them in place with `drift migrate`.*`drift copy --from/;

describe('opening the original layout', () => {
  test('sqlite: status, stats, alerts, analyze, record and serve refuse and leave the file byte-identical', async () => {
    const copy = copySqliteFixture();
    try {
      const before = sha256(copy.path);
      for (const args of [
        ['status'],
        ['stats', '--days', '7'],
        ['alerts', '--severity', 'moderate', '--hours', '24'],
        ['analyze', 'test_09_down006', '--window', '30'],
        ['record', '--test', 't', '--confidence', '0.5'],
        ['export', path.join(copy.dir, 'out.json')],
        ['serve', '--port', '47399'],
      ]) {
        const result = await runCli([...args, '--db-path', copy.path]);
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stderr, args.join(' ')).toMatch(refusal);
        expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      }
      expect(sha256(copy.path)).toBe(before);
      // No -wal or -shm beside it either: journal mode never switched.
      expect(fs.readdirSync(copy.dir)).toStrictEqual(['drift_tracking.db']);
    } finally {
      copy.destroy();
    }
  });

  test('sqlite: an unknown layout is refused by name and left alone', async () => {
    const copy = copySqliteFixture();
    try {
      const other = path.join(copy.dir, 'other.db');
      const db = new Database(other);
      db.exec('create table invoices (id integer primary key, total real)');
      db.close();
      const before = sha256(other);
      const result = await runCli(['status', '--db-path', other]);
      expect(result).toMatchObject({ code: 1 });
      expect(result.stderr).toMatch(/holds tables Driftwatch does not know \(invoices\); nothing was changed/);
      expect(sha256(other)).toBe(before);
    } finally {
      copy.destroy();
    }
  });

  test('postgres: status, stats, alerts and serve refuse and leave the database unchanged', async () => {
    const copy = await restorePgFixture();
    try {
      const before = await copy.dump();
      expect(before).toContain('CREATE TABLE drift.confidence_measurements');
      for (const args of [['status'], ['stats', '--days', '7'], ['alerts', '--severity', 'moderate', '--hours', '24'], ['serve', '--port', '47399']]) {
        const result = await runCli([...args, '--db-url', copy.url, '--db-schema', copy.schema]);
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stderr, args.join(' ')).toMatch(refusal);
      }
      expect(await copy.dump()).toBe(before);
    } finally {
      await copy.destroy();
    }
  });
});
