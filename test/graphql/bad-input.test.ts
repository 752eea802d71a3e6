// Every client mistake gets a GraphQL error with a code, never a 500, and writes nothing.
import { describe, expect } from 'vitest';
import { backends } from '../support/test-stores.js';
import { apiTest, createApi } from '../support/test-api.js';

const record = `mutation($input: RecordMeasurementInput!) { recordMeasurement(input: $input) { id } }`;
const batch = `mutation($input: [RecordMeasurementInput!]!) { recordMeasurements(input: $input) { count } }`;

for (const backend of backends) {
  describe(`bad input on ${backend}`, () => {
    const test = apiTest(backend);

    test.for([
      ['a negative confidence', { testName: 't', confidence: -0.1 }, /confidence: must be between 0 and 1/],
      ['a confidence above 1', { testName: 't', confidence: 1.5 }, /confidence: must be between 0 and 1/],
      ['a string confidence', { testName: 't', confidence: 'high' }, /Float cannot represent/],
      ['a non-date timestamp', { testName: 't', confidence: 0.5, timestamp: 'yesterday' }, /DateTime must be an ISO-8601 time/],
      ['a timestamp without offset', { testName: 't', confidence: 0.5, timestamp: '2026-11-20T10:00:00' }, /DateTime must be an ISO-8601 time/],
      ['an empty test name', { testName: '  ', confidence: 0.5 }, /testName: must not be empty/],
      ['a 10,000-character test name', { testName: 'x'.repeat(10_000), confidence: 0.5 }, /testName: must be at most 512 characters/],
      ['a missing confidence', { testName: 't' }, /confidence/],
      // One set of rules for both backends: PostgreSQL cannot store NUL, nor read back year 0.
      ['a NUL in the test name', { testName: 'a\u0000b', confidence: 0.5 }, /testName: must not contain NUL/],
      ['a NUL in the category', { testName: 't', confidence: 0.5, category: 'ui\u0000' }, /category: must not contain NUL/],
      ['a NUL in the failure id', { testName: 't', confidence: 0.5, failureId: '\u0000' }, /failureId: must not contain NUL/],
      ['February 30th', { testName: 't', confidence: 0.5, timestamp: '2024-02-30T00:00:00Z' }, /real calendar date/],
      ['24:00', { testName: 't', confidence: 0.5, timestamp: '2024-01-01T24:00:00Z' }, /real calendar date/],
      ['year 0', { testName: 't', confidence: 0.5, timestamp: '0000-01-01T00:00:00Z' }, /years 1 to 9999/],
      ['an offset that reaches year 10000', { testName: 't', confidence: 0.5, timestamp: '9999-12-31T23:59:59-14:00' }, /years 1 to 9999/],
    ] as const)('%s is BAD_USER_INPUT and stores nothing', async ([, input, message], { api }) => {
      const result = await api.gql(record, { input });
      expect(result.status).not.toBe(500);
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toMatch(message);
      expect(await api.store.countMeasurements({})).toBe(0);
    });

    test('a batch with one bad row names it and stores none of the batch', async ({ api }) => {
      const rows = Array.from({ length: 50 }, (_, i) => ({ testName: `t${i}`, confidence: i === 37 ? 2 : 0.5 }));
      const result = await api.gql(batch, { input: rows });
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toBe('Invalid input: 37.confidence: must be between 0 and 1');
      expect(await api.store.countMeasurements({})).toBe(0);
    });

    test.for([
      ['first: -1', `{ measurements(first: -1) { totalCount } }`, /first must be a whole number from 0 to 500, got -1/],
      ['first: 1000000', `{ measurements(first: 1000000) { totalCount } }`, /first must be a whole number from 0 to 500/],
      ['first and last', `{ alerts(first: 1, last: 1) { totalCount } }`, /not both/],
      ['a malformed cursor', `{ measurements(after: "bm9wZQ") { totalCount } }`, /after: "bm9wZQ" is not a cursor/],
      ['a cursor of another connection', `{ measurements(after: "eyJuIjoieCJ9") { totalCount } }`, /is not a cursor/],
      ['last on tests', `{ tests(last: 2) { totalCount } }`, /pages forward only/],
      ['a malformed node id', `{ node(id: "garbage") { id } }`, /is not an id this API gave out/],
      ['negative cleanup days', `mutation { cleanup(input: { alertsDays: -1 }) { alerts } }`, /alertsDays/],
      ['a bad since', `{ statistics(since: "soon") { totalTests } }`, /DateTime must be an ISO-8601 time/],
      ['a since in year 0', `{ measurements(first: 1, filter: { since: "0000-06-01T00:00:00Z" }) { totalCount } }`, /years 1 to 9999/],
      [
        'a cursor whose time is out of range',
        `{ measurements(first: 1, after: "${Buffer.from(JSON.stringify({ t: -70_000_000_000_000, i: 1 })).toString('base64url')}") { totalCount } }`,
        /is not a cursor this connection gave out/,
      ],
      ['an acknowledger with a NUL', `mutation { acknowledgeAlert(id: "${Buffer.from('DriftAlert:1').toString('base64url')}", by: "a\\u0000") { id } }`, /by: must not contain NUL/],
    ] as const)('%s is BAD_USER_INPUT', async ([, query, message], { api }) => {
      const result = await api.gql(query);
      expect(result.status).not.toBe(500);
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toMatch(message);
    });

    test('an unknown alert is NOT_FOUND; an id of another type is BAD_USER_INPUT', async ({ api }) => {
      const unknown = Buffer.from('DriftAlert:999999').toString('base64url');
      const result = await api.gql(`mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }`, { id: unknown });
      expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const measurement = (await api.gql(`mutation { recordMeasurement(input: { testName: "t", confidence: 0.5 }) { id } }`)).data!.recordMeasurement.id;
      const wrong = await api.gql(`mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }`, { id: measurement });
      expect(wrong.errors?.[0]).toMatchObject({ message: 'id: expected a DriftAlert id, got a Measurement id', extensions: { code: 'BAD_USER_INPUT' } });
      expect((await api.gql(`{ node(id: "${Buffer.from('DriftAlert:424242').toString('base64url')}") { id } }`)).data).toStrictEqual({ node: null });
    });
  });
}

describe('malformed requests', () => {
  const test = apiTest('sqlite');

  test('malformed JSON, a wrong content type, a syntax error and an unknown field get codes, not 500s', async ({ api }) => {
    const post = (body: string, contentType: string) =>
      api.yoga.fetch('http://yoga/graphql', { method: 'POST', headers: { 'content-type': contentType }, body });
    const malformed = await post('{"query": "{ statistics { totalTests } ', 'application/json');
    expect(malformed.status).toBe(400);
    const malformedBody = await malformed.json();
    expect(malformedBody.errors[0]).toMatchObject({ message: expect.stringMatching(/POST body sent invalid JSON/), extensions: { code: 'BAD_REQUEST' } });

    const wrongType = await post('query=%7B%7D', 'application/x-www-form-urlencoded');
    expect(wrongType.status).toBeGreaterThanOrEqual(400);
    expect(wrongType.status).toBeLessThan(500);
    expect((await wrongType.json()).errors[0].extensions.code).toBeDefined();

    // A GET (no preflight in a browser) must carry the CSRF header; JSON POSTs are preflighted anyway.
    const get = (headers: Record<string, string>) => api.yoga.fetch(`http://yoga/graphql?query=${encodeURIComponent('{ statistics { totalTests } }')}`, { headers });
    const forged = await get({});
    expect(forged.status).toBe(403);
    expect((await forged.json()).errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await (await get({ 'x-graphql-yoga-csrf': '1' })).json()).data).toStrictEqual({ statistics: { totalTests: 0 } });

    const syntax = await api.gql(`{ statistics { totalTests `);
    expect(syntax.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const unknownField = await api.gql(`{ statistics { nope } }`);
    expect(unknownField.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    // application/json clients get 200 with errors (GraphQL over HTTP); graphql-response+json ones get 400
    expect(unknownField.status).toBe(200);
    const strict = await api.gql(`{ statistics { nope } }`, undefined, { accept: 'application/graphql-response+json' });
    expect(strict.status).toBe(400);
  });

  test('a variable that does not coerce is BAD_USER_INPUT, and a document nested past the parser is GRAPHQL_PARSE_FAILED', async ({ api }) => {
    const wrongVariable = await api.gql(`query($n: Int!) { tests(first: $n) { totalCount } }`, { n: 'ten' });
    expect(wrongVariable.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const missingVariable = await api.gql(`query($n: Int!) { tests(first: $n) { totalCount } }`);
    expect(missingVariable.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    // Valid syntax, 5,000 selection sets deep: graphql-js's recursive parser runs out of stack.
    const nested = await api.gql(`{${' a {'.repeat(5000)} b${' }'.repeat(5000)} }`);
    expect(nested.status).toBe(200);
    expect(nested.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  test('an unexpected failure is masked: no stack, no SQL', async () => {
    const { api, dispose } = await createApi('sqlite', {}, (store) =>
      new Proxy(store, {
        get: (target, key, receiver) =>
          key === 'statistics' ? () => Promise.reject(new Error('SQLITE_ERROR: near "select": syntax error at /src/store/x.ts:1')) : Reflect.get(target, key, receiver),
      }),
    );
    try {
      const result = await api.gql(`{ statistics { totalTests } }`);
      expect(result.status).toBe(200);
      expect(result.errors?.[0]?.message).toBe('Unexpected error.');
      expect(JSON.stringify(result)).not.toMatch(/SQLITE|select|\.ts/);
    } finally {
      await dispose();
    }
  });

  test('a batch over the size limit is refused before anything is written', async () => {
    const { api, dispose } = await createApi('sqlite', { maxBatchSize: 10 });
    try {
      const rows = Array.from({ length: 11 }, () => ({ testName: 't', confidence: 0.5 }));
      const result = await api.gql(batch, { input: rows });
      expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      expect(result.errors?.[0]?.message).toMatch(/11 rows is more than the 10 one call may carry/);
      expect(await api.store.countMeasurements({})).toBe(0);
      expect((await api.gql(batch, { input: rows.slice(1) })).data).toStrictEqual({ recordMeasurements: { count: 10 } });
    } finally {
      await dispose();
    }
  });
});
