// Documents built to make the server work exponentially are refused with a code, cheaply, and the
// server keeps answering others meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startServer, type RunningServer } from '../../src/server/main.js';
import { expandedFieldCounts } from '../../src/server/expanded-size-limit.js';
import { parse } from 'graphql';
import { createTestDatabase, type TestDatabase } from '../support/test-stores.js';

/** 1-2 KB: each fragment spreads the next one twice, so the selection doubles with every level. */
function doublingFragments(levels: number): string {
  let document = 'query Doubling { tests(first: 1) { edges { node { ...F0 } } } }\n';
  for (let i = 0; i < levels; i++) document += `fragment F${i} on TrackedTest { testName ...F${i + 1} category ...F${i + 1} }\n`;
  return `${document}fragment F${levels} on TrackedTest { testName }\n`;
}

describe('expanded size of a document', () => {
  it('counts every field each operation selects once fragments are expanded', () => {
    expect(expandedFieldCounts(parse('{ a b { c ...X } ... on Q { d } } fragment X on B { e f }'))).toStrictEqual([6]);
    expect(expandedFieldCounts(parse('query A { a } query B { b { ...X ...X } } fragment X on B { e }'))).toStrictEqual([1, 3]);
    // levels × 2 fields, doubling: 2 + 2·2 + 4·2 + … , then the last fragment's one field.
    expect(expandedFieldCounts(parse(doublingFragments(3)))).toStrictEqual([3 + (2 + 4 + 8) + 8]);
    expect(expandedFieldCounts(parse('{ ...X } fragment X on Q { a ...X }'))).toStrictEqual([1]);
  });
});

describe('hostile documents over HTTP', () => {
  let database: TestDatabase;
  let server: RunningServer;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    server = await startServer({ ...loadConfig({}), database: database.config, server: { host: '127.0.0.1', port: 0 } }, createLogger({ level: 'silent' }));
  });

  afterAll(async () => {
    await server?.close();
    await database.destroy();
  });

  it.each([25, 40])('refuses a document of %i doubling fragment levels with a code while /health answers', async (levels) => {
    const document = doublingFragments(levels);
    expect(document.length).toBeLessThan(3_000);
    const [answer, health] = await Promise.all([
      fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: document }) }).then((r) => r.json()),
      fetch(new URL('/health', server.url)).then((r) => r.json()),
    ]);
    expect(health).toStrictEqual({ status: 'ok' });
    expect(answer.data).toBeUndefined();
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(answer.errors[0].message).toMatch(/fields once its fragments are expanded; at most 5,000 are allowed/);
  });

  it('still answers a document whose fragments expand modestly', async () => {
    const answer = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: doublingFragments(6) }) }).then((r) => r.json());
    expect(answer).toStrictEqual({ data: { tests: { edges: [] } } });
  });
});
