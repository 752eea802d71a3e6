// What only PostgreSQL has: tenant schemas, real column types for Grafana, concurrent migration.
import pg from 'pg';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgMigrationsFolder } from '../../src/db/pg/connect.js';
import { PgStore } from '../../src/store/pg-store.js';
import { dropSchema, testPgUrl, uniqueName } from '../support/test-stores.js';

const pool = { min: 0, max: 2 };

describe('PostgreSQL schemas', () => {
  let client: pg.Client;
  const created: string[] = [];
  const open = async (schema: string) => {
    created.push(schema);
    return PgStore.open({ url: testPgUrl(), schema, pool });
  };

  beforeAll(async () => {
    client = new pg.Client({ connectionString: testPgUrl() });
    await client.connect();
  });

  afterAll(async () => {
    await client.end();
    for (const schema of created) await dropSchema(testPgUrl(), schema);
  });

  it('keeps two tenants on one database apart', async () => {
    const [a, b] = await Promise.all([open(uniqueName('tenant_a')), open(uniqueName('tenant_b'))]);
    try {
      await a.recordMeasurement({ testName: 'only-in-a', confidence: 0.5 });
      await b.recordMeasurements([
        { testName: 'only-in-b', confidence: 0.5, timestamp: new Date('2026-11-01T00:00:00Z') },
        { testName: 'only-in-b', confidence: 0.6, timestamp: new Date('2026-11-01T00:10:00Z') },
      ]);
      expect((await a.listTests({}, { first: 10 })).items.map((t) => t.testName)).toStrictEqual(['only-in-a']);
      expect((await b.listTests({}, { first: 10 })).items.map((t) => t.testName)).toStrictEqual(['only-in-b']);
      expect([await a.countMeasurements({}), await b.countMeasurements({})]).toStrictEqual([1, 2]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('creates the schema with its tables, real column types and its own migration journal', async () => {
    const schema = uniqueName('types');
    const store = await open(schema);
    await store.close();
    const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string }>(
      `select table_name, column_name, data_type from information_schema.columns
       where table_schema = $1 and column_name in ('timestamp', 'acknowledged', 'recommendations', 'confidence', 'hash')
       order by table_name, column_name`,
      [schema],
    );
    expect(rows.map((r) => `${r.table_name}.${r.column_name}: ${r.data_type}`)).toStrictEqual([
      '__drizzle_migrations.hash: text',
      'confidence_measurements.confidence: double precision',
      'confidence_measurements.timestamp: timestamp with time zone',
      'drift_alerts.acknowledged: boolean',
      'drift_alerts.recommendations: jsonb',
      'drift_analysis.recommendations: jsonb',
    ]);
  });

  it('answers the seed’s Grafana-style SQL directly', async () => {
    const schema = uniqueName('grafana');
    const store = await open(schema);
    try {
      await store.recordMeasurement({ testName: 'login', confidence: 0.8, category: 'auth' });
      await store.createAlert({
        testName: 'login',
        category: 'auth',
        severity: 'HIGH',
        driftPercentage: 0.25,
        message: 'login drifted',
        recommendations: ['look'],
        createdAt: new Date(),
      });
      const recent = await client.query(
        `select test_name, confidence from "${schema}".confidence_measurements where timestamp between now() - interval '1 hour' and now()`,
      );
      expect(recent.rows).toStrictEqual([{ test_name: 'login', confidence: 0.8 }]);
      const open = await client.query(`select severity, count(*)::int as n from "${schema}".drift_alerts where acknowledged = false group by severity`);
      expect(open.rows).toStrictEqual([{ severity: 'HIGH', n: 1 }]);
    } finally {
      await store.close();
    }
  });

  it('refuses a schema name that is not a plain identifier before running any SQL', async () => {
    const bad = 'drift"; drop schema public; --';
    await expect(PgStore.open({ url: testPgUrl(), schema: bad, pool })).rejects.toThrow(/Invalid PostgreSQL schema/);
    const { rows } = await client.query(`select count(*)::int as n from pg_namespace where nspname like 'drift"%'`);
    expect(rows[0].n).toBe(0);
  });

  it('lets several instances migrate the same schema at once', async () => {
    const schema = uniqueName('race');
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(schema)));
    try {
      await stores[0]!.recordMeasurement({ testName: 'x', confidence: 0.5 });
      expect(await stores[3]!.countMeasurements({})).toBe(1);
      const journal = await client.query(`select count(*)::int as n from "${schema}".__drizzle_migrations`);
      // Each migration applied once, however many instances raced to apply it.
      expect(journal.rows[0].n).toBe(readMigrationFiles({ migrationsFolder: pgMigrationsFolder }).length);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('fails with a clear error, without the password, when the server refuses the login', async () => {
    const url = new URL(testPgUrl());
    url.username = 'no_such_user';
    url.password = 'hunter2-secret';
    const error = (await PgStore.open({ url: url.toString(), schema: 'drift', pool }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/no_such_user|authentication|does not exist/);
    expect(error.message).not.toContain('hunter2-secret');
  });
});
