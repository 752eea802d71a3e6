// Analysing every test of a database of 1,000,000 measurements over 10,000 tests, per backend.
import { openStore } from '../src/store/open-store.js';
import { InProcessAlertBus } from '../src/service/alert-bus.js';
import { StoreDriftService } from '../src/service/store-drift-service.js';
import type { StorageBackend } from '../src/store/store.js';
import { benchDatabase, heading, rate, table, timed } from './support.js';

const measurements = Number(process.env.BENCH_ANALYSIS_ROWS ?? 1_000_000);
const tests = Number(process.env.BENCH_ANALYSIS_TESTS ?? 10_000);

async function benchBackend(backend: StorageBackend) {
  const database = await benchDatabase(backend);
  const store = await openStore(database.config);
  const alerts = new InProcessAlertBus();
  try {
    const now = Date.now();
    const perTest = measurements / tests;
    // Every tenth test drops from 0.9 to 0.6 half-way, the rest hover around 0.85.
    for (let offset = 0; offset < measurements; offset += 10_000) {
      await store.recordMeasurements(
        Array.from({ length: Math.min(10_000, measurements - offset) }, (_, i) => {
          const n = offset + i;
          const test = n % tests;
          const run = Math.floor(n / tests);
          const falling = test % 10 === 0 && run >= perTest / 2;
          return {
            testName: `suite.test_${String(test).padStart(5, '0')}`,
            confidence: falling ? 0.6 : 0.85 + ((n * 7919) % 100) / 1000,
            category: `category_${test % 10}`,
            timestamp: new Date(now - (perTest - run) * 3_600_000),
          };
        }),
      );
    }
    const service = new StoreDriftService(store, alerts, { lookbackDays: 30 });
    const { seconds, result } = await timed(() => service.analyze({}));
    return {
      backend,
      measurements,
      tests: result.analyses.length,
      alerts: result.alerts.length,
      seconds: seconds.toFixed(1),
      'measurements analysed': rate(measurements, seconds),
      'tests per second': Math.round(result.analyses.length / seconds).toLocaleString('en-US'),
    };
  } finally {
    await alerts.close();
    await store.close();
    await database.destroy();
  }
}

export async function benchAnalysis(): Promise<void> {
  heading(`Analyse all tests: ${measurements.toLocaleString('en-US')} measurements over ${tests.toLocaleString('en-US')} tests`);
  table([await benchBackend('sqlite'), await benchBackend('postgres')]);
}
