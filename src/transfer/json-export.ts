import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { tableNames, type RowSource, type Store, type TableName } from '../store/store.js';
import { toJsonRow } from './json-rows.js';

export type TableCounts = Record<TableName, number>;

export function noRows(): TableCounts {
  return { measurements: 0, analyses: 0, alerts: 0, history: 0 };
}

export interface TransferProgress {
  table: TableName;
  done: number;
  total: number;
}

/**
 * Writes the whole store as `{"exported_at": …, "measurements": […], "analyses": […], "alerts": […], "history": […]}`,
 * a batch at a time and honouring back-pressure, so memory stays flat however many rows there are;
 * every table as it stood at one moment.
 */
export function exportJson(store: Store, output: Writable, options: { batchSize?: number; onProgress?: (progress: TransferProgress) => void } = {}): Promise<TableCounts> {
  return store.withSnapshot((snapshot) => writeTables(snapshot, output, options));
}

async function writeTables(
  store: RowSource,
  output: Writable,
  options: { batchSize?: number; onProgress?: (progress: TransferProgress) => void },
): Promise<TableCounts> {
  const batchSize = options.batchSize ?? 5000;
  const write = async (chunk: string) => {
    if (!output.write(chunk)) await once(output, 'drain');
  };
  const counts = noRows();
  await write(`{"format":"driftwatch/1","exported_at":${JSON.stringify(new Date().toISOString())}`);
  for (const table of tableNames) {
    const total = await store.countRows(table);
    await write(`,\n${JSON.stringify(table)}:[`);
    for await (const rows of store.streamRows(table, batchSize)) {
      const lines = rows.map((row) => JSON.stringify(toJsonRow(row)));
      await write(`${counts[table] === 0 ? '\n' : ',\n'}${lines.join(',\n')}`);
      counts[table] += rows.length;
      options.onProgress?.({ table, done: counts[table], total });
    }
    await write(']');
  }
  await write('}\n');
  return counts;
}
