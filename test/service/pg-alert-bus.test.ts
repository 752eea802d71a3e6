// Alerts cross instances through PostgreSQL: two buses stand in for two server instances.
import pg from 'pg';
import { describe, expect } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { startPgAlertBus } from '../../src/service/pg-alert-bus.js';
import type { AlertBus } from '../../src/service/alert-bus.js';
import type { DriftAlert, NewDriftAlert, Store } from '../../src/store/store.js';
import { recordFalling } from '../support/falling-series.js';
import { databaseEnv, runCli } from '../support/run-cli.js';
import { gateInserts, storeTest } from '../support/test-stores.js';

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
function collect(bus: AlertBus, count: number, timeoutMs = 15_000) {
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

async function raise(store: Store, bus: AlertBus, testName: string) {
  const alert = await store.createAlert(newAlert(testName));
  bus.publish(alert);
  return alert;
}

describe('PostgreSQL alert bus', () => {
  test('an alert raised through one instance reaches the other once', async ({ store, database }) => {
    if (database.config.backend !== 'postgres') throw new Error('postgres only');
    const options = { url: database.config.url, schema: database.config.schema, store };
    const [a, b] = [await startPgAlertBus(options), await startPgAlertBus(options)];
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
    const applicationName = `${database.config.applicationName}-alerts`;
    const options = { url: database.config.url, schema: database.config.schema, store, minDelayMs: 50, applicationName };
    const a = await startPgAlertBus(options);
    const b = await startPgAlertBus({ ...options, onError: (error) => lost.push(error) });
    const admin = new pg.Client({ connectionString: database.config.url });
    await admin.connect();
    try {
      const onB = collect(b, 5);
      const before = await raise(store, a, 'before');
      // Kill both listener connections of this test (and nothing else on the server), then raise while they are down.
      await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and datname = current_database()`, [applicationName]);
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

  test('a raiser whose transaction commits late holds back the next one, so no alert is skipped or repeated on either instance', async ({ store, database }) => {
    if (database.config.backend !== 'postgres') throw new Error('postgres only');
    const options = { url: database.config.url, schema: database.config.schema, store };
    const [a, b] = [await startPgAlertBus(options), await startPgAlertBus(options)];
    const second = await openStore(database.config);
    // Inserting an alert for "slow" waits, after the row has drawn its id, until the gate opens.
    const gate = await gateInserts(database.config, 'drift_alerts', "new.test_name = 'slow'");
    const admin = new pg.Client({ connectionString: database.config.url });
    await admin.connect();
    try {
      const onA = collect(a, 3);
      const onB = collect(b, 3);

      const slow = store.createAlert(newAlert('slow'));
      await gate.untilWaiting();
      // A second instance raises while the first raiser's transaction is still open. Without the
      // ordering lock it commits a higher id first, the cursor passes it, and "slow" is never delivered.
      const fast = second.createAlert(newAlert('fast'));
      const fastSettled = await Promise.race([fast.then(() => 'committed'), waitForLockWaiters(admin, database.config.applicationName!, 2).then(() => 'waiting')]);
      await gate.open();
      const raised = [await slow, await fast];
      const sentinel = await store.createAlert(newAlert('sentinel'));

      expect(fastSettled).toBe('waiting');
      expect(raised[1]!.id).toBeGreaterThan(raised[0]!.id);
      const expected = [...raised, sentinel].map((x) => x.testName);
      expect((await onA.done).map((x) => x.testName)).toStrictEqual(expected);
      expect((await onB.done).map((x) => x.testName)).toStrictEqual(expected);
    } finally {
      await gate.end();
      await admin.end();
      await second.close();
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('alerts raised by `drift analyze` in another process reach a listening instance', async ({ store, database }) => {
    if (database.config.backend !== 'postgres') throw new Error('postgres only');
    const bus = await startPgAlertBus({ url: database.config.url, schema: database.config.schema, store });
    try {
      const received = collect(bus, 1);
      await recordFalling(store, 'elsewhere');
      const cli = await runCli(['analyze', '--json'], databaseEnv(database.config));
      expect(cli.code, cli.stderr).toBe(0);
      expect((await received.done).map((x) => x.testName)).toStrictEqual(['elsewhere']);
    } finally {
      await bus.close();
    }
  });
});

/** Resolves once `count` connections of this test's pool wait for a lock. */
async function waitForLockWaiters(admin: pg.Client, applicationName: string, count: number): Promise<void> {
  for (;;) {
    const { rows } = await admin.query(
      `select count(*)::int as waiting from pg_stat_activity where application_name = $1 and datname = current_database() and wait_event_type = 'Lock'`,
      [applicationName],
    );
    if (rows[0].waiting >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
