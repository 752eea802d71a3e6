import fs from 'node:fs';
import streamJson from 'stream-json';
import Assembler from 'stream-json/Assembler.js';
import { InvalidInputError, type InputIssue } from '../store/errors.js';
import { tableNames, type Store, type TableName } from '../store/store.js';
import { toMeasurementValues } from '../store/validation.js';
import { noRows, type TableCounts, type TransferProgress } from './json-export.js';
import { jsonRowSchemas, rowKey, type ImportedMeasurement, type ImportedRows } from './json-rows.js';

const maxReportedIssues = 20;

interface Token {
  name: string;
  value?: string | undefined;
}

const opensValue = new Set(['startObject', 'startArray', 'stringValue', 'numberValue', 'nullValue', 'trueValue', 'falseValue']);

/**
 * One pass over the file yields every element of the table arrays, tagged with its table.
 * Only the element being read is ever assembled in memory; everything else is skipped token by token.
 */
async function* tableElements(file: string, seenTables: Set<TableName>): AsyncGenerator<{ table: TableName; index: number; value: unknown }> {
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
  let first = true;
  for await (const token of tokens as AsyncIterable<Token>) {
    if (first) {
      first = false;
      if (token.name !== 'startObject') throw new TopLevelError();
    }
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
        seenTables.add(table);
        index = 0;
      }
    } else if (token.name === 'endObject' || token.name === 'endArray') {
      depth -= 1;
      if (depth < 2) table = null;
    }
  }
}

class TopLevelError extends Error {}

/** Every row of the file, parsed into domain rows, or the first problem of a row that is not valid. */
async function eachRow(
  file: string,
  visit: <T extends TableName>(table: T, index: number, row: ImportedRows[T] | null, issue?: InputIssue) => Promise<void> | void,
  seenTables: Set<TableName> = new Set(),
): Promise<void> {
  for await (const { table, index, value } of tableElements(file, seenTables)) {
    const parsed = jsonRowSchemas[table].safeParse(value);
    if (parsed.success) await visit(table, index, parsed.data);
    else {
      const first = parsed.error.issues[0];
      await visit(table, index, null, { path: [table, index, ...(first?.path ?? [])].join('.'), message: first?.message ?? 'invalid row' });
    }
  }
}

/** The store's own rules for a new measurement (the API's and `record`'s), checked before anything is written. */
function measurementIssue(row: ImportedMeasurement, index: number): InputIssue | null {
  try {
    toMeasurementValues([row], new Date());
    return null;
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    const first = error.issues[0];
    return { path: ['measurements', index, ...(first?.path.split('.').slice(1) ?? [])].join('.'), message: first?.message ?? 'invalid row' };
  }
}

/**
 * Checks the whole file first and writes nothing if any row is bad, then imports it batch by batch.
 * Rows keep their ids; a row whose id (a history row: whose hour and category) exists is skipped, so importing the same file twice adds nothing.
 */
export async function importJson(
  store: Store,
  file: string,
  options: { batchSize?: number; onProgress?: (progress: TransferProgress) => void } = {},
): Promise<{ inserted: TableCounts; skipped: TableCounts }> {
  const batchSize = options.batchSize ?? 1000;
  const totals = noRows();
  const issues: InputIssue[] = [];
  const report = (issue: InputIssue) => issues.length < maxReportedIssues && issues.push(issue);
  const keys: { [T in TableName]: Map<string, number> } = { measurements: new Map(), analyses: new Map(), alerts: new Map(), history: new Map() };
  const seenTables = new Set<TableName>();
  try {
    await eachRow(
      file,
      (table, index, row, issue) => {
        totals[table] += 1;
        if (issue) return void report(issue);
        if (table === 'measurements') {
          const problem = measurementIssue(row as ImportedMeasurement, index);
          if (problem) report(problem);
        }
        const key = rowKey(table, row!);
        if (key === null) return;
        const earlier = keys[table].get(key);
        // Two rows with one key: the second would be skipped as "already present" without a word.
        if (earlier === undefined) keys[table].set(key, index);
        else if (table === 'history') report({ path: `${table}.${index}`, message: `has the hour and category of ${table}.${earlier}` });
        else report({ path: `${table}.${index}.id`, message: `${key} is also the id of ${table}.${earlier}` });
      },
      seenTables,
    );
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') throw error;
    if (error instanceof TopLevelError) {
      throw new InvalidInputError([{ path: file, message: 'must be a JSON object with "measurements", "analyses", "alerts" and/or "history" arrays' }]);
    }
    throw new InvalidInputError([{ path: file, message: `not valid JSON (${error instanceof Error ? error.message : String(error)})` }]);
  }
  if (seenTables.size === 0) {
    throw new InvalidInputError([{ path: file, message: 'holds no "measurements", "analyses", "alerts" or "history" array: not an export' }]);
  }
  if (issues.length > 0) throw new InvalidInputError(issues);

  const now = new Date();
  const inserted = noRows();
  const done = noRows();
  const batches: { [T in TableName]: ImportedRows[T][] } = { measurements: [], analyses: [], alerts: [], history: [] };
  const flush = async (table: TableName) => {
    const batch = batches[table];
    batches[table] = [];
    if (table === 'measurements') {
      const rows = batch as ImportedMeasurement[];
      // Rows without an id (the original's export, the seed's minimal layout) get one from the database.
      const withId = rows.filter((r) => r.id !== null).map((r) => ({ ...r, id: r.id!, createdAt: r.createdAt ?? now }));
      const withoutId = rows.filter((r) => r.id === null);
      if (withId.length > 0) inserted.measurements += await store.importRows('measurements', withId);
      if (withoutId.length > 0) {
        // A row for a test and instant stored already replaces its value, as recording it again would.
        inserted.measurements += (await store.recordMeasurements(withoutId.map(({ id: _id, createdAt: _at, ...m }) => m))).inserted;
      }
    } else {
      inserted[table] += await store.importRows(table, batch as ImportedRows['analyses' | 'alerts' | 'history'][]);
    }
    done[table] += batch.length;
    options.onProgress?.({ table, done: done[table], total: totals[table] });
  };
  await eachRow(file, async (table, _index, row) => {
    (batches[table] as ImportedRows[typeof table][]).push(row!);
    if (batches[table].length >= batchSize) await flush(table);
  });
  for (const table of tableNames) if (batches[table].length > 0) await flush(table);
  const skipped = noRows();
  for (const table of tableNames) skipped[table] = totals[table] - inserted[table];
  return { inserted, skipped };
}
