import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { adoptCrossbridgeSqlite } from '../../db/adopt-crossbridge.js';
import { detectSqliteLayout } from '../../db/detect-layout.js';
import { tableNames, type RowSource, type Store } from '../../store/store.js';
import { CrossbridgePgSource } from '../../transfer/crossbridge-pg-source.js';
import { describeDatabase, loadConfig, type DatabaseConfig } from '../../config.js';
import { copyStore, verifyCopy } from '../../transfer/copy.js';
import { countedRows, formatTable, print, progressReporter } from '../output.js';
import { UsageError, withStore } from '../run-command.js';

/** A SQLite file path, or a postgresql:// URL whose `?schema=` names the schema (default drift). */
export function parseLocation(flag: string, value: string): DatabaseConfig {
  if (/^postgres(ql)?:\/\//.test(value)) {
    const url = new URL(value);
    const schema = url.searchParams.get('schema') ?? 'drift';
    url.searchParams.delete('schema');
    const config = loadConfig({ DRIFT_BACKEND: 'postgres', DRIFT_DB_URL: url.toString(), POSTGRES_SCHEMA: schema });
    return config.database;
  }
  const path = value.replace(/^sqlite:/, '');
  if (path === '') throw new UsageError(`${flag}: give a SQLite file or a postgresql:// URL`);
  return { backend: 'sqlite', path };
}

export const copyCommand = new Command('copy')
  .description('copy every measurement, analysis and alert, and the history past retention, from one database to another, then verify both sides')
  .requiredOption('--from <location>', 'SQLite file, or postgresql://user@host/db?schema=drift')
  .requiredOption('--to <location>', 'SQLite file, or postgresql://user@host/db?schema=drift')
  .option('--merge', 'copy into a target that already holds rows (rows whose id exists are skipped)')
  .option('--json', 'machine-readable output')
  .addHelpText(
    'after',
    '\nPasswords: put them in the URL only where the shell history is safe; prefer a ~/.pgpass file.' +
      '\n\nExamples:\n  drift copy --from data/drift_tracking.db --to postgresql://drift@db:5432/drift?schema=drift' +
      '\n  drift copy --from data/drift_tracking.db --to postgresql://drift@db/drift --merge   # completes an interrupted copy',
  )
  .action(async (options: { from: string; to: string; merge?: boolean; json?: boolean }) => {
    const named = parseLocation('--from', options.from);
    const to = parseLocation('--to', options.to);
    await withRowSource(named, (source) => withStore({ ...loadConfig({}), database: to }, (target) => copyInto(source, target, options, named, to)));
  });

/**
 * The source as Driftwatch can read it, never written, every table as it stood at one moment (so
 * copying and verifying agree on it). An original CrossBridge SQLite file is read
 * through a byte copy adopted in a temporary folder; an original PostgreSQL schema through a
 * read-only transaction that maps its rows as adoption would.
 */
async function withRowSource(from: DatabaseConfig, work: (source: RowSource) => Promise<void>): Promise<void> {
  const readOnly = { readOnly: true };
  if (from.backend === 'postgres') {
    const original = await CrossbridgePgSource.open(from);
    if (!original) return withStore({ ...loadConfig({}), database: from }, (store) => store.withSnapshot(work), readOnly);
    try {
      return await work(original);
    } finally {
      await original.close();
    }
  }
  if (!fs.existsSync(from.path) || detectSqliteLayout(from.path).kind !== 'crossbridge') {
    return withStore({ ...loadConfig({}), database: from }, (store) => store.withSnapshot(work), readOnly);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftwatch-crossbridge-'));
  try {
    const copy = path.join(dir, 'source.db');
    fs.copyFileSync(from.path, copy);
    adoptCrossbridgeSqlite(copy, { backup: false });
    return await withStore({ ...loadConfig({}), database: { backend: 'sqlite', path: copy } }, work, readOnly);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function copyInto(
  source: RowSource,
  target: Store,
  options: { merge?: boolean; json?: boolean },
  shown: DatabaseConfig,
  to: DatabaseConfig,
): Promise<void> {
  let existing = 0;
  for (const table of tableNames) existing += await target.countRows(table);
  if (existing > 0 && !options.merge) {
    throw new UsageError(
      `${describeDatabase(to)} already holds ${existing} rows: pass --merge to add to it (re-running an interrupted copy with --merge completes it)`,
    );
  }
  const progress = progressReporter('copy');
  const copied = await copyStore(source, target, { onProgress: (p) => progress(p.done, p.total) });
  progress.end();
  const verification = await verifyCopy(source, target);
  const ok = verification.every((v) => v.matches);
  print(
    { json: options.json === true },
    () =>
      `copied ${countedRows(copied)}\n` +
      `${describeDatabase(shown)} -> ${describeDatabase(to)}\n\n${formatTable(verification.map((v) => ({ ...v, matches: v.matches ? 'yes' : 'NO' })))}` +
      `\n\n${ok ? 'verified: both sides hold the same rows' : 'MISMATCH: the target differs from the source'}`,
    { copied, verification, verified: ok },
  );
  if (!ok) process.exitCode = 1;
}
