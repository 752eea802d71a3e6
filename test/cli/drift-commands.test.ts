// record, analyze, alerts, ack, status and copy as subprocesses against real databases.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { DatabaseConfig } from '../../src/config.js';
import { databaseEnv, runCli } from '../support/run-cli.js';
import { backends, createTestDatabase, gateInserts, storeTest } from '../support/test-stores.js';
import { stepBefore } from '../support/falling-series.js';

const location = (config: DatabaseConfig) =>
  config.backend === 'sqlite' ? config.path : `${config.url}${config.url.includes('?') ? '&' : '?'}schema=${config.schema}`;

for (const backend of backends) {
  describe(`drift commands on ${backend}`, () => {
    const test = storeTest(backend);

    test('record, analyze, alerts, ack and status', async ({ database, store }) => {
      const env = databaseEnv(database.config);
      const now = Date.now();
      await store.recordMeasurements(
        // the detector's warm-up at 0.9, then nine runs at 0.6 (the CLI records the tenth)
        Array.from({ length: stepBefore + 9 }, (_, i) => ({ testName: 'checkout', category: 'payments', confidence: i < stepBefore ? 0.9 : 0.6, timestamp: new Date(now - (stepBefore + 20 - i) * 60_000) })),
      );
      const recorded = await runCli(['record', '--test', 'checkout', '--confidence', '0.6', '--category', 'payments', '--json'], env);
      expect(recorded.code).toBe(0);
      expect(JSON.parse(recorded.stdout)).toMatchObject({ testName: 'checkout', confidence: 0.6, category: 'payments' });
      const bad = await runCli(['record', '--test', 'x', '--confidence', '7'], env);
      expect(bad).toMatchObject({ code: 1, stderr: 'drift: invalid input: 0.confidence: must be between 0 and 1\n' });

      const analyzed = await runCli(['analyze', '--json'], env);
      expect(analyzed.code).toBe(0);
      const outcome = JSON.parse(analyzed.stdout);
      expect(outcome.analyses.map((a: { testName: string; severity: string }) => [a.testName, a.severity])).toStrictEqual([['checkout', 'CRITICAL']]);
      expect(outcome.alerts).toHaveLength(1);
      // Nothing was recorded since: nothing to analyse again, unless asked for every test.
      expect((await runCli(['analyze'], env)).stdout).toMatch(/^0 analysed, 0 alerts raised$/m);
      const human = await runCli(['analyze', '--all'], env);
      expect(human.stdout).toMatch(/checkout\s+CRITICAL\s+DECREASING\s+MEAN_SHIFT\s+33\.3 %/);
      expect(human.stdout).toMatch(/1 analysed, 0 alerts raised$/m);

      const alerts = await runCli(['alerts', '--unacknowledged', '--min-severity', 'HIGH', '--json'], env);
      const [alert] = JSON.parse(alerts.stdout);
      expect(alert).toMatchObject({ testName: 'checkout', severity: 'CRITICAL', acknowledged: false });
      const acked = await runCli(['ack', String(alert.id), '--by', 'ana'], env);
      expect(acked).toMatchObject({ code: 0, stdout: `acknowledged #${alert.id} (checkout, CRITICAL)\n` });
      const again = await runCli(['ack', String(alert.id), '--by', 'bob'], env);
      expect(again.stdout).toMatch(/already acknowledged by ana/);
      expect((await runCli(['ack', '999999'], env))).toMatchObject({ code: 1, stderr: 'drift: no alert with id 999999\n' });
      expect((await runCli(['ack', 'abc'], env)).code).toBe(2);

      const status = await runCli(['status', '--json'], env);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({
        backend,
        tests: 1,
        measurements: stepBefore + 10,
        analyses: 2,
        unacknowledgedAlerts: { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 },
        driftingMost: [{ test: 'checkout', severity: 'CRITICAL', direction: 'DECREASING' }],
      });
    });
  });
}

describe('drift copy', () => {
  const test = storeTest('sqlite');

  test('copies SQLite to PostgreSQL and back with identical content, verified; a second copy needs --merge and adds nothing', async ({ database, store }) => {
    await store.recordMeasurements(Array.from({ length: 300 }, (_, i) => ({ testName: `t${i % 7}`, confidence: (i % 10) / 10, category: i % 2 ? 'ui' : null, timestamp: new Date(Date.UTC(2026, 10, 1, 0, i)) })));
    const alert = await store.createAlert({ testName: 't1', category: 'ui', severity: 'HIGH', driftPercentage: 0.25, message: 'm', recommendations: ['r'], createdAt: new Date() });
    await store.acknowledgeAlert(alert.id, 'ana', new Date());
    // Half the rows go: the history keeps hours 00 and 01 and half of 02, with and without a category.
    await store.cleanup({ measurementsDays: 1, analysisDays: 3650, alertsDays: 3650 }, new Date(Date.UTC(2026, 10, 2, 2, 30)));
    const pg = await createTestDatabase('postgres');
    const back = await createTestDatabase('sqlite');
    try {
      const there = await runCli(['copy', '--from', location(database.config), '--to', location(pg.config), '--json']);
      expect(there.code).toBe(0);
      const result = JSON.parse(there.stdout);
      expect(result.copied).toStrictEqual({ measurements: 150, analyses: 0, alerts: 1, history: 6 });
      expect(result.verified).toBe(true);
      expect(result.verification.map((v: { table: string; sourceChecksum: string; targetChecksum: string }) => [v.table, v.sourceChecksum === v.targetChecksum])).toStrictEqual([
        ['measurements', true],
        ['analyses', true],
        ['alerts', true],
        ['history', true],
      ]);

      const refused = await runCli(['copy', '--from', location(database.config), '--to', location(pg.config)]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/already holds 157 rows: pass --merge/);
      const merged = await runCli(['copy', '--from', location(database.config), '--to', location(pg.config), '--merge', '--json']);
      expect(JSON.parse(merged.stdout)).toMatchObject({ copied: { measurements: 0, analyses: 0, alerts: 0, history: 0 }, verified: true });

      const home = await runCli(['copy', '--from', location(pg.config), '--to', location(back.config), '--json']);
      expect(JSON.parse(home.stdout).verified).toBe(true);
      const copy = await openStore(back.config);
      try {
        expect(await copy.listAlerts({}, { first: 5 })).toStrictEqual(await store.listAlerts({}, { first: 5 }));
      } finally {
        await copy.close();
      }
      expect(there.stdout).not.toMatch(/password/);
    } finally {
      await pg.destroy();
      await back.destroy();
    }
  });

  test('a copy killed half-way is completed by a re-run with --merge', async ({ database, store }) => {
    await store.recordMeasurements(Array.from({ length: 20_000 }, (_, i) => ({ testName: `t${i % 500}`, confidence: 0.5, timestamp: new Date(Date.UTC(2026, 0, 1) + i) })));
    const postgres = await createTestDatabase('postgres');
    if (postgres.config.backend !== 'postgres') throw new Error('a PostgreSQL target');
    const target = await openStore(postgres.config);
    // The copy goes in batches of 5,000, each committed: the row with id 10,001 waits at a gate,
    // so the copy is killed with exactly two batches landed and the third open.
    const gate = await gateInserts(postgres.config, 'confidence_measurements', 'new.id = 10001');
    try {
      const child = spawn(process.execPath, [path.resolve('bin/drift.js'), 'copy', '--from', location(database.config), '--to', location(postgres.config)], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await gate.untilWaiting(() => (child.exitCode === null ? null : `copy exited (${child.exitCode}) before reaching the gate`));
      child.kill('SIGKILL');
      await exited;
      // The open batch rolls back once its backend notices the client is gone.
      await gate.open();
      expect(await target.countRows('measurements')).toBe(10_000);

      const rerun = await runCli(['copy', '--from', location(database.config), '--to', location(postgres.config), '--merge', '--json']);
      expect(rerun.code, rerun.stderr).toBe(0);
      const result = JSON.parse(rerun.stdout);
      expect(result.copied.measurements).toBe(10_000);
      expect(result.verified).toBe(true);
    } finally {
      await gate.end();
      await target.close();
      await postgres.destroy();
    }
  });

  test('an unreachable target ends with one line and exit code 1', async ({ database }) => {
    const result = await runCli(['copy', '--from', location(database.config), '--to', 'postgresql://u:secret-pw@127.0.0.1:1/x']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toContain('secret-pw');
  });
});
