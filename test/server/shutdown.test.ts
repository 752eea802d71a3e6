// SIGTERM must end the process, whatever state the session left it in: open subscriptions (one
// filtered), an alert raised, and a log reader that is gone or has stopped reading.
import { describe, expect, it } from 'vitest';
import { databaseEnv } from '../support/run-cli.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { backends, createTestDatabase } from '../support/test-stores.js';
import { stepInputs } from '../support/falling-series.js';

async function dashboardSession(server: ServerProcess, signal: AbortSignal) {
  const gql = (query: string) =>
    fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) }).then((r) => r.json());
  for (const query of ['subscription { alertCreated { id } }', 'subscription { alertCreated(minSeverity: HIGH) { id testName } }']) {
    const stream = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ query }), signal });
    expect(stream.status).toBe(200);
  }
  const now = Date.now();
  const rows = stepInputs('t', 0.9, 0.5, { end: now }).map((r) => `{ testName: "t", confidence: ${r.confidence}, timestamp: "${r.timestamp}" }`);
  expect(await gql(`mutation { recordMeasurements(input: [${rows.join(',')}]) { count } }`)).toStrictEqual({ data: { recordMeasurements: { count: rows.length } } });
  expect(await gql('mutation { analyzeDrift { alerts { severity } } }')).toStrictEqual({ data: { analyzeDrift: { alerts: [{ severity: 'CRITICAL' }] } } });
}

for (const backend of backends) {
  describe(`shutdown on ${backend}`, () => {
    for (const reader of ['gone', 'stopped reading'] as const) {
      it(`SIGTERM ends the process when its log reader is ${reader}, with subscriptions open`, async () => {
        const database = await createTestDatabase(backend);
        const server = await startServerProcess({ ...databaseEnv(database.config), LOG_LEVEL: 'info', DRIFT_SHUTDOWN_TIMEOUT_MS: '3000' });
        const subscriptions = new AbortController();
        try {
          await dashboardSession(server, subscriptions.signal);
          if (reader === 'gone') {
            server.process.stdout!.destroy();
            server.process.stderr!.destroy();
            // Writing a log line into the broken pipe is harmless: the server goes on answering
            // (each request logs one), rather than dying of an EPIPE before anyone asks it to stop.
            for (let i = 0; i < 20; i++) {
              const response = await fetch(new URL('/graphql?query={statistics{totalTests}}', server.url), { headers: { 'x-graphql-yoga-csrf': '1' } });
              expect(await response.json()).toStrictEqual({ data: { statistics: { totalTests: 1 } } });
            }
            expect(server.process.exitCode).toBeNull();
          } else {
            // Nobody reads the pipe any more, yet it stays open: once its buffer is full, a
            // synchronous log write would block the process for good.
            server.process.stdout!.pause();
            server.process.stderr!.pause();
            for (let i = 0; i < 1500; i++) {
              const answered = await fetch(new URL('/graphql?query={statistics{totalTests}}', server.url), { signal: AbortSignal.timeout(5_000) }).then(
                () => true,
                () => false,
              );
              if (!answered) break;
            }
          }
          const exited = new Promise<number | null>((resolve) => server.process.once('exit', (code) => resolve(code)));
          server.process.kill('SIGTERM');
          expect([0, 1]).toContain(await exited);
        } finally {
          subscriptions.abort();
          if (server.process.exitCode === null) server.process.kill('SIGKILL');
          await database.destroy();
        }
      });
    }
  });
}
