// Each argument of alertCreated filters what a real SSE or WebSocket client receives, written
// literally or passed as a variable. One analysis raises a decoy alert and then the target's:
// an unfiltered subscriber sees the decoy first, so a filtered one whose first event is the
// target's alert has seen the decoy and dropped it.
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startServer, type RunningServer } from '../../src/server/main.js';
import { waitForSubscribers } from '../support/subscribers.js';
import { backends, createTestDatabase, type TestDatabase } from '../support/test-stores.js';
import { stepInputs } from '../support/falling-series.js';

interface Subscription {
  query: string;
  variables?: Record<string, unknown>;
}

const filters: Record<string, { literal: Subscription; variable: Subscription }> = {
  testName: {
    literal: { query: 'subscription { alertCreated(testName: "target") { testName severity category } }' },
    variable: { query: 'subscription($t: String) { alertCreated(testName: $t) { testName severity category } }', variables: { t: 'target' } },
  },
  category: {
    literal: { query: 'subscription { alertCreated(category: "payments") { testName severity category } }' },
    variable: { query: 'subscription($c: String) { alertCreated(category: $c) { testName severity category } }', variables: { c: 'payments' } },
  },
  minSeverity: {
    literal: { query: 'subscription { alertCreated(minSeverity: HIGH) { testName severity category } }' },
    variable: { query: 'subscription($s: DriftSeverity) { alertCreated(minSeverity: $s) { testName severity category } }', variables: { s: 'HIGH' } },
  },
};

type Event = { data?: { alertCreated: { testName: string; severity: string; category: string } } | null };
type Sink = { next: (value: Event) => void; error: (error: unknown) => void; complete: () => void };

/** Resolves with the first event of a subscription (or rejects with its error). */
function firstEvent(subscribe: (sink: Sink) => () => void): Promise<Event> {
  return new Promise((resolve, reject) => {
    const dispose = subscribe({
      next: (event) => {
        dispose();
        resolve(event);
      },
      error: reject,
      complete: () => reject(new Error('completed without an event')),
    });
  });
}

for (const backend of backends) {
  describe(`alertCreated filters over real clients on ${backend}`, () => {
    let database: TestDatabase;
    let server: RunningServer;

    beforeAll(async () => {
      database = await createTestDatabase(backend);
      const config = { ...loadConfig({}), database: database.config, server: { host: '127.0.0.1', port: 0 } };
      server = await startServer(config, createLogger({ level: 'silent' }));
    });

    afterAll(async () => {
      await server?.close();
      await database.destroy();
    });

    it('delivers to each filtered subscriber only the alert it asked for', async () => {
      const sse = createSseClient({ url: server.url, retryAttempts: 0 });
      const ws = createWsClient({ url: server.url.replace('http', 'ws'), webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 });
      const clients = {
        sse: (s: Subscription) => firstEvent((sink) => sse.subscribe(s, sink)),
        ws: (s: Subscription) => firstEvent((sink) => ws.subscribe(s, sink)),
      };
      const pending: { name: string; event: Promise<Event> }[] = [];
      for (const [transport, subscribe] of Object.entries(clients)) {
        pending.push({ name: `${transport} unfiltered`, event: subscribe({ query: 'subscription { alertCreated { testName severity category } }' }) });
        for (const [argument, forms] of Object.entries(filters)) {
          for (const [form, subscription] of Object.entries(forms)) pending.push({ name: `${transport} ${argument} ${form}`, event: subscribe(subscription) });
        }
      }
      await waitForSubscribers(server.url, pending.length);

      const now = Date.now();
      const series = (testName: string, category: string, from: number, to: number) => stepInputs(testName, from, to, { category, end: now });
      const post = (query: string, variables?: object) =>
        fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) }).then((r) => r.json());
      // decoy: −13 % in ui (MEDIUM); target: −44 % in payments (CRITICAL). Analysed in name order.
      const rows = [...series('decoy', 'ui', 0.9, 0.78), ...series('target', 'payments', 0.9, 0.5)];
      await post('mutation($i: [RecordMeasurementInput!]!) { recordMeasurements(input: $i) { count } }', { i: rows });
      const analysed = await post('mutation { analyzeDrift { alerts { testName severity } } }');
      expect(analysed.data.analyzeDrift.alerts).toStrictEqual([
        { testName: 'decoy', severity: 'MEDIUM' },
        { testName: 'target', severity: 'CRITICAL' },
      ]);

      const received = Object.fromEntries(await Promise.all(pending.map(async ({ name, event }) => [name, (await event).data?.alertCreated] as const)));
      const decoy = { testName: 'decoy', severity: 'MEDIUM', category: 'ui' };
      const target = { testName: 'target', severity: 'CRITICAL', category: 'payments' };
      expect(received).toStrictEqual(Object.fromEntries(pending.map(({ name }) => [name, name.endsWith('unfiltered') ? decoy : target])));
      sse.dispose();
      await ws.dispose();
    });
  });
}
