// `drift copy` of a million measurements from SQLite into PostgreSQL: rows per second, peak memory.
import { openStore } from '../src/store/open-store.js';
import { copyStore, verifyCopy } from '../src/transfer/copy.js';
import { benchDatabase, heading, measurementBatch, peakMemory, rate, table, timed } from './support.js';

const rows = Number(process.env.BENCH_COPY_ROWS ?? 1_000_000);

export async function benchCopy(): Promise<void> {
  heading(`copy SQLite -> PostgreSQL of ${rows.toLocaleString('en-US')} measurements (with verification)`);
  const source = await benchDatabase('sqlite');
  const target = await benchDatabase('postgres');
  const from = await openStore(source.config);
  const to = await openStore(target.config);
  try {
    for (let offset = 0; offset < rows; offset += 10_000) {
      await from.recordMeasurements(measurementBatch(Math.min(10_000, rows - offset), offset, 10_000));
    }
    const copied = await peakMemory(() => timed(() => copyStore(from, to)));
    const verified = await timed(() => verifyCopy(from, to));
    if (!verified.result.every((v) => v.matches)) throw new Error('copy verification failed');
    table([
      {
        step: 'copy',
        throughput: rate(rows, copied.result.seconds),
        seconds: copied.result.seconds.toFixed(1),
        'peak extra RSS MiB': copied.peakMiB.toFixed(0),
      },
      { step: 'verify (counts + SHA-256, both sides)', throughput: rate(rows * 2, verified.seconds), seconds: verified.seconds.toFixed(1), 'peak extra RSS MiB': '' },
    ]);
  } finally {
    await from.close();
    await to.close();
    await source.destroy();
    await target.destroy();
  }
}
