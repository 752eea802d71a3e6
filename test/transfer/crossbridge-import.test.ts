// `drift import` of the original CrossBridge export and of the seed's minimal layout, and the file
// checks of issue 14 (top level, duplicate ids, string caps, the store's rules before any write).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { databaseEnv, runCli } from '../support/run-cli.js';
import { fixture } from '../support/crossbridge-fixtures.js';
import { backends, storeTest } from '../support/test-stores.js';

function writeJson(value: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftwatch-import-'));
  const file = path.join(dir, 'in.json');
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

for (const backend of backends) {
  describe(`import from CrossBridge on ${backend}`, () => {
    const test = storeTest(backend);

    test("the original's export: every measurement and alert, severities mapped, acknowledgements by alice, naive instants as UTC", async ({ database, store }) => {
      const env = databaseEnv(database.config);
      const result = await runCli(['import', fixture('crossbridge_export.json'), '--json'], env);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toStrictEqual({
        inserted: { measurements: 600, analyses: 0, alerts: 7, history: 0 },
        skipped: { measurements: 0, analyses: 0, alerts: 0, history: 0 },
      });
      expect(await store.countTests({})).toBe(20);
      const alerts = await store.getAlerts([1, 2, 3, 4, 5, 6, 7]);
      expect(alerts.map((a) => [a.id, a.testName, a.severity, a.acknowledgedBy, a.category])).toStrictEqual([
        [1, 'test_17_step', 'CRITICAL', 'alice', null],
        [2, 'test_18_down045', 'CRITICAL', 'alice', null],
        [3, 'test_19_up030', 'CRITICAL', 'alice', null],
        [4, 'test_12_down035', 'HIGH', null, null],
        [5, 'test_14_up020', 'HIGH', null, null],
        [6, 'test_11_down020', 'MEDIUM', null, null],
        [7, 'test_13_up010', 'MEDIUM', null, null],
      ]);
      expect(alerts[0]!.createdAt.toISOString()).toBe('2026-11-25T01:52:09.777Z');
      expect(alerts[0]!.acknowledgedAt?.toISOString()).toBe('2026-11-25T01:52:09.788Z');
      const all = await store.measurementsOfTests(['test_19_up030']);
      expect(all.map((m) => m.timestamp.toISOString())).toContain('2026-10-28T05:11:06.123Z');
      expect(all.every((m) => m.category === 'ui')).toBe(true);

      // Acknowledged alerts stay acknowledged, and `moderate` filters as MEDIUM.
      const moderate = await runCli(['alerts', '--severity', 'moderate', '--unacknowledged', '--json'], env);
      expect(JSON.parse(moderate.stdout).map((a: { id: number }) => a.id).sort()).toStrictEqual([4, 5, 6, 7]);
    });

    test("the seed's minimal layout: no ids, optional scores, naive and offset instants", async ({ database, store }) => {
      const file = writeJson({
        measurements: [
          { test_name: 'login', confidence: 0.9, category: 'auth', timestamp: '2026-11-01 10:00:00.123456' },
          { test_name: 'login', confidence: 0.8, category: 'auth', timestamp: '2026-11-01T11:00:00+02:00', failure_id: 'F-1', rule_score: 0.7, signal_score: 0.6 },
        ],
        alerts: [{ id: 9, test_name: 'login', severity: 'moderate', drift_percentage: 0.1, message: 'm', recommendations: [], created_at: '2026-11-01 12:00:00', acknowledged: 0 }],
      });
      const result = await runCli(['import', file], databaseEnv(database.config));
      expect(result).toMatchObject({ code: 0, stdout: 'imported 2 measurements, 0 analyses, 1 alert, 0 history rows (already present: 0)\n' });
      const rows = await store.measurementsOfTests(['login']);
      expect(rows.map((m) => [m.timestamp.toISOString(), m.failureId, m.ruleScore, m.signalScore])).toStrictEqual([
        ['2026-11-01T09:00:00.000Z', 'F-1', 0.7, 0.6],
        ['2026-11-01T10:00:00.123Z', null, null, null],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
      expect((await store.getAlerts([9]))[0]).toMatchObject({ severity: 'MEDIUM', acknowledged: false, category: null });
    });

    test('a file that is not an export, duplicate ids, oversized messages and impossible dates are refused before anything is written', async ({ database, store }) => {
      const env = databaseEnv(database.config);
      const top = await runCli(['import', writeJson([1, 2, 3])], env);
      expect(top.code).toBe(1);
      expect(top.stderr).toMatch(/must be a JSON object with "measurements", "analyses", "alerts" and\/or "history" arrays/);
      const empty = await runCli(['import', writeJson({ rows: [] })], env);
      expect(empty.stderr).toMatch(/holds no "measurements", "analyses", "alerts" or "history" array/);

      const alert = { test_name: 't', severity: 'LOW', drift_percentage: 0.1, message: 'm', recommendations: [], created_at: '2026-11-01T00:00:00Z', acknowledged: false };
      const valid = Array.from({ length: 2500 }, (_, i) => ({ test_name: `t${i}`, confidence: 0.5, timestamp: '2026-11-01T00:00:00Z' }));
      const bad = await runCli(
        [
          'import',
          writeJson({
            measurements: [...valid, { test_name: 'x', confidence: 0.5, timestamp: '2024-02-30T00:00:00Z' }],
            alerts: [
              { ...alert, id: 1 },
              { ...alert, id: 1 },
              { ...alert, id: 2, message: 'x'.repeat(10_001) },
            ],
          }),
        ],
        env,
      );
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/measurements\.2500\.timestamp/);
      expect(bad.stderr).toMatch(/alerts\.1\.id: 1 is also the id of alerts\.0/);
      expect(bad.stderr).toMatch(/alerts\.2\.message: must be at most 10000 characters/);
      expect(await store.countRows('measurements')).toBe(0);
      expect(await store.countRows('alerts')).toBe(0);
    });
  });
}
