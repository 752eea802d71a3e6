// A subscriber that stops reading must not make the server buffer every alert for it: past a bounded
// queue it is ended with a coded error, while subscribers that read get every alert.
import http from 'node:http';
import { createClient as createWsClient } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.js';
import { maxQueuedAlerts } from '../../src/service/alert-bus.js';
import { createLogger } from '../../src/server/logger.js';
import { startServer } from '../../src/server/main.js';
import { openStore } from '../../src/store/open-store.js';
import { waitForSubscribers } from '../support/subscribers.js';
import { createTestDatabase } from '../support/test-stores.js';

// Enough that the stalled stream's socket buffers fill and its queue then overflows.
const alerts = maxQueuedAlerts * 3;
const pace = maxQueuedAlerts / 5;

describe('a subscriber that stops reading', () => {
  it('is ended with SUBSCRIBER_TOO_SLOW after a bounded queue, while a reading subscriber gets every alert', async () => {
    const database = await createTestDatabase('sqlite');
    const server = await startServer({ ...loadConfig({}), database: database.config, server: { host: '127.0.0.1', port: 0 } }, createLogger({ level: 'silent' }));
    const writer = await openStore(database.config);
    const ws = createWsClient({ url: server.url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      // The stalled one: an SSE stream whose response is never read.
      const stalled = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const request = http.request(server.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' } }, (response) => {
          response.pause();
          resolve(response);
        });
        request.on('error', reject);
        request.end(JSON.stringify({ query: 'subscription { alertCreated { id testName message } }' }));
      });
      let received = 0;
      let failure: unknown = null;
      let caughtUp: (() => void) | null = null;
      ws.subscribe(
        { query: 'subscription { alertCreated { id } }' },
        { next: () => (++received, caughtUp?.()), error: (error) => ((failure = error), caughtUp?.()), complete: () => {} },
      );
      await waitForSubscribers(server.url, 2);

      // Raised in steps the reading subscriber keeps up with, as a live dashboard does.
      const message = 'm'.repeat(10_000);
      for (let i = 0; i < alerts; i++) {
        await writer.createAlert({ testName: `t${i}`, category: null, severity: 'HIGH', driftPercentage: 0.3, message, recommendations: [], createdAt: new Date() });
        if ((i + 1) % pace !== 0) continue;
        while (received < i + 1 && failure === null) await new Promise<void>((resolve) => (caughtUp = resolve));
      }
      expect([failure, received]).toStrictEqual([null, alerts]);

      // Read what the stalled stream was given: a bounded part of the alerts, then the error.
      let text = '';
      stalled.setEncoding('utf8');
      stalled.resume();
      for await (const chunk of stalled) {
        text += chunk;
        if (text.includes('SUBSCRIBER_TOO_SLOW') || (text.match(/"testName"/g)?.length ?? 0) >= alerts) break;
      }
      stalled.destroy();
      expect(text).toContain('"code":"SUBSCRIBER_TOO_SLOW"');
      expect(text.match(/"testName"/g)?.length ?? 0).toBeLessThan(alerts);
    } finally {
      await ws.dispose();
      await writer.close();
      await server.close();
      await database.destroy();
    }
  });
});
