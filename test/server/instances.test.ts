// Two server processes on one PostgreSQL schema behave as one service: one alert stream.
import { createClient } from 'graphql-ws';
import pg from 'pg';
import { describe, expect } from 'vitest';
import WebSocket from 'ws';
import { startServerProcess } from '../support/server-process.js';
import { waitForSubscribers } from '../support/subscribers.js';
import { databaseEnv } from '../support/run-cli.js';
import { storeTest } from '../support/test-stores.js';
import { stepInputs } from '../support/falling-series.js';

const test = storeTest('postgres');

async function post(url: string, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
}

async function falling(url: string, testName: string) {
  const now = Date.now();
  const rows = stepInputs(testName, 0.9, 0.5, { end: now });
  await post(url, `mutation($i: [RecordMeasurementInput!]!) { recordMeasurements(input: $i) { count } }`, { i: rows });
  const result = await post(url, `mutation($t: [String!]) { analyzeDrift(input: { testNames: $t }) { alerts { testName } } }`, { t: [testName] });
  expect(result.data!.analyzeDrift.alerts).toStrictEqual([{ testName }]);
}

describe('several instances', () => {
  test('an alert raised through A reaches a subscriber on B once, also after B’s listener was killed', async ({ database }) => {
    if (database.config.backend !== 'postgres') throw new Error('postgres only');
    const env = databaseEnv(database.config);
    const a = await startServerProcess(env);
    const b = await startServerProcess(env);
    const client = createClient({ url: b.url.replace('http', 'ws'), webSocketImpl: WebSocket, lazy: false });
    const received: string[] = [];
    let notify: () => void = () => {};
    const unsubscribe = client.subscribe<{ alertCreated: { testName: string } }>(
      { query: 'subscription { alertCreated { testName } }' },
      { next: (event) => (received.push(event.data!.alertCreated.testName), notify()), error: () => {}, complete: () => {} },
    );
    const until = (count: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`received ${JSON.stringify(received)}, wanted ${count}`)), 20_000);
        notify = () => received.length >= count && (clearTimeout(timer), resolve());
        notify();
      });
    const admin = new pg.Client({ connectionString: database.config.url });
    await admin.connect();
    try {
      await waitForSubscribers(b.url, 1);
      await falling(a.url, 'first');
      await until(1);

      // Drop every alert listener of this schema's channel, then raise alerts while they reconnect.
      await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and datname = current_database()`, [`${database.config.applicationName}-alerts`]);
      await falling(a.url, 'second');
      await falling(a.url, 'third');
      await until(3);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(received).toStrictEqual(['first', 'second', 'third']);
    } finally {
      unsubscribe();
      await client.dispose();
      await admin.end();
      expect(await a.stop()).toBe(0);
      expect(await b.stop()).toBe(0);
    }
  });
});
