import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { assertOpenable, detectSqliteLayout } from '../detect-layout.js';
import * as schema from './schema.js';

export type SqliteDatabase = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const sqliteMigrationsFolder = fileURLToPath(new URL('../../../drizzle/sqlite', import.meta.url));

/** Opens (creating its folder and file if needed) and migrates a SQLite database. */
export function connectSqlite(file: string): SqliteDatabase {
  // Read-only first: a journal-mode switch or a migration on someone else's file would change it.
  assertOpenable(detectSqliteLayout(file), `sqlite ${file}`);
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const client = new Database(file);
  // WAL lets the server read while the CLI writes; busy_timeout makes a second writer wait, not fail.
  client.pragma('journal_mode = WAL');
  client.pragma('busy_timeout = 5000');
  client.pragma('foreign_keys = ON');
  const db = drizzle({ client, schema, casing: 'snake_case' });
  migrate(db, { migrationsFolder: sqliteMigrationsFolder });
  return db;
}
