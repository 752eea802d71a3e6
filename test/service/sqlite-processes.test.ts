// Two processes on one SQLite file (two servers, or a server and a cron'd `drift analyze`) decide on
// the same tests' alerts. The per-test decision must hold across processes, not just within one.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { databaseEnv, runCli } from '../support/run-cli.js';
import { createTestDatabase } from '../support/test-stores.js';
import { stepRows } from '../support/falling-series.js';

const tests = 300;

describe('two processes on one SQLite file', () => {
  it('analysing the same falling tests at once raise one alert per test between them', async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const store = await openStore(database.config);
      const now = Date.now();
      await store.recordMeasurements(
        Array.from({ length: tests }, (_, t) => stepRows(`t${String(t).padStart(3, '0')}`, 0.9, 0.5, { end: now })).flat(),
      );
      await store.close();

      const env = databaseEnv(database.config);
      const runs = await Promise.all([runCli(['analyze', '--json'], env), runCli(['analyze', '--json'], env)]);
      for (const run of runs) expect(run.code, run.stderr).toBe(0);

      const db = new Database(database.config.backend === 'sqlite' ? database.config.path : '', { readonly: true });
      try {
        const perTest = db.prepare('select test_name, count(*) as n from drift_alerts group by test_name having n <> 1').all();
        expect(perTest).toStrictEqual([]);
        expect(db.prepare('select count(distinct test_name) as n from drift_alerts').get()).toStrictEqual({ n: tests });
      } finally {
        db.close();
      }
    } finally {
      await database.destroy();
    }
  });
});
