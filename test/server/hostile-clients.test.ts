// Clients that would exhaust the server: bodies without a key, bodies too large or too deep,
// WebSocket connections that never authenticate, and more connections than a process can hold.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startServer, type RunningServer } from '../../src/server/main.js';
import { createTestDatabase, type TestDatabase } from '../support/test-stores.js';

const key = 'dashboard-key-0123456789';
const maxBodyBytes = 64 * 1024;

/** A POST whose body is `chunks`, sent one by one; `end: false` leaves the body unfinished. */
function rawPost(url: string, headers: Record<string, string>, chunks: string[], end = true) {
  return new Promise<{ status: number; body: { errors?: { message: string; extensions: { code: string } }[]; data?: unknown } }>((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
    });
    request.on('error', reject);
    for (const chunk of chunks) request.write(chunk);
    if (end) request.end();
  });
}

/** How a WebSocket connection ends: its close code, or the HTTP status its upgrade was refused with. */
function connectionEnd(url: string, init: Record<string, unknown> | null) {
  return new Promise<string>((resolve) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    socket.on('open', () => {
      if (init) socket.send(JSON.stringify({ type: 'connection_init', payload: init }));
    });
    socket.on('message', (data) => {
      // Closed once acknowledged, so no test leaves a connection counting against the cap.
      if (JSON.parse(String(data)).type === 'connection_ack') (resolve('acknowledged'), socket.close());
    });
    socket.on('close', (code) => resolve(`closed ${code}`));
    socket.on('unexpected-response', (_request, response) => resolve(`refused ${response.statusCode}`));
    socket.on('error', () => {});
  });
}

describe('hostile clients, with API keys', () => {
  let database: TestDatabase;
  let server: RunningServer;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    const base = loadConfig({});
    server = await startServer(
      {
        ...base,
        database: database.config,
        server: { host: '127.0.0.1', port: 0, maxBodyBytes, maxWebSocketConnections: 3 },
        api: { ...base.api, keys: [{ name: 'dash', key, scopes: ['read', 'write'] }] },
      },
      createLogger({ level: 'silent' }),
    );
  });
  afterAll(async () => {
    await server.close();
    await database.destroy();
  });

  it('refuses a body without a key before reading it: the answer comes while the body is still unsent', async () => {
    const answer = await rawPost(server.url, {}, ['{"query":"{ statistics { totalTests } }", "variables": {"pad": "', 'x'.repeat(10_000)], false);
    expect(answer).toStrictEqual({ status: 401, body: { errors: [{ message: expect.stringMatching(/A valid API key is required/), extensions: { code: 'UNAUTHENTICATED' } }] } });
  });

  it('refuses a body over the limit, by its length and as it streams, with 413', async () => {
    const big = JSON.stringify({ query: '{ statistics { totalTests } }', variables: { pad: 'x'.repeat(maxBodyBytes) } });
    const byLength = await rawPost(server.url, { authorization: `Bearer ${key}`, 'content-length': String(big.length) }, [big]);
    expect(byLength.status).toBe(413);
    expect(byLength.body.errors?.[0]?.extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const streamed = await rawPost(server.url, { authorization: `Bearer ${key}`, 'transfer-encoding': 'chunked' }, big.match(/[\s\S]{1,8192}/g)!);
    expect([streamed.status, streamed.body.errors?.[0]?.extensions.code]).toStrictEqual([413, 'PAYLOAD_TOO_LARGE']);
  });

  it('refuses JSON nested deeper than a request needs, and serves a proper request', async () => {
    const deep = `{"query":"{ statistics { totalTests } }","variables":{"x":${'['.repeat(40)}${']'.repeat(40)}}}`;
    const refused = await rawPost(server.url, { authorization: `Bearer ${key}` }, [deep]);
    expect([refused.status, refused.body.errors?.[0]?.extensions.code]).toStrictEqual([400, 'BAD_USER_INPUT']);
    // Brackets inside strings are text, not nesting.
    const fine = JSON.stringify({ query: 'mutation($i: RecordMeasurementInput!) { recordMeasurement(input: $i) { testName } }', variables: { i: { testName: '[['.repeat(50), confidence: 0.5 } } });
    expect(await rawPost(server.url, { authorization: `Bearer ${key}` }, [fine])).toStrictEqual({ status: 200, body: { data: { recordMeasurement: { testName: '[['.repeat(50) } } } });
  });

  it('closes WebSocket connections that do not authenticate, and refuses connections past the cap while /health answers', async () => {
    const ws = server.url.replace('http', 'ws');
    expect(await connectionEnd(ws, {})).toBe('closed 4403');
    expect(await connectionEnd(ws, { authorization: 'Bearer wrong-key-0123456789' })).toBe('closed 4403');
    expect(await connectionEnd(ws, null)).toBe('closed 4408');

    const held = Array.from({ length: 3 }, () => new WebSocket(ws, 'graphql-transport-ws'));
    try {
      await Promise.all(held.map((socket) => new Promise((resolve) => socket.on('open', resolve))));
      for (const socket of held) socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } }));
      expect(await connectionEnd(ws, { authorization: `Bearer ${key}` })).toBe('refused 503');
      expect((await fetch(new URL('/health', server.url))).status).toBe(200);
    } finally {
      await Promise.all(held.map((socket) => new Promise((resolve) => (socket.once('close', resolve), socket.close()))));
    }
    // Room again once the server has seen them go.
    let after = '';
    for (let attempt = 0; attempt < 50 && after !== 'acknowledged'; attempt++) after = await connectionEnd(ws, { authorization: `Bearer ${key}` });
    expect(after).toBe('acknowledged');
  });

  it('closes a WebSocket whose message is larger than a request body may be, before parsing it', async () => {
    const ws = server.url.replace('http', 'ws');
    // ws would otherwise take messages of up to 100 MiB, and graphql-ws parse each as JSON.
    expect(await connectionEnd(ws, { authorization: `Bearer ${key}`, pad: 'x'.repeat(maxBodyBytes) })).toBe('closed 1009');
    expect(await connectionEnd(ws, { authorization: `Bearer ${key}`, pad: 'x'.repeat(1000) })).toBe('acknowledged');
  });
});

/** A row at every field's longest the input rules allow, in ASCII. */
const longestRow = () => ({
  testName: 't'.repeat(512),
  confidence: 0.30000000000000004,
  category: 'c'.repeat(256),
  timestamp: `2024-01-01T00:00:00.123456789+01:00`,
  failureId: 'f'.repeat(256),
  ruleScore: 0.30000000000000004,
  signalScore: 0.30000000000000004,
});
const batchMutation = 'mutation($input: [RecordMeasurementInput!]!) { recordMeasurements(input: $input) { count } }';

describe('the default body limit', () => {
  it('holds the largest batch one call may carry, compact or pretty-printed', () => {
    const config = loadConfig({});
    const input = Array.from({ length: config.api.maxBatchSize }, longestRow);
    expect(JSON.stringify({ query: batchMutation, variables: { input } }, null, 2).length).toBeLessThanOrEqual(config.server.maxBodyBytes!);
  });

  it('lets the largest allowed batch through a real server', async () => {
    const database = await createTestDatabase('sqlite');
    const base = loadConfig({ DRIFT_MAX_BATCH_SIZE: '2000' });
    const server = await startServer({ ...base, database: database.config, server: { ...base.server, host: '127.0.0.1', port: 0 } }, createLogger({ level: 'silent' }));
    try {
      // Distinct instants: each test and instant is stored once.
      const input = Array.from({ length: 2000 }, (_, i) => ({ ...longestRow(), timestamp: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString().replace('Z', '123456+00:00') }));
      const answer = await rawPost(server.url, {}, [JSON.stringify({ query: batchMutation, variables: { input } })]);
      expect(answer).toStrictEqual({ status: 200, body: { data: { recordMeasurements: { count: 2000 } } } });
    } finally {
      await server.close();
      await database.destroy();
    }
  });
});
