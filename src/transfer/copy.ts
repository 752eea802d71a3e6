import crypto from 'node:crypto';
import { InvalidInputError } from '../store/errors.js';
import { tableNames, type RowSource, type Store, type TableName } from '../store/store.js';
import { noRows, type TableCounts, type TransferProgress } from './json-export.js';
import { jsonRowSchemas, rowLabel, toJsonRow } from './json-rows.js';

export interface TableVerification {
  table: TableName;
  sourceRows: number;
  targetRows: number;
  sourceChecksum: string;
  targetChecksum: string;
  matches: boolean;
}

/** SHA-256 over a table's rows in the order streamRows gives, as the export writes them: equal content, equal sum. */
export async function tableChecksum(store: RowSource, table: TableName): Promise<{ rows: number; checksum: string }> {
  const hash = crypto.createHash('sha256');
  let rows = 0;
  for await (const batch of store.streamRows(table, 5000)) {
    for (const row of batch) hash.update(`${JSON.stringify(toJsonRow(row))}\n`);
    rows += batch.length;
  }
  return { rows, checksum: hash.digest('hex').slice(0, 16) };
}

/**
 * Refuses, before anything is written, the first source row that breaks the rules every way in
 * shares (an old database may hold one from before them): the target could not store it, and a
 * copy that stopped on it would stop there again on every re-run.
 */
async function checkRows(source: RowSource): Promise<void> {
  for (const table of tableNames) {
    for await (const batch of source.streamRows(table, 5000)) {
      for (const row of batch) {
        const checked = jsonRowSchemas[table].safeParse(toJsonRow(row));
        if (checked.success) continue;
        const issue = checked.error.issues[0]!;
        throw new InvalidInputError([{ path: [`${table} ${rowLabel(table, row)}`, ...issue.path].join('.'), message: issue.message }]);
      }
    }
  }
}

/**
 * Checks every source row, then copies every table, batch by batch, each batch in its own
 * transaction, keeping ids, times and acknowledgements. Rows the target has (by id, or by test and
 * instant) are skipped, so a re-run after an interruption completes the copy and a second run adds nothing.
 */
export async function copyStore(
  source: RowSource,
  target: Store,
  options: { batchSize?: number; onProgress?: (progress: TransferProgress) => void } = {},
): Promise<TableCounts> {
  await checkRows(source);
  const inserted = noRows();
  for (const table of tableNames) {
    const total = await source.countRows(table);
    let done = 0;
    for await (const rows of source.streamRows(table, options.batchSize ?? 5000)) {
      inserted[table] += await target.importRows(table, rows);
      done += rows.length;
      options.onProgress?.({ table, done, total });
    }
  }
  return inserted;
}

export async function verifyCopy(source: RowSource, target: Store): Promise<TableVerification[]> {
  const results: TableVerification[] = [];
  for (const table of tableNames) {
    const [from, to] = await Promise.all([tableChecksum(source, table), tableChecksum(target, table)]);
    results.push({
      table,
      sourceRows: from.rows,
      targetRows: to.rows,
      sourceChecksum: from.checksum,
      targetChecksum: to.checksum,
      matches: from.rows === to.rows && from.checksum === to.checksum,
    });
  }
  return results;
}
