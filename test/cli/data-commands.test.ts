// The store-facing commands as an operator runs them: real subprocesses, real databases.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test as plainTest } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { databaseEnv, runCli } from '../support/run-cli.js';
import { backends, createTestDatabase, storeTest, testPgUrl } from '../support/test-stores.js';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'driftwatch-cli-'));

for (const backend of backends) {
  describe(`drift CLI on ${backend}`, () => {
    const test = storeTest(backend);

    test('migrate, stats, export, import and cleanup work end to end', async ({ database, store }) => {
      const env = databaseEnv(database.config);
      const migrated = await runCli(['migrate'], env);
      expect(migrated).toMatchObject({ code: 0, stderr: '' });
      expect(migrated.stdout).toMatch(new RegExp(`^migrated ${backend}`));

      const now = Date.now();
      await store.recordMeasurements([
        { testName: 'login', confidence: 0.9, category: 'auth', timestamp: new Date(now - 100 * 86_400_000) },
        { testName: 'login', confidence: 0.7, category: 'auth', timestamp: new Date(now - 1000) },
        { testName: 'cart', confidence: 0.5, category: 'shop', timestamp: new Date(now - 2000) },
      ]);

      const stats = await runCli(['stats', '--category', 'auth', '--json'], env);
      expect(stats.code).toBe(0);
      expect(JSON.parse(stats.stdout)).toStrictEqual({
        totalTests: 1,
        totalMeasurements: 2,
        avgConfidence: expect.closeTo(0.8, 10),
        minConfidence: 0.7,
        maxConfidence: 0.9,
        unacknowledgedAlerts: 0,
      });
      const human = await runCli(['stats'], env);
      expect(human.stdout).toMatch(/^statistic\s+value\n-+\s+-+\ntotalTests\s+2\n/);

      const dir = tempDir();
      const file = path.join(dir, 'backup.json');
      const exported = await runCli(['export', file, '--json'], env);
      expect(exported.code).toBe(0);
      expect(JSON.parse(exported.stdout)).toStrictEqual({ measurements: 3, analyses: 0, alerts: 0, history: 0 });
      expect(JSON.parse(fs.readFileSync(file, 'utf8')).measurements).toHaveLength(3);
      expect(fs.existsSync(`${file}.partial`)).toBe(false);

      const again = await runCli(['import', file, '--json'], env);
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout).inserted).toStrictEqual({ measurements: 0, analyses: 0, alerts: 0, history: 0 });

      const cleaned = await runCli(['cleanup', '--json'], env);
      expect(cleaned.code).toBe(0);
      expect(JSON.parse(cleaned.stdout)).toStrictEqual({ measurements: 1, analyses: 0, alerts: 0 });
      expect(await store.countMeasurements({})).toBe(2);

      const vacuumed = await runCli(['vacuum'], env);
      expect(vacuumed.code).toBe(0);
      expect(vacuumed.stdout).toMatch(/^vacuumed: [\d,]+ -> [\d,]+ bytes\n$/);
    });

    test('import into a fresh database restores every row', async ({ database, store }) => {
      await store.recordMeasurements([{ testName: 'a', confidence: 0.25, timestamp: new Date('2026-11-01T00:00:00Z') }]);
      const file = path.join(tempDir(), 'one.json');
      expect((await runCli(['export', file], databaseEnv(database.config))).code).toBe(0);
      const target = path.join(tempDir(), 'target.db');
      const imported = await runCli(['import', file], { DRIFT_SQLITE_PATH: target });
      expect(imported).toMatchObject({ code: 0, stdout: 'imported 1 measurement, 0 analyses, 0 alerts, 0 history rows (already present: 0)\n' });
      const copy = await openStore({ backend: 'sqlite', path: target });
      try {
        expect((await copy.listMeasurements({}, { first: 5 })).items.map((m) => [m.testName, m.confidence])).toStrictEqual([['a', 0.25]]);
      } finally {
        await copy.close();
      }
    });
  });
}

describe('moving data through JSON with the CLI', () => {
  const test = storeTest('sqlite');

  test('SQLite -> JSON -> PostgreSQL -> JSON gives identical content', async ({ database, store }) => {
    await store.recordMeasurements(Array.from({ length: 40 }, (_, i) => ({ testName: `t${i % 4} ✓`, confidence: i / 40, category: i % 3 ? 'ui' : null, timestamp: new Date(Date.UTC(2026, 10, 1, 0, i)), failureId: i % 5 ? null : `F-${i}` })));
    const alert = await store.createAlert({ testName: 't1 ✓', category: 'ui', severity: 'HIGH', driftPercentage: 0.25, message: 'm', recommendations: ['r'], createdAt: new Date(Date.UTC(2026, 10, 2)) });
    await store.acknowledgeAlert(alert.id, 'ana', new Date(Date.UTC(2026, 10, 3)));
    const dir = tempDir();
    const first = path.join(dir, 'first.json');
    const second = path.join(dir, 'second.json');
    expect((await runCli(['export', first], databaseEnv(database.config))).code).toBe(0);
    const pg = await createTestDatabase('postgres');
    try {
      expect((await runCli(['import', first], databaseEnv(pg.config))).code).toBe(0);
      expect((await runCli(['export', second], databaseEnv(pg.config))).code).toBe(0);
      const content = (file: string) => {
        const { exported_at: _, ...rest } = JSON.parse(fs.readFileSync(file, 'utf8'));
        return rest;
      };
      expect(content(second)).toStrictEqual(content(first));
      expect(content(first).measurements).toHaveLength(40);
    } finally {
      await pg.destroy();
    }
  });
});

describe('drift CLI failures', () => {
  plainTest.each([
    ['an unknown flag', ['stats', '--nope'], {}, 2, /unknown option '--nope'/],
    ['an invalid environment value', ['stats'], { PORT: 'abc' }, 2, /PORT: must be a whole number from 1 to 65535/],
    ['bad retention days', ['cleanup', '--alerts-days', '-3'], {}, 2, /--alerts-days: "-3" is not a whole number/],
    ['a bad --since', ['stats', '--since', 'yesterday-ish'], {}, 2, /--since: "yesterday-ish" is not a date/],
  ])('%s exits 2 with one clear line', async (_what, args, env, code, message) => {
    const result = await runCli(args, { DRIFT_SQLITE_PATH: path.join(tempDir(), 'x.db'), ...env });
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
  });

  plainTest('a missing file exits 1', async () => {
    const result = await runCli(['import', '/nonexistent/file.json'], { DRIFT_SQLITE_PATH: path.join(tempDir(), 'x.db') });
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'drift: /nonexistent/file.json: no such file\n' });
  });

  plainTest('a malformed JSON file exits 1 and imports nothing', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"measurements": [ {"id": 1,');
    const dbPath = path.join(dir, 'x.db');
    const result = await runCli(['import', path.join(dir, 'bad.json')], { DRIFT_SQLITE_PATH: dbPath });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^drift: invalid input: .*not valid JSON/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  plainTest('a wrong password exits 1 with one line and without the password', async () => {
    const url = new URL(testPgUrl());
    url.username = 'nobody_here';
    url.password = 'wrong-secret-pw';
    const result = await runCli(['stats'], { DRIFT_BACKEND: 'postgres', DRIFT_DB_URL: url.toString() });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/nobody_here/);
    expect(result.stderr).not.toContain('wrong-secret-pw');
  });

  plainTest('an unreachable database exits 1 without showing the password', async () => {
    const result = await runCli(['stats'], {
      DRIFT_BACKEND: 'postgres',
      DRIFT_DB_URL: 'postgresql://someone:hunter2-secret@127.0.0.1:1/nowhere',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^drift: cannot open postgres postgresql:\/\/someone:\*\*\*@127\.0\.0\.1:1\/nowhere schema drift: /);
    expect(result.stderr).not.toContain('hunter2-secret');
  });

  plainTest('--help on a command shows examples and exits 0', async () => {
    const result = await runCli(['cleanup', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Examples:');
    expect(result.stdout).toContain('--db-password');
  });
});
