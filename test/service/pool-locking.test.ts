// The per-test lock and the work under it share one connection: no analysis ever needs two
// connections from the pool at once, so a pool of one cannot deadlock and a busy pool cannot
// starve the lock holders.
import { describe, expect } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openStore } from '../../src/store/open-store.js';
import { InProcessAlertBus } from '../../src/service/alert-bus.js';
import { StoreDriftService } from '../../src/service/store-drift-service.js';
import { recordFalling } from '../support/falling-series.js';
import { storeTest } from '../support/test-stores.js';

const test = storeTest('postgres');

// lock_timeout bounds advisory-lock waits too (the per-test lock, the alert ordering lock): the
// analyses wait for each other under the limits a server really runs with.
const productionDatabase = loadConfig({ DRIFT_BACKEND: 'postgres' }).database;
const productionTimeouts = productionDatabase.backend === 'postgres' ? productionDatabase.timeouts : undefined;

describe('alerts under the per-test lock on PostgreSQL', () => {
  test('a pool of one connection raises the alert', async ({ database }) => {
    if (database.config.backend !== 'postgres') throw new Error('postgres only');
    const store = await openStore({ ...database.config, pool: { min: 0, max: 1 }, timeouts: productionTimeouts });
    try {
      await recordFalling(store, 'single');
      const service = new StoreDriftService(store, new InProcessAlertBus(), { lookbackDays: 30 });
      const outcome = await service.analyze({ testNames: ['single'] });
      expect(outcome.alerts.map((a) => [a.testName, a.severity])).toStrictEqual([['single', 'CRITICAL']]);
      expect(await store.countAlerts({})).toBe(1);
    } finally {
      await store.close();
    }
  });

  test('50 concurrent analyses of different falling tests on the default pool raise every alert exactly once', async ({ database }) => {
    if (database.config.backend !== 'postgres') throw new Error('postgres only');
    const store = await openStore({ ...database.config, pool: { min: 0, max: 10 }, timeouts: productionTimeouts });
    try {
      const names = Array.from({ length: 50 }, (_, i) => `falling-${String(i).padStart(2, '0')}`);
      for (const name of names) await recordFalling(store, name);
      const service = new StoreDriftService(store, new InProcessAlertBus(), { lookbackDays: 30 });
      const outcomes = await Promise.all(names.map((name) => service.analyze({ testNames: [name] })));
      expect(outcomes.flatMap((o) => o.alerts.map((a) => a.testName)).sort()).toStrictEqual(names);
      const stored = await store.listAlerts({}, { first: 100 });
      expect(stored.items.map((a) => a.testName).sort()).toStrictEqual(names);
    } finally {
      await store.close();
    }
  });
});
