// Instances starting together take turns at the migrations: the one that waits must wait as long as
// the other's migrations take, whatever DRIFT_PG_LOCK_TIMEOUT_MS says about the API's statements.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase } from '../support/test-stores.js';

const lockMs = 200;

describe('the migration lock', () => {
  it('is waited for past the lock timeout while another instance migrates', async () => {
    const database = await createTestDatabase('postgres');
    if (database.config.backend !== 'postgres') throw new Error('unreachable');
    const config = { ...database.config, timeouts: { lockMs, statementMs: 60_000 } };
    // Another instance in the middle of migrating this schema: it holds the migration lock.
    const other = new pg.Client({ connectionString: config.url });
    await other.connect();
    let store: Store | null = null;
    try {
      await other.query('select pg_advisory_lock(hashtext($1))', [`driftwatch.migrate.${config.schema}`]);
      let failure: unknown = null;
      const opening = openStore(config).then(
        (opened) => (store = opened),
        (error: unknown) => (failure = error),
      );
      // Hold the lock until the opener has waited for it twice as long as its lock timeout (or failed).
      const waitedLong = async () =>
        (
          await other.query(
            `select 1 from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock' and now() - query_start > $2 * interval '1 ms'`,
            [config.applicationName, 2 * lockMs],
          )
        ).rowCount;
      while (failure === null && store === null && !(await waitedLong())) await new Promise((resolve) => setTimeout(resolve, 20));
      await other.query('select pg_advisory_unlock(hashtext($1))', [`driftwatch.migrate.${config.schema}`]);
      await opening;
      expect(failure).toBeNull();
      expect(await store!.countRows('measurements')).toBe(0);
    } finally {
      await (store as Store | null)?.close();
      await other.end();
      await database.destroy();
    }
  });
});
