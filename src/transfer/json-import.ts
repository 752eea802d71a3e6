import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import streamJson from 'stream-json';
import Pick from 'stream-json/filters/Pick.js';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import { InvalidInputError, type InputIssue } from '../store/errors.js';
import { tableNames, type Store, type TableName, type TableRows } from '../store/store.js';
import type { TableCounts, TransferProgress } from './json-export.js';
import { jsonRowSchemas } from './json-rows.js';

const maxReportedIssues = 20;

/** Streams one table's array out of the file, row by row, parsed into domain rows. */
async function eachRow<T extends TableName>(
  file: string,
  table: T,
  visit: (row: TableRows[T] | null, issue?: InputIssue) => Promise<void> | void,
): Promise<void> {
  const schema = jsonRowSchemas[table];
  await pipeline(
    fs.createReadStream(file),
    streamJson.parser(),
    Pick.pick({ filter: table }),
    StreamArray.streamArray(),
    async (source: AsyncIterable<{ key: number; value: unknown }>) => {
      for await (const { key, value } of source) {
        const parsed = schema.safeParse(value);
        if (parsed.success) await visit(parsed.data);
        else {
          const first = parsed.error.issues[0];
          await visit(null, { path: [table, key, ...(first?.path ?? [])].join('.'), message: first?.message ?? 'invalid row' });
        }
      }
    },
  );
}

/**
 * Checks the whole file first and writes nothing if any row is bad, then imports it batch by batch.
 * Rows keep their ids; a row whose id exists is skipped, so importing the same file twice adds nothing.
 */
export async function importJson(
  store: Store,
  file: string,
  options: { batchSize?: number; onProgress?: (progress: TransferProgress) => void } = {},
): Promise<{ inserted: TableCounts; skipped: TableCounts }> {
  const batchSize = options.batchSize ?? 1000;
  const totals: TableCounts = { measurements: 0, analyses: 0, alerts: 0 };
  const issues: InputIssue[] = [];
  try {
    for (const table of tableNames) {
      await eachRow(file, table, (_row, issue) => {
        totals[table] += 1;
        if (issue && issues.length < maxReportedIssues) issues.push(issue);
      });
    }
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') throw error;
    throw new InvalidInputError([{ path: file, message: `not valid JSON (${error instanceof Error ? error.message : String(error)})` }]);
  }
  if (issues.length > 0) throw new InvalidInputError(issues);

  const inserted: TableCounts = { measurements: 0, analyses: 0, alerts: 0 };
  for (const table of tableNames) {
    let batch: TableRows[typeof table][] = [];
    let done = 0;
    const flush = async () => {
      inserted[table] += await store.importRows(table, batch);
      done += batch.length;
      batch = [];
      options.onProgress?.({ table, done, total: totals[table] });
    };
    await eachRow(file, table, async (row) => {
      batch.push(row!);
      if (batch.length >= batchSize) await flush();
    });
    if (batch.length > 0) await flush();
  }
  const skipped: TableCounts = {
    measurements: totals.measurements - inserted.measurements,
    analyses: totals.analyses - inserted.analyses,
    alerts: totals.alerts - inserted.alerts,
  };
  return { inserted, skipped };
}
