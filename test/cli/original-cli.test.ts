// The CrossBridge CLI's invocations, run as its users' scripts run them, and the small CLI promises
// of issues 9, 10 and 14: --version, read-only commands on a missing file, ack by global id, escaping.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { databaseEnv, runCli } from '../support/run-cli.js';
import { storeTest } from '../support/test-stores.js';
import { stepRows } from '../support/falling-series.js';

const hour = 3_600_000;
const day = 24 * hour;

describe('the original CLI runs as written (sqlite)', () => {
  const test = storeTest('sqlite');

  test('--db-path, status --category --window, analyze <test> --window, alerts --severity moderate --hours, stats --days', async ({ database, store }) => {
    if (database.config.backend !== 'sqlite') throw new Error('sqlite expected');
    const file = database.config.path;
    const now = Date.now();
    // One test falling in the last 20 days, another one 40 days ago only.
    await store.recordMeasurements([
      ...Array.from({ length: 20 }, (_, i) => ({ testName: 'test_login', category: 'auth', confidence: i < 10 ? 0.9 : 0.6, timestamp: new Date(now - (20 - i) * day + hour) })),
      { testName: 'test_old', category: 'ui', confidence: 0.5, timestamp: new Date(now - 40 * day) },
    ]);
    const base = { testName: 'test_login', category: 'auth', driftPercentage: 0.2, recommendations: [] };
    await store.createAlert({ ...base, severity: 'MEDIUM', message: 'recent moderate', createdAt: new Date(now - 2 * hour) });
    await store.createAlert({ ...base, severity: 'LOW', message: 'recent low', createdAt: new Date(now - 3 * hour) });
    await store.createAlert({ ...base, severity: 'CRITICAL', message: 'old critical', createdAt: new Date(now - 48 * hour) });

    const analyzed = await runCli(['analyze', 'test_login', '--window', '30', '--db-path', file, '--json']);
    expect(analyzed.code).toBe(0);
    expect(JSON.parse(analyzed.stdout).analyses.map((a: { testName: string }) => a.testName)).toStrictEqual(['test_login']);
    // A 5-day window sees only the last 5 points: the window really narrows the history.
    const narrow = await runCli(['analyze', 'test_login', '--window', '5', '--db-path', file, '--json']);
    expect(JSON.parse(narrow.stdout).analyses).toMatchObject([{ testName: 'test_login', measurementsCount: 5, trend: 'insufficient_data' }]);

    const alerts = await runCli(['alerts', '--severity', 'moderate', '--hours', '24', '--db-path', file, '--json']);
    expect(alerts.code).toBe(0);
    const listed = JSON.parse(alerts.stdout).map((a: { message: string }) => a.message);
    expect(listed).toContain('recent moderate');
    expect(listed).not.toContain('recent low');
    expect(listed).not.toContain('old critical');
    const unacked = await runCli(['alerts', '--severity', 'MODERATE', '--unacknowledged', '--db-path', file, '--json']);
    expect(JSON.parse(unacked.stdout).map((a: { message: string }) => a.message)).toContain('old critical');

    const stats = await runCli(['stats', '--days', '7', '--db-path', file, '--json']);
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ totalMeasurements: 7 });
    const allStats = await runCli(['stats', '--db-path', file, '--json']);
    expect(JSON.parse(allStats.stdout)).toMatchObject({ totalMeasurements: 21 });

    const status = await runCli(['status', '--category', 'auth', '--window', '30', '--db-path', file, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ category: 'auth', windowDays: 30, tests: 1, measurements: 20 });
    const human = await runCli(['status', '--window', '30', '--db-path', file]);
    expect(human.stdout).toMatch(/drifting most \(last 30 days\)/);

    for (const bad of [
      ['alerts', '--severity', 'severe'],
      ['stats', '--days', 'week'],
      ['status', '--window', '0'],
    ]) {
      const refused = await runCli([...bad, '--db-path', file]);
      expect(refused.code, bad.join(' ')).toBe(2);
      expect(refused.stderr).toContain(bad[1]);
    }
  });

  test('ack takes the API global alert id; "1 alert"; control characters and escape sequences are shown, not run', async ({ database, store }) => {
    const env = databaseEnv(database.config);
    const alert = await store.createAlert({
      testName: 'evil\u001b[2J\u001b]0;owned\u0007name',
      category: null,
      severity: 'HIGH',
      driftPercentage: 0.3,
      message: 'line\nbreak',
      recommendations: [],
      createdAt: new Date(),
    });
    const listed = await runCli(['alerts'], env);
    expect(listed.stdout).not.toContain('\u001b');
    expect(listed.stdout).not.toContain('\u0007');
    expect(listed.stdout).toContain('evil\\e[2J\\e]0;owned\\u{7}name');
    expect(listed.stdout).toContain('line\\nbreak');

    const globalId = Buffer.from(`DriftAlert:${alert.id}`).toString('base64url');
    const acked = await runCli(['ack', globalId, '--by', 'ana'], env);
    expect(acked.code).toBe(0);
    expect(acked.stdout).toBe(`acknowledged #${alert.id} (evil\\e[2J\\e]0;owned\\u{7}name, HIGH)\n`);
    const notAlert = Buffer.from(`Measurement:${alert.id}`).toString('base64url');
    expect(await runCli(['ack', notAlert], env)).toMatchObject({ code: 2 });

    await store.recordMeasurements(stepRows('t', 0.9, 0.5, { spacingMs: hour }));
    const analyzed = await runCli(['analyze'], env);
    expect(analyzed.stdout).toMatch(/^1 analysed, 1 alert raised$/m);
  });

  test('--timestamp errors name --timestamp', async ({ database }) => {
    const bad = await runCli(['record', '--test', 't', '--confidence', '0.5', '--timestamp', 'yesterday'], databaseEnv(database.config));
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringMatching(/^drift: --timestamp: "yesterday" is not a date/) });
  });
});

describe('read-only commands never create a database', () => {
  const test = storeTest('sqlite');

  test('status, stats, alerts, export and copy --from on a missing file fail and create nothing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftwatch-missing-'));
    try {
      const missing = path.join(dir, 'typo.db');
      for (const args of [
        ['status', '--db-path', missing],
        ['stats', '--sqlite-path', missing],
        ['alerts', '--db-path', missing],
        ['export', path.join(dir, 'out.json'), '--db-path', missing],
        ['copy', '--from', missing, '--to', path.join(dir, 'target.db')],
      ]) {
        const result = await runCli(args);
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stderr).toBe(`drift: ${missing}: no such SQLite database (check --sqlite-path / --db-path; \`drift migrate\` creates a new one)\n`);
      }
      expect(fs.readdirSync(dir)).toStrictEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--version prints the package version', async () => {
    const { version } = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string };
    expect(await runCli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });
});

describe('a connection string selects PostgreSQL (postgres)', () => {
  const test = storeTest('postgres');

  test('--db-url alone, DRIFT_DB_URL alone and --db-backend postgresql', async ({ database, store }) => {
    if (database.config.backend !== 'postgres') throw new Error('postgres expected');
    await store.recordMeasurement({ testName: 'only_in_pg', confidence: 0.5 });
    const schema = database.config.schema;
    const byFlag = await runCli(['status', '--db-url', database.config.url, '--db-schema', schema, '--json']);
    expect(byFlag.code).toBe(0);
    expect(JSON.parse(byFlag.stdout)).toMatchObject({ backend: 'postgres', tests: 1 });
    const byEnv = await runCli(['stats', '--json'], { DRIFT_DB_URL: database.config.url, POSTGRES_SCHEMA: schema });
    expect(JSON.parse(byEnv.stdout)).toMatchObject({ totalMeasurements: 1 });
    const spelled = await runCli(['status', '--db-backend', 'postgresql', '--json'], { DRIFT_DB_URL: database.config.url, POSTGRES_SCHEMA: schema });
    expect(JSON.parse(spelled.stdout)).toMatchObject({ backend: 'postgres' });
  });
});
