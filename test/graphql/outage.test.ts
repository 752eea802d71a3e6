// PostgreSQL going away mid-service: clear errors while it is gone, recovery on its own when it returns.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { InProcessAlertBus } from '../../src/service/alert-bus.js';
import { StoreDriftService } from '../../src/service/store-drift-service.js';
import { createYoga } from '../../src/server/yoga.js';
import { PgStore } from '../../src/store/pg-store.js';
import { defaultApiConfig } from '../support/test-api.js';
import { testPgUrl, uniqueName } from '../support/test-stores.js';

describe('a database outage', () => {
  it('answers SERVICE_UNAVAILABLE while the database refuses connections and recovers when it accepts them again', async () => {
    // A database of its own, so refusing connections touches no other test.
    const name = uniqueName('outage');
    const admin = new pg.Client({ connectionString: testPgUrl() });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(testPgUrl());
    url.pathname = `/${name}`;
    const store = await PgStore.open({ url: url.toString(), schema: 'drift', pool: { min: 0, max: 2 } });
    const alerts = new InProcessAlertBus();
    const yoga = createYoga({ store, alerts, drift: new StoreDriftService(store, alerts, { lookbackDays: 30 }), config: defaultApiConfig });
    const ask = async () => {
      const response = await yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation { recordMeasurement(input: { testName: "t", confidence: 0.5 }) { testName } }' }),
      });
      return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions: { code: string } }[] } };
    };
    try {
      expect((await ask()).body.data).toStrictEqual({ recordMeasurement: { testName: 't' } });

      await admin.query(`alter database ${name} allow_connections false`);
      await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1`, [name]);
      const during = await ask();
      expect(during.status).toBe(200);
      // (The compiled executor reports where by path; it attaches no source locations.)
      expect(during.body.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/^The database is unavailable right now; try again shortly\. A write under way may or may not have been stored: recording the same measurements again is safe/),
        extensions: { code: 'SERVICE_UNAVAILABLE' },
        path: ['recordMeasurement'],
      });

      await admin.query(`alter database ${name} allow_connections true`);
      expect((await ask()).body.data).toStrictEqual({ recordMeasurement: { testName: 't' } });
      expect(await store.countMeasurements({})).toBe(2);
    } finally {
      await alerts.close();
      await yoga.dispose();
      await store.close();
      await admin.query(`alter database ${name} allow_connections true`);
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
