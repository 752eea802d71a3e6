import type { DatabaseConfig } from '../config.js';
import { PgStore } from './pg-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/** The one place that branches on the dialect: connects, applies migrations, hands back the Store. */
export async function openStore(database: DatabaseConfig): Promise<Store> {
  return database.backend === 'sqlite' ? SqliteStore.open(database.path) : PgStore.open(database);
}
