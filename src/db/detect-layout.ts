// What an existing database holds, read before anything writes to it: Driftwatch's own tables,
// nothing yet, the original CrossBridge drift tables, or someone else's. Only the first two may be
// opened (and migrated); the others are refused with a sentence that says what to do instead.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type pg from 'pg';

/** The original tool's tables (core/intelligence/drift_persistence.py); drift_metadata is optional there. */
export const crossbridgeTables = ['confidence_measurements', 'drift_analysis', 'drift_alerts'] as const;
const migrationJournal = '__drizzle_migrations';

export type Layout =
  | { kind: 'empty' }
  | { kind: 'driftwatch' }
  | { kind: 'crossbridge'; tables: string[] }
  | { kind: 'foreign'; tables: string[] };

/** Classifies a database by its table names alone: cheap, and the same rule for both dialects. */
export function classifyTables(tables: readonly string[]): Layout {
  if (tables.length === 0) return { kind: 'empty' };
  if (tables.includes(migrationJournal)) return { kind: 'driftwatch' };
  const sorted = [...tables].sort();
  if (crossbridgeTables.every((t) => tables.includes(t))) return { kind: 'crossbridge', tables: sorted };
  return { kind: 'foreign', tables: sorted };
}

/** A database Driftwatch must not open implicitly; nothing has been written when this is thrown. */
export class ForeignLayoutError extends Error {
  constructor(
    readonly layout: Exclude<Layout, { kind: 'empty' } | { kind: 'driftwatch' }>,
    where: string,
  ) {
    super(
      layout.kind === 'crossbridge'
        ? `${where} holds the original CrossBridge drift tables, not adopted yet; nothing was changed. ` +
            'Adopt them in place with `drift migrate` (same database flags), or read them without changing anything with `drift copy --from <this database> --to <a new one>`'
        : `${where} holds tables Driftwatch does not know (${layout.tables.slice(0, 8).join(', ')}${layout.tables.length > 8 ? ', ...' : ''}); nothing was changed. ` +
            'Point Driftwatch at its own database or at a new file or schema',
    );
    this.name = 'ForeignLayoutError';
  }
}

/** The layout of an existing SQLite file, read through a read-only connection (the file is not modified). */
export function detectSqliteLayout(file: string): Layout {
  if (file === ':memory:' || !fs.existsSync(file) || fs.statSync(file).size === 0) return { kind: 'empty' };
  const client = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = client
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\'")
      .all() as { name: string }[];
    return classifyTables(rows.map((r) => r.name));
  } finally {
    client.close();
  }
}

/** The layout of a PostgreSQL schema (its tables and views), read in one query. */
export async function detectPgLayout(client: pg.ClientBase, schema: string): Promise<Layout> {
  const { rows } = await client.query<{ name: string }>(
    'select table_name as name from information_schema.tables where table_schema = $1',
    [schema],
  );
  return classifyTables(rows.map((r) => r.name));
}

/** Throws ForeignLayoutError unless the layout is ours or empty. */
export function assertOpenable(layout: Layout, where: string): void {
  if (layout.kind === 'crossbridge' || layout.kind === 'foreign') throw new ForeignLayoutError(layout, where);
}
