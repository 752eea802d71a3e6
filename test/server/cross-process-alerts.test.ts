// "Every alert raised from now on" holds whoever raises it: `drift analyze` run as its own process
// against the server's database reaches the server's SSE subscribers (NOTIFY on PostgreSQL, a poll
// of the alerts table on SQLite).
import { createClient } from 'graphql-sse';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startServer } from '../../src/server/main.js';
import { recordFalling } from '../support/falling-series.js';
import { databaseEnv, runCli } from '../support/run-cli.js';
import { waitForSubscribers } from '../support/subscribers.js';
import { backends, createTestDatabase } from '../support/test-stores.js';
import { openStore } from '../../src/store/open-store.js';

for (const backend of backends) {
  describe(`alerts from another process on ${backend}`, () => {
    it('reach a running server’s SSE subscriber', async () => {
      const database = await createTestDatabase(backend);
      const server = await startServer({ ...loadConfig({}), database: database.config, server: { host: '127.0.0.1', port: 0 } }, createLogger({ level: 'silent' }));
      const writer = await openStore(database.config);
      const client = createClient({ url: server.url, retryAttempts: 0 });
      try {
        const first = new Promise<unknown>((resolve, reject) => {
          const dispose = client.subscribe(
            { query: 'subscription { alertCreated { testName severity } }' },
            { next: (event) => (dispose(), resolve(event.data)), error: reject, complete: () => reject(new Error('completed')) },
          );
        });
        await waitForSubscribers(server.url, 1);
        await recordFalling(writer, 'nightly');
        const cli = await runCli(['analyze', '--json'], databaseEnv(database.config));
        expect(cli.code, cli.stderr).toBe(0);
        expect(await first).toStrictEqual({ alertCreated: { testName: 'nightly', severity: 'CRITICAL' } });
      } finally {
        client.dispose();
        await writer.close();
        await server.close();
        await database.destroy();
      }
    });
  });
}
