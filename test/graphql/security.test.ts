// API keys and scopes, request limits, and the N+1 guard, through yoga.fetch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { createApi, type Api } from '../support/test-api.js';

const keys = [
  { name: 'dashboard', key: 'read-only-key-0123456789', scopes: ['read' as const] },
  { name: 'ci-pipeline', key: 'writer-key-0123456789abc', scopes: ['read' as const, 'write' as const] },
  { name: 'ops', key: 'admin-key-0123456789abcde', scopes: ['admin' as const] },
];
const as = (key: string) => ({ authorization: `Bearer ${key}` });

describe('API keys and scopes', () => {
  let api: Api;
  let dispose: () => Promise<void>;
  beforeAll(async () => ({ api, dispose } = await createApi('sqlite', { keys })));
  afterAll(() => dispose());

  it('refuses a missing or unknown key with UNAUTHENTICATED and a 401', async () => {
    for (const headers of [{}, as('not-a-key-at-all-000000'), { authorization: 'Basic abc' }]) {
      const result = await api.gql(`{ statistics { totalTests } }`, undefined, headers);
      expect(result.status).toBe(401);
      expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(result)).not.toContain('0123456789');
    }
  });

  it.each([
    ['read', 'dashboard', `{ statistics { totalTests } }`, true],
    ['read', 'ops', `{ statistics { totalTests } }`, false],
    ['write', 'ci-pipeline', `mutation { recordMeasurement(input: { testName: "t", confidence: 0.5 }) { testName } }`, true],
    ['write', 'dashboard', `mutation { recordMeasurement(input: { testName: "t", confidence: 0.5 }) { testName } }`, false],
    ['write', 'dashboard', `mutation { analyzeDrift { analyses { id } } }`, false],
    ['admin', 'ops', `mutation { vacuum }`, true],
    ['admin', 'ci-pipeline', `mutation { cleanup { measurements } }`, false],
  ])('the %s scope: %s -> allowed %s', async (scope, holder, query, allowed) => {
    const key = keys.find((k) => k.name === holder)!.key;
    const result = await api.gql(query, undefined, as(key));
    if (allowed) expect(result.errors).toBeUndefined();
    else {
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(result.errors?.[0]?.message).toMatch(new RegExp(`needs the ${scope} scope`));
    }
  });

  it('records the key holder as the one who acknowledged, whatever `by` says', async () => {
    const alert = await api.store.createAlert({ testName: 't', category: null, severity: 'HIGH', driftPercentage: 0.3, message: 'm', recommendations: [], createdAt: new Date() });
    const id = Buffer.from(`DriftAlert:${alert.id}`).toString('base64url');
    const result = await api.gql(`mutation($id: ID!) { acknowledgeAlert(id: $id, by: "mallory") { acknowledgedBy } }`, { id }, as(keys[1]!.key));
    expect(result.data).toStrictEqual({ acknowledgeAlert: { acknowledgedBy: 'ci-pipeline' } });
  });
});

describe('request limits', () => {
  let api: Api;
  let dispose: () => Promise<void>;
  beforeAll(async () => ({ api, dispose } = await createApi('sqlite')));
  afterAll(() => dispose());

  it('refuses too many aliases', async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: statistics { totalTests }`).join(' ');
    const result = await api.gql(`{ ${aliases} }`);
    expect(result.status).not.toBe(500);
    expect(result.errors?.[0]?.message).toMatch(/aliases/i);
    expect(result.errors?.[0]?.extensions?.code).toBeDefined();
  });

  it('lets the deepest query a dashboard needs through (the schema has no cycles; depth is capped at 12)', async () => {
    const deepest = `{ tests { edges { node { measurements { edges { node { id } } pageInfo { hasNextPage } } latestAnalysis { thresholds { low } } } } } }`;
    expect((await api.gql(deepest)).errors).toBeUndefined();
  });

  it('refuses a query too costly for its page sizes', async () => {
    const costly = `{ tests(first: 500) { edges { node { measurements(first: 500) { totalCount edges { node { id testName confidence } } } } } } }`;
    const result = await api.gql(costly);
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(result.errors?.[0]?.message).toMatch(/^Query complexity \d+ exceeds the limit of 25000$/);
  });

  it('refuses an oversized document', async () => {
    const huge = `{ statistics { ${'totalTests '.repeat(25_000)} } }`;
    const result = await api.gql(huge);
    expect(result.status).not.toBe(500);
    expect(result.errors?.[0]?.message).toMatch(/token/i);
  });
});

describe('no N+1', () => {
  it('a page of 100 tests with their latest analyses reads analyses once', async () => {
    const calls: string[] = [];
    const counting = (store: Store) =>
      new Proxy(store, {
        get: (target, key, receiver) => {
          const value = Reflect.get(target, key, receiver);
          return typeof value === 'function'
            ? (...args: unknown[]) => {
                calls.push(String(key));
                return value.apply(target, args);
              }
            : value;
        },
      });
    const { api, dispose } = await createApi('sqlite', {}, counting);
    try {
      await api.store.recordMeasurements(Array.from({ length: 800 }, (_, i) => ({ testName: `t${String(i % 100).padStart(3, '0')}`, confidence: 0.5 + (i % 7) / 20 })));
      await api.store.saveAnalyses(
        Array.from({ length: 100 }, (_, i) => ({
          testName: `t${String(i).padStart(3, '0')}`, category: null, baselineConfidence: 0.9, currentConfidence: 0.8, driftPercentage: 0.11,
          driftAbsolute: 0.1, severity: 'MEDIUM' as const, direction: 'DECREASING' as const, trend: 'degrading', measurementsCount: 8,
          timeSpanSeconds: 10, recommendations: [], kind: 'MEAN_SHIFT' as const, pValue: 0.01, changePointAt: null, analyzedAt: new Date(),
        })),
      );
      calls.length = 0;
      const result = await api.gql(`{ tests(first: 100) { edges { node { testName latestAnalysis { severity } } } } }`);
      expect(result.data!.tests.edges).toHaveLength(100);
      expect(result.data!.tests.edges.every((e: { node: { latestAnalysis: { severity: string } } }) => e.node.latestAnalysis.severity === 'MEDIUM')).toBe(true);
      expect(calls).toStrictEqual(['listTests', 'latestAnalyses']);
    } finally {
      await dispose();
    }
  });
});
