// The API as clients meet it: a yoga instance over a real store, spoken to with real GraphQL documents.
import { test } from 'vitest';
import type { ApiConfig } from '../../src/config.js';
import { openStore } from '../../src/store/open-store.js';
import { InProcessAlertBus } from '../../src/service/alert-bus.js';
import { StoreDriftService } from '../../src/service/store-drift-service.js';
import { createYoga, type DriftYoga } from '../../src/server/yoga.js';
import type { StorageBackend, Store } from '../../src/store/store.js';
import { createTestDatabase } from './test-stores.js';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } & Record<string, unknown> }[];
}

export interface Api {
  yoga: DriftYoga;
  store: Store;
  alerts: InProcessAlertBus;
  /** POSTs a document as JSON and returns the status and parsed body. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
}

export const defaultApiConfig: ApiConfig = { keys: [], allowAnonymous: false, maxBatchSize: 10_000 };

export async function createApi(backend: StorageBackend, config: Partial<ApiConfig> = {}, wrapStore?: (store: Store) => Store) {
  const database = await createTestDatabase(backend);
  const raw = await openStore(database.config);
  const store = wrapStore ? wrapStore(raw) : raw;
  const alerts = new InProcessAlertBus();
  const drift = new StoreDriftService(store, alerts, { lookbackDays: 30 });
  const yoga = createYoga({ store, drift, alerts, config: { ...defaultApiConfig, ...config } });
  const api: Api = {
    yoga,
    store,
    alerts,
    gql: async (query, variables, headers = {}) => {
      const response = await yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, ...(await response.json()) };
    },
  };
  return {
    api,
    dispose: async () => {
      await alerts.close();
      await yoga.dispose();
      await raw.close();
      await database.destroy();
    },
  };
}

/** A vitest `test` with an `api` fixture on a fresh database of the given backend. */
export function apiTest(backend: StorageBackend) {
  return test.extend<{ api: Api }>({
    api: async ({}, use) => {
      const { api, dispose } = await createApi(backend);
      await use(api);
      await dispose();
    },
  });
}
