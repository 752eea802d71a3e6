// The server over a real port: GraphiQL, health, and alerts reaching real SSE and WebSocket clients.
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startServer, type RunningServer } from '../../src/server/main.js';
import { engineWorker } from '../../src/service/engine-worker.js';
import { waitForSubscribers } from '../support/subscribers.js';
import { backends, createTestDatabase, type TestDatabase } from '../support/test-stores.js';
import { stepInputs } from '../support/falling-series.js';

const subscription = `subscription($min: DriftSeverity, $category: String) {
  alertCreated(minSeverity: $min, category: $category) { testName severity category message } }`;

/** Collects the first `count` events of a subscription, or fails after `timeoutMs`. */
function firstEvents<T>(subscribe: (sink: { next: (v: T) => void; error: (e: unknown) => void; complete: () => void }) => () => void, count: number, timeoutMs = 15_000) {
  return new Promise<T[]>((resolve, reject) => {
    const events: T[] = [];
    const timer = setTimeout(() => {
      dispose();
      reject(new Error(`only ${events.length} of ${count} events arrived`));
    }, timeoutMs);
    const dispose = subscribe({
      next: (value) => {
        events.push(value);
        if (events.length === count) {
          clearTimeout(timer);
          dispose();
          resolve(events);
        }
      },
      error: (error) => {
        clearTimeout(timer);
        reject(error);
      },
      complete: () => {},
    });
  });
}

for (const backend of backends) {
describe(`the HTTP server on ${backend}`, () => {
  let database: TestDatabase;
  let server: RunningServer;
  let config: Config;

  // A fresh database and server for each test: no test depends on what another left behind.
  beforeEach(async () => {
    database = await createTestDatabase(backend);
    const base = loadConfig({});
    config = { ...base, database: database.config, server: { host: '127.0.0.1', port: 0 } };
    server = await startServer(config, createLogger({ level: 'silent' }));
  });

  afterEach(async () => {
    await server?.close();
    await database.destroy();
  });

  const post = (query: string, variables?: Record<string, unknown>) =>
    fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) }).then(
      (r) => r.json() as Promise<{ data?: Record<string, any>; errors?: unknown[] }>,
    );

  it('serves GraphiQL, health and readiness', async () => {
    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Driftwatch</title>');
    const origin = new URL(server.url).origin;
    expect(await (await fetch(`${origin}/health`)).json()).toStrictEqual({ status: 'ok' });
    expect(await (await fetch(`${origin}/ready`)).json()).toStrictEqual({ status: 'ready' });
    // Up from the start, so no analysis, however small, runs on the thread that answers requests.
    expect(engineWorker.started).toBe(true);
  });

  it('plays a dashboard’s day: record, analyse, get the alert live over SSE and WebSocket, acknowledge, read statistics, clean up', async () => {
    const sse = createSseClient({ url: server.url });
    const ws = createWsClient({ url: server.url.replace('http', 'ws'), webSocketImpl: WebSocket, lazy: false });
    type Event = { data?: { alertCreated: { testName: string; severity: string; category: string } } };
    const overSse = firstEvents<Event>((sink) => sse.subscribe({ query: subscription, variables: { min: 'HIGH' } }, sink), 1);
    const overWs = firstEvents<Event>((sink) => ws.subscribe({ query: subscription, variables: { category: 'payments' } }, sink), 1);
    // Publish only once both subscriptions are registered on the server.
    await waitForSubscribers(server.url, 2);

    const now = Date.now();
    const rows = stepInputs('checkout', 0.9, 0.5, { category: 'payments', end: now });
    expect((await post(`mutation($i: [RecordMeasurementInput!]!) { recordMeasurements(input: $i) { count } }`, { i: rows })).data).toStrictEqual({
      recordMeasurements: { count: rows.length },
    });
    const analyzed = await post(`mutation { analyzeDrift { alerts { testName severity } } }`);
    expect(analyzed.data!.analyzeDrift.alerts).toStrictEqual([{ testName: 'checkout', severity: 'CRITICAL' }]);

    const [fromSse] = await overSse;
    const [fromWs] = await overWs;
    expect(fromSse!.data!.alertCreated).toMatchObject({ testName: 'checkout', severity: 'CRITICAL', category: 'payments' });
    expect(fromWs!.data!.alertCreated).toStrictEqual(fromSse!.data!.alertCreated);
    sse.dispose();
    await ws.dispose();

    const open = await post(`{ alerts(filter: { acknowledged: false }) { totalCount edges { node { id testName } } } }`);
    expect(open.data!.alerts.totalCount).toBe(1);
    const alertId = open.data!.alerts.edges[0].node.id;
    const acknowledged = await post(`mutation($id: ID!) { acknowledgeAlert(id: $id, by: "on-call") { acknowledged acknowledgedBy } }`, { id: alertId });
    expect(acknowledged.data).toStrictEqual({ acknowledgeAlert: { acknowledged: true, acknowledgedBy: 'on-call' } });
    const statistics = await post(`{ statistics { totalTests totalMeasurements unacknowledgedAlerts minConfidence maxConfidence } }`);
    expect(statistics.data).toStrictEqual({ statistics: { totalTests: 1, totalMeasurements: rows.length, unacknowledgedAlerts: 0, minConfidence: 0.5, maxConfidence: 0.9 } });
    // Everything is minutes old: a zero-day retention removes it all, and reports what it removed.
    const cleaned = await post(`mutation { cleanup(input: { measurementsDays: 0, analysisDays: 0, alertsDays: 0 }) { measurements analyses alerts } }`);
    expect(cleaned.data).toStrictEqual({ cleanup: { measurements: rows.length, analyses: 1, alerts: 1 } });
  });

  it('exposes Prometheus metrics of what happened, and a request id on every response', async () => {
    const now = Date.now();
    const rows = stepInputs('probe', 0.9, 0.5, { end: now });
    await post(`mutation($i: [RecordMeasurementInput!]!) { recordMeasurements(input: $i) { count } }`, { i: rows });
    await post(`mutation { analyzeDrift { alerts { id } } }`);
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-123' },
      body: JSON.stringify({ query: 'query Dashboard { statistics { totalTests } }' }),
    });
    expect(response.headers.get('x-request-id')).toBe('trace-123');
    const metrics = await (await fetch(`${new URL(server.url).origin}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^driftwatch_measurements_recorded_total ${rows.length}$`, 'm'));
    expect(metrics).toMatch(/^driftwatch_alerts_raised_total\{severity="CRITICAL"\} 1$/m);
    expect(metrics).toMatch(/^driftwatch_alerts_unacknowledged 1$/m);
    expect(metrics).toMatch(/^driftwatch_graphql_operation_seconds_count\{operation="Dashboard",type="query",outcome="ok"\} 1$/m);
    expect(metrics).toMatch(/^driftwatch_analysis_seconds_count 1$/m);
    expect(metrics).toMatch(/^driftwatch_process_resident_memory_bytes \d+/m);
  });

  it('refuses to listen on a public address without keys unless told to', async () => {
    const exposed = { ...config, server: { host: '0.0.0.0', port: 0 } };
    await expect(startServer(exposed, createLogger({ level: 'silent' }))).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without authentication/);
  });
});
}

describe('starting on a taken port', () => {
  it('fails with the error and releases the database', async () => {
    const database = await createTestDatabase('sqlite');
    const blocker = await import('node:net').then((net) => net.createServer().listen(0, '127.0.0.1'));
    await new Promise((resolve) => blocker.once('listening', resolve));
    const { port } = blocker.address() as import('node:net').AddressInfo;
    try {
      const config = { ...loadConfig({}), database: database.config, server: { host: '127.0.0.1', port } };
      await expect(startServer(config, createLogger({ level: 'silent' }))).rejects.toThrow(/EADDRINUSE/);
      // The database was closed again: a second server on a free port opens it fine.
      const server = await startServer({ ...config, server: { host: '127.0.0.1', port: 0 } }, createLogger({ level: 'silent' }));
      await server.close();
    } finally {
      blocker.close();
      await database.destroy();
    }
  });
});

describe('WebSocket subscriptions with API keys', () => {
  it('refuse a connection without a key and serve one that sends it as connection params', async () => {
    const database = await createTestDatabase('sqlite');
    const keys = [
      { name: 'dash', key: 'dashboard-key-0123456789', scopes: ['read' as const] },
      { name: 'ci', key: 'pipeline-key-0123456789a', scopes: ['write' as const] },
    ];
    const config = { ...loadConfig({}), database: database.config, server: { host: '127.0.0.1', port: 0 }, api: { keys, allowAnonymous: false, maxBatchSize: 100 } };
    const server = await startServer(config, createLogger({ level: 'silent' }));
    const subscribe = (connectionParams: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const client = createWsClient({ url: server.url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams, retryAttempts: 0 });
        client.subscribe<{ alertCreated: { testName: string } }>(
          { query: 'subscription { alertCreated { testName } }' },
          {
            next: (event) => resolve(`alert: ${event.data?.alertCreated.testName}`),
            // A close event carries its code; a GraphQL error list its messages.
            error: (error) => resolve(`error: ${(error as { code?: number }).code ?? JSON.stringify(error)}`),
            complete: () => resolve('complete'),
          },
        );
      });
    try {
      // Refused at connection_init (4403 Forbidden), not acknowledged and held.
      expect(await subscribe({})).toBe('error: 4403');

      const accepted = subscribe({ authorization: 'Bearer dashboard-key-0123456789' });
      await waitForSubscribers(server.url, 1, 'dashboard-key-0123456789');
      const now = Date.now();
      const rows = stepInputs('secured', 0.9, 0.5, { end: now });
      const post = (query: string, variables?: object) =>
        fetch(server.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer pipeline-key-0123456789a' },
          body: JSON.stringify({ query, variables }),
        }).then((r) => r.json());
      await post(`mutation($i: [RecordMeasurementInput!]!) { recordMeasurements(input: $i) { count } }`, { i: rows });
      await post(`mutation { analyzeDrift { alerts { id } } }`);
      expect(await accepted).toBe('alert: secured');
    } finally {
      await server.close();
      await database.destroy();
    }
  });
});

describe('/metrics and /ready with API keys', () => {
  it('need an API key or the metrics key on the API port, none on the metrics port; /health stays open', async () => {
    const database = await createTestDatabase('sqlite');
    const keys = [{ name: 'dash', key: 'dashboard-key-0123456789', scopes: ['read' as const] }];
    const metricsKey = 'scraper-key-0123456789';
    const base = loadConfig({});
    const server = await startServer(
      { ...base, database: database.config, server: { host: '127.0.0.1', port: 0, metricsKey, metricsPort: 0 }, api: { ...base.api, keys } },
      createLogger({ level: 'silent' }),
    );
    const status = (url: URL, key?: string) => fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} }).then((r) => r.status);
    try {
      const api = (path: string) => new URL(path, server.url);
      expect(await status(api('/health'))).toBe(200);
      for (const path of ['/metrics', '/ready']) {
        expect([path, await status(api(path))]).toStrictEqual([path, 401]);
        expect([path, await status(api(path), 'not-a-key-0123456789')]).toStrictEqual([path, 401]);
        expect([path, await status(api(path), metricsKey)]).toStrictEqual([path, 200]);
        expect([path, await status(api(path), 'dashboard-key-0123456789')]).toStrictEqual([path, 200]);
        expect([path, await status(new URL(path, server.metricsOrigin!))]).toStrictEqual([path, 200]);
      }
      expect(await fetch(new URL('/metrics', server.metricsOrigin!)).then((r) => r.text())).toMatch(/^driftwatch_alert_subscribers 0$/m);
      expect(await status(new URL('/graphql', server.metricsOrigin!))).toBe(404);
    } finally {
      await server.close();
      await database.destroy();
    }
  });
});
