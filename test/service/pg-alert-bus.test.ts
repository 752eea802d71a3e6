// Alerts cross instances through PostgreSQL: two buses stand in for two server instances.
import pg from 'pg';
import { describe, expect } from 'vitest';
import { PgAlertBus } from '../../src/service/pg-alert-bus.js';
import type { DriftAlert, NewDriftAlert, Store } from '../../src/store/store.js';
import { storeTest } from '../support/test-stores.js';

const test = storeTest('postgres');

function newAlert(testName: string): NewDriftAlert {
  return {
    testName,
    category: 'ui',
    severity: 'HIGH',
    driftPercentage: 0.3,
    message: `${testName} drifted`,
    recommendations: [],
    createdAt: new Date(),
  };
}

/** Collects what a subscription yields until `count` alerts arrived (or the timeout passes). */
function collect(bus: PgAlertBus, count: number, timeoutMs = 15_000) {
  const controller = new AbortController();
  const received: DriftAlert[] = [];
  const done = (async () => {
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    for await (const alert of bus.subscribe(controller.signal)) {
      received.push(alert);
      if (received.length >= count) break;
    }
    clearTimeout(timer);
    return received;
  })();
  return { done, stop: () => controller.abort() };
}

async function raise(store: Store, bus: PgAlertBus, testName: string) {
  const alert = await store.createAlert(newAlert(testName));
  bus.publish(alert);
  return alert;
}

describe('PostgreSQL alert bus', () => {
  test('an alert raised through one instance reaches the other once', async ({ store, database }) => {
    if (database.config.backend !== 'postgres') throw new Error('postgres only');
    const options = { url: database.config.url, schema: database.config.schema, store };
    const [a, b] = [await PgAlertBus.start(options), await PgAlertBus.start(options)];
    try {
      const onB = collect(b, 3);
      const onA = collect(a, 3);
      const raised = [await raise(store, a, 't1'), await raise(store, b, 't2'), await raise(store, a, 't3')];
      expect((await onB.done).map((x) => x.id)).toStrictEqual(raised.map((x) => x.id));
      expect((await onA.done).map((x) => x.id)).toStrictEqual(raised.map((x) => x.id));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('after its connection is killed the listener reconnects and delivers what it missed, in order, once', async ({ store, database }) => {
    if (database.config.backend !== 'postgres') throw new Error('postgres only');
    const lost: unknown[] = [];
    const options = { url: database.config.url, schema: database.config.schema, store, minDelayMs: 50 };
    const a = await PgAlertBus.start(options);
    const b = await PgAlertBus.start({ ...options, onError: (error) => lost.push(error) });
    const admin = new pg.Client({ connectionString: database.config.url });
    await admin.connect();
    try {
      const onB = collect(b, 5);
      const before = await raise(store, a, 'before');
      // Kill every listener connection of this schema's channel, then raise while they are down.
      await admin.query(
        `select pg_terminate_backend(l.pid) from pg_stat_activity l where l.application_name = 'driftwatch-alerts' and l.pid <> pg_backend_pid()`,
      );
      const during = [await raise(store, a, 'during-1'), await raise(store, a, 'during-2'), await raise(store, a, 'during-3')];
      const after = await raise(store, a, 'after');
      const ids = (await onB.done).map((x) => x.id);
      expect(ids).toStrictEqual([before, ...during, after].map((x) => x.id));
      expect(lost.length).toBeGreaterThan(0);
    } finally {
      await admin.end();
      await Promise.all([a.close(), b.close()]);
    }
  });
});
