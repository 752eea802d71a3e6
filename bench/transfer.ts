// Export and import of a million measurements: rows per second and the peak memory they add.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { openStore } from '../src/store/open-store.js';
import { exportJson } from '../src/transfer/json-export.js';
import { importJson } from '../src/transfer/json-import.js';
import { benchDatabase, heading, measurementBatch, peakMemory, rate, table, timed } from './support.js';

const rows = Number(process.env.BENCH_TRANSFER_ROWS ?? 1_000_000);

export async function benchTransfer(): Promise<void> {
  heading(`JSON export from SQLite and import into PostgreSQL of ${rows.toLocaleString('en-US')} measurements`);
  const source = await benchDatabase('sqlite');
  const target = await benchDatabase('postgres');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'driftwatch-bench-json-')), 'export.json');
  const from = await openStore(source.config);
  const to = await openStore(target.config);
  try {
    for (let offset = 0; offset < rows; offset += 10_000) {
      await from.recordMeasurements(measurementBatch(Math.min(10_000, rows - offset), offset, 10_000));
    }
    const exported = await peakMemory(() =>
      timed(async () => {
        const out = fs.createWriteStream(file);
        await exportJson(from, out);
        out.end();
        await once(out, 'finish');
      }),
    );
    const imported = await peakMemory(() => timed(() => importJson(to, file)));
    if (imported.result.result.inserted.measurements !== rows) throw new Error('import lost rows');
    table([
      {
        step: 'export (SQLite -> file)',
        throughput: rate(rows, exported.result.seconds),
        seconds: exported.result.seconds.toFixed(1),
        'peak extra RSS MiB': exported.peakMiB.toFixed(0),
        'file MiB': (fs.statSync(file).size / 2 ** 20).toFixed(0),
      },
      {
        step: 'import (file -> PostgreSQL, validate + write)',
        throughput: rate(rows, imported.result.seconds),
        seconds: imported.result.seconds.toFixed(1),
        'peak extra RSS MiB': imported.peakMiB.toFixed(0),
        'file MiB': '',
      },
    ]);
  } finally {
    await from.close();
    await to.close();
    await source.destroy();
    await target.destroy();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}
