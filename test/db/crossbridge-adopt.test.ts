// `drift migrate` adopts the original CrossBridge database in place (SQLite with a backup, PostgreSQL
// schema), keeping every row, id, acknowledgement and instant; a second run changes nothing; the
// adopted data then works with every command and the Grafana panels. `copy --from` reads the original
// without changing it.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { InProcessAlertBus } from '../../src/service/alert-bus.js';
import { StoreDriftService } from '../../src/service/store-drift-service.js';
import { createYoga } from '../../src/server/yoga.js';
import type { Store } from '../../src/store/store.js';
import { defaultApiConfig } from '../support/test-api.js';
import { runCli } from '../support/run-cli.js';
import { copySqliteFixture, fixture, restorePgFixture, sha256 } from '../support/crossbridge-fixtures.js';

const expectedAlerts = [
  [1, 'test_17_step', 'CRITICAL', true, 'alice'],
  [2, 'test_18_down045', 'CRITICAL', true, 'alice'],
  [3, 'test_19_up030', 'CRITICAL', true, 'alice'],
  [4, 'test_12_down035', 'HIGH', false, null],
  [5, 'test_14_up020', 'HIGH', false, null],
  [6, 'test_11_down020', 'MEDIUM', false, null],
  [7, 'test_13_up010', 'MEDIUM', false, null],
];

async function expectAdopted(store: Store): Promise<void> {
  expect([await store.countRows('measurements'), await store.countRows('analyses'), await store.countRows('alerts')]).toStrictEqual([600, 20, 7]);
  expect(await store.countTests({})).toBe(20);
  const alerts = await store.getAlerts([1, 2, 3, 4, 5, 6, 7]);
  expect(alerts.map((a) => [a.id, a.testName, a.severity, a.acknowledged, a.acknowledgedBy])).toStrictEqual(expectedAlerts);
  const [first] = await store.getMeasurements([1]);
  expect(first).toMatchObject({ testName: 'test_00_stable', category: 'auth' });
  const analyses = await store.latestAnalyses(['test_16_volatile', 'test_18_down045']);
  const byTest = Object.fromEntries(analyses.map((a) => [a.testName, a]));
  // The original's signed drift is a magnitude here; the sign lives in direction.
  expect(byTest.test_18_down045).toMatchObject({ severity: 'CRITICAL', direction: 'DECREASING', trend: 'degrading' });
  expect(byTest.test_18_down045!.driftPercentage).toBeGreaterThan(0.3);
  // volatile direction -> STABLE, and the word survives as the trend.
  if (byTest.test_16_volatile) expect(byTest.test_16_volatile).toMatchObject({ direction: 'STABLE', trend: 'volatile' });
  // New rows continue after the adopted ids.
  const recorded = await store.recordMeasurement({ testName: 'after_adoption', confidence: 0.5 });
  expect(recorded.id).toBe(601);
}

/** The API over the adopted data: alerts with their acknowledgements, and analyzeDrift on the history. */
async function expectServed(store: Store): Promise<void> {
  const alerts = new InProcessAlertBus();
  const drift = new StoreDriftService(store, alerts, { lookbackDays: 3650 });
  const yoga = createYoga({ store, drift, alerts, config: { ...defaultApiConfig, allowAnonymous: true } });
  const gql = async (query: string) => {
    const response = await yoga.fetch('http://yoga/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    return (await response.json()) as { data: any; errors?: unknown };
  };
  try {
    const acknowledged = await gql('{ alerts(filter: { acknowledged: true }) { totalCount edges { node { acknowledgedBy severity } } } }');
    expect(acknowledged.errors).toBeUndefined();
    expect(acknowledged.data.alerts.totalCount).toBe(3);
    expect(acknowledged.data.alerts.edges.map((e: { node: unknown }) => e.node)).toStrictEqual(Array(3).fill({ acknowledgedBy: 'alice', severity: 'CRITICAL' }));
    const analyzed = await gql('mutation { analyzeDrift(input: { testNames: ["test_18_down045", "test_00_stable"] }) { analyses { testName severity direction stored } } }');
    expect(analyzed.errors).toBeUndefined();
    expect(analyzed.data.analyzeDrift.analyses).toStrictEqual([
      { testName: 'test_00_stable', severity: 'NONE', direction: 'STABLE', stored: true },
      // Its whole history is one 30-run slide from 0.90 to 0.45: all of it the detector's warm-up, so
      // the fall is learnt as its baseline and can only be watched (LOW) until later runs show more.
      { testName: 'test_18_down045', severity: 'LOW', direction: 'DECREASING', stored: true },
    ]);
  } finally {
    await alerts.close();
    await yoga.dispose();
  }
}

describe('adopting the original SQLite file', () => {
  test('migrate keeps a byte copy, converts everything once, and a second migrate changes nothing', async () => {
    const copy = copySqliteFixture();
    try {
      const original = sha256(fixture('crossbridge.db'));
      const first = await runCli(['migrate', '--db-path', copy.path]);
      expect(first).toMatchObject({ code: 0, stderr: '' });
      expect(first.stdout).toBe(
        `adopted the CrossBridge database sqlite ${copy.path}: 600 measurements, 20 analyses, 7 alerts (the original is kept as ${copy.path}.before-driftwatch)\n` +
          `migrated sqlite ${copy.path}\n`,
      );
      expect(sha256(`${copy.path}.before-driftwatch`)).toBe(original);

      const adopted = sha256(copy.path);
      const second = await runCli(['migrate', '--db-path', copy.path]);
      expect(second).toMatchObject({ code: 0, stdout: `migrated sqlite ${copy.path}\n` });
      expect(sha256(copy.path)).toBe(adopted);

      const alerts = await runCli(['alerts', '--severity', 'moderate', '--unacknowledged', '--db-path', copy.path, '--json']);
      expect(JSON.parse(alerts.stdout).map((a: { id: number }) => a.id)).toStrictEqual([7, 6, 5, 4]);

      const store = await openStore({ backend: 'sqlite', path: copy.path });
      try {
        const [alert] = await store.getAlerts([1]);
        expect(alert!.createdAt.toISOString()).toBe('2026-11-25T01:52:09.777Z');
        expect(alert!.acknowledgedAt!.toISOString()).toBe('2026-11-25T01:52:09.788Z');
        expect((await store.getMeasurements([1]))[0]!.timestamp.toISOString()).toBe('2026-10-28T05:30:06.123Z');
        await expectAdopted(store);
        await expectServed(store);
      } finally {
        await store.close();
      }
      const analyzed = await runCli(['analyze', 'test_18_down045', '--window', '3650', '--db-path', copy.path, '--json']);
      expect(JSON.parse(analyzed.stdout).analyses).toMatchObject([{ testName: 'test_18_down045', direction: 'DECREASING' }]);
    } finally {
      copy.destroy();
    }
  });

  test('--no-backup writes no copy; an existing backup is never overwritten', async () => {
    const copy = copySqliteFixture();
    try {
      fs.writeFileSync(`${copy.path}.before-driftwatch`, 'an earlier backup');
      const before = sha256(copy.path);
      const refused = await runCli(['migrate', '--db-path', copy.path]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(`drift: ${copy.path}.before-driftwatch already exists: move it away first, or pass --no-backup\n`);
      expect(sha256(copy.path)).toBe(before);
      fs.rmSync(`${copy.path}.before-driftwatch`);
      expect((await runCli(['migrate', '--no-backup', '--db-path', copy.path])).code).toBe(0);
      expect(fs.readdirSync(copy.dir).filter((f) => f.includes('before'))).toStrictEqual([]);
    } finally {
      copy.destroy();
    }
  });

  test('copy --from the unadopted original reads it and leaves it byte-identical', async () => {
    const copy = copySqliteFixture();
    try {
      const before = sha256(copy.path);
      const target = path.join(copy.dir, 'target.db');
      const result = await runCli(['copy', '--from', copy.path, '--to', target, '--json']);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ copied: { measurements: 600, analyses: 20, alerts: 7 }, verified: true });
      expect(sha256(copy.path)).toBe(before);
      expect(fs.readdirSync(copy.dir).sort()).toStrictEqual(['drift_tracking.db', 'target.db', 'target.db-shm', 'target.db-wal'].filter((f) => fs.existsSync(path.join(copy.dir, f))));
      const store = await openStore({ backend: 'sqlite', path: target });
      try {
        await expectAdopted(store);
      } finally {
        await store.close();
      }
    } finally {
      copy.destroy();
    }
  });
});

describe('adopting the original PostgreSQL schema', () => {
  test('migrate converts in one go with microseconds kept; a second migrate changes nothing; the Grafana panels run', async () => {
    const copy = await restorePgFixture();
    const client = new pg.Client({ connectionString: copy.url });
    await client.connect();
    try {
      const flags = ['--db-url', copy.url, '--db-schema', copy.schema];
      const first = await runCli(['migrate', ...flags]);
      expect(first).toMatchObject({ code: 0, stderr: '' });
      expect(first.stdout).toMatch(/^adopted the CrossBridge database postgres .* schema drift: 600 measurements, 20 analyses, 7 alerts\nmigrated /);
      const instants = await client.query(
        `select (select "timestamp"::text from drift.confidence_measurements where id = 1) as measured,
                (select created_at::text from drift.drift_alerts where id = 1) as raised,
                (select acknowledged_at::text from drift.drift_alerts where id = 1) as acknowledged,
                (select count(*)::int from drift.drift_metadata where key = 'schema_version') as metadata,
                (select count(*)::int from pg_namespace where nspname like 'drift_crossbridge%') as staging`,
      );
      expect(instants.rows[0]).toStrictEqual({
        measured: '2026-10-28 05:30:06.123457+00',
        raised: expect.stringMatching(/^2026-11-25 01:52:\d\d\.\d{6}\+00$/),
        acknowledged: expect.stringMatching(/^2026-11-25 01:52:\d\d\.\d{6}\+00$/),
        metadata: 1,
        staging: 0,
      });

      const adopted = await copy.dump();
      expect((await runCli(['migrate', ...flags])).stdout).toMatch(/^migrated postgres/);
      expect(await copy.dump()).toBe(adopted);

      const store = await openStore({ backend: 'postgres', url: copy.url, schema: copy.schema, pool: { min: 0, max: 2 } });
      try {
        await expectAdopted(store);
        await expectServed(store);
      } finally {
        await store.close();
      }

      // The dashboard's panels run on the adopted schema, table names unchanged.
      const dashboard = JSON.parse(fs.readFileSync('grafana/dashboards/driftwatch.json', 'utf8')) as { panels: { targets: { rawSql: string }[] }[] };
      for (const panel of dashboard.panels) {
        const sql = panel.targets[0]!.rawSql.replaceAll('${schema}', copy.schema)
          .replace(/\$__timeGroupAlias\((\w+), \$__interval\)/g, 'floor(extract(epoch from $1)/3600)*3600 AS "time"')
          .replace(/\$__timeFilter\((\w+)\)/g, `$1 BETWEEN '2026-10-01T00:00:00Z' AND '2026-12-01T00:00:00Z'`);
        const result = await client.query(sql);
        expect(result.rows.length, sql).toBeGreaterThan(0);
      }
      const unacknowledged = await client.query('select id from drift.drift_alerts where not acknowledged order by id');
      expect(unacknowledged.rows.map((r) => Number(r.id))).toStrictEqual([4, 5, 6, 7]);
    } finally {
      await client.end();
      await copy.destroy();
    }
  });

  test('copy --from the unadopted original schema reads it read-only into SQLite; the schema is unchanged', async () => {
    const copy = await restorePgFixture();
    const target = copySqliteFixture();
    try {
      const before = await copy.dump();
      const into = path.join(target.dir, 'target.db');
      const result = await runCli(['copy', '--from', `${copy.url}?schema=${copy.schema}`, '--to', into, '--json']);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toMatchObject({ copied: { measurements: 600, analyses: 20, alerts: 7 }, verified: true });
      expect(await copy.dump()).toBe(before);
      const store = await openStore({ backend: 'sqlite', path: into });
      try {
        await expectAdopted(store);
        expect((await store.getMeasurements([1]))[0]!.timestamp.toISOString()).toBe('2026-10-28T05:30:06.123Z');
      } finally {
        await store.close();
      }
    } finally {
      target.destroy();
      await copy.destroy();
    }
  });
});
