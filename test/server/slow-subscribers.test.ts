// A subscriber that stops reading must not make the server buffer every alert for it: past a bounded
// queue it is ended with a coded error, while subscribers that read get every alert.
import http from 'node:http';
import { once } from 'node:events';
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

  it('over WebSocket is ended with SUBSCRIBER_TOO_SLOW too, not buffered for', async () => {
    const database = await createTestDatabase('sqlite');
    const server = await startServer({ ...loadConfig({}), database: database.config, server: { host: '127.0.0.1', port: 0 } }, createLogger({ level: 'silent' }));
    const writer = await openStore(database.config);
    const socket = new WebSocket(server.url.replace('http', 'ws'), 'graphql-transport-ws');
    // graphql-ws ends a subscription that failed with an `error` message carrying the GraphQL errors.
    const messages: { type: string; payload?: { extensions?: { code?: string } }[] }[] = [];
    let arrived = () => {};
    let closed: number | null = null;
    socket.on('message', (data) => (messages.push(JSON.parse(String(data))), arrived()));
    socket.on('close', (code) => ((closed = code), arrived()));
    const until = async (found: () => boolean) => {
      while (!found()) {
        if (closed !== null) throw new Error(`the connection closed (${closed}) after ${messages.length} messages`);
        await new Promise<void>((resolve) => (arrived = resolve));
      }
    };
    try {
      await once(socket, 'open');
      socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
      await until(() => messages.some((m) => m.type === 'connection_ack'));
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { alertCreated { id testName message } }' } }));
      await waitForSubscribers(server.url, 1);
      // The client stops reading: the server's sends wait for the socket, the queue fills.
      socket.pause();

      const message = 'm'.repeat(10_000);
      for (let i = 0; i < alerts; i++) {
        await writer.createAlert({ testName: `t${i}`, category: null, severity: 'HIGH', driftPercentage: 0.3, message, recommendations: [], createdAt: new Date() });
      }
      // The server lets go of the subscription by itself (its queue freed), while the client still
      // reads nothing and the server's last send still waits for the socket.
      await waitForNoSubscribers(server.url);

      socket.resume();
      await until(() => messages.some((m) => m.type === 'complete' || m.type === 'error'));
      expect(messages.at(-1)?.type).toBe('error');
      expect(messages.at(-1)?.payload?.[0]?.extensions?.code).toBe('SUBSCRIBER_TOO_SLOW');
      expect(messages.filter((m) => m.type === 'next').length).toBeLessThan(alerts);
    } finally {
      socket.terminate();
      await writer.close();
      await server.close();
      await database.destroy();
    }
  });
});

/** Waits until /metrics reports no open alert subscription (or fails after 20 s). */
async function waitForNoSubscribers(graphqlUrl: string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const text = await (await fetch(new URL('/metrics', graphqlUrl))).text();
    if (/^driftwatch_alert_subscribers 0$/m.test(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the stalled subscription was never ended');
}
