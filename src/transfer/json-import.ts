import fs from 'node:fs';
import streamJson from 'stream-json';
import Assembler from 'stream-json/Assembler.js';
import { InvalidInputError, type InputIssue } from '../store/errors.js';
import { tableNames, type Store, type TableName, type TableRows } from '../store/store.js';
import type { TableCounts, TransferProgress } from './json-export.js';
import { jsonRowSchemas } from './json-rows.js';

const maxReportedIssues = 20;

interface Token {
  name: string;
  value?: string | undefined;
}

const opensValue = new Set(['startObject', 'startArray', 'stringValue', 'numberValue', 'nullValue', 'trueValue', 'falseValue']);

/**
 * One pass over the file yields every element of the three table arrays, tagged with its table.
 * Only the element being read is ever assembled in memory; everything else is skipped token by token.
 */
async function* tableElements(file: string): AsyncGenerator<{ table: TableName; index: number; value: unknown }> {
  const source = fs.createReadStream(file);
  // Packed values only: the parser then emits one token per value instead of a stream of chunks.
  const tokens = streamJson.parser({ streamValues: false });
  source.on('error', (error) => tokens.destroy(error));
  source.pipe(tokens);
  let depth = 0;
  let key: string | null = null;
  let table: TableName | null = null;
  let index = 0;
  let element: Assembler | null = null;
  for await (const token of tokens as AsyncIterable<Token>) {
    if (element) {
      element.consume(token);
      if (element.done) {
        yield { table: table!, index: index++, value: element.current };
        element = null;
      }
      continue;
    }
    if (depth === 1 && token.name === 'keyValue') key = token.value ?? null;
    if (depth === 2 && table && opensValue.has(token.name)) {
      element = new Assembler();
      element.consume(token);
      if (element.done) {
        yield { table, index: index++, value: element.current };
        element = null;
      }
      continue;
    }
    if (token.name === 'startObject' || token.name === 'startArray') {
      depth += 1;
      if (depth === 2 && token.name === 'startArray' && (tableNames as string[]).includes(key ?? '')) {
        table = key as TableName;
        index = 0;
      }
    } else if (token.name === 'endObject' || token.name === 'endArray') {
      depth -= 1;
      if (depth < 2) table = null;
    }
  }
}

/** Every row of the file, parsed into domain rows, or the first problem of a row that is not valid. */
async function eachRow(
  file: string,
  visit: <T extends TableName>(table: T, row: TableRows[T] | null, issue?: InputIssue) => Promise<void> | void,
): Promise<void> {
  for await (const { table, index, value } of tableElements(file)) {
    const parsed = jsonRowSchemas[table].safeParse(value);
    if (parsed.success) await visit(table, parsed.data);
    else {
      const first = parsed.error.issues[0];
      await visit(table, null, { path: [table, index, ...(first?.path ?? [])].join('.'), message: first?.message ?? 'invalid row' });
    }
  }
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
    await eachRow(file, (table, _row, issue) => {
      totals[table] += 1;
      if (issue && issues.length < maxReportedIssues) issues.push(issue);
    });
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') throw error;
    throw new InvalidInputError([{ path: file, message: `not valid JSON (${error instanceof Error ? error.message : String(error)})` }]);
  }
  if (issues.length > 0) throw new InvalidInputError(issues);

  const inserted: TableCounts = { measurements: 0, analyses: 0, alerts: 0 };
  const done: TableCounts = { measurements: 0, analyses: 0, alerts: 0 };
  const batches: { [T in TableName]: TableRows[T][] } = { measurements: [], analyses: [], alerts: [] };
  const flush = async (table: TableName) => {
    const batch = batches[table];
    batches[table] = [];
    inserted[table] += await store.importRows(table, batch);
    done[table] += batch.length;
    options.onProgress?.({ table, done: done[table], total: totals[table] });
  };
  await eachRow(file, async (table, row) => {
    (batches[table] as TableRows[typeof table][]).push(row!);
    if (batches[table].length >= batchSize) await flush(table);
  });
  for (const table of tableNames) if (batches[table].length > 0) await flush(table);
  const skipped: TableCounts = {
    measurements: totals.measurements - inserted.measurements,
    analyses: totals.analyses - inserted.analyses,
    alerts: totals.alerts - inserted.alerts,
  };
  return { inserted, skipped };
}
