import type { MaintenanceConfig } from '../config.js';
import type { Store } from '../store/store.js';
import type { DriftService } from './drift-service.js';

export interface BackgroundLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * Analysis after ingest: writes name the tests they touched; after a quiet spell of `debounceMs`
 * the gathered tests are analysed together, so a burst of batches costs one analysis per test.
 */
export class IngestAnalyzer {
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly drift: DriftService,
    private readonly debounceMs: number,
    private readonly log: BackgroundLog,
  ) {}

  note(testNames: Iterable<string>): void {
    for (const name of testNames) this.pending.add(name);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.debounceMs);
  }

  /** Analyses what is pending now; runs never overlap. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const testNames = [...this.pending];
    this.pending = new Set();
    if (testNames.length === 0) return this.running;
    this.running = this.running.then(async () => {
      try {
        const outcome = await this.drift.analyze({ testNames });
        this.log.info({ tests: outcome.analyses.length, alerts: outcome.alerts.length }, 'analysed after ingest');
      } catch (error) {
        this.log.error({ err: error }, 'analysis after ingest failed');
      }
    });
    return this.running;
  }

  /** Wraps a store so every successful write notes the tests it touched. */
  watch(store: Store): Store {
    return new Proxy(store, {
      get: (target, key, receiver) => {
        if (key === 'recordMeasurement') {
          return async (...args: Parameters<Store['recordMeasurement']>) => {
            const saved = await target.recordMeasurement(...args);
            this.note([saved.testName]);
            return saved;
          };
        }
        if (key === 'recordMeasurements') {
          return async (...args: Parameters<Store['recordMeasurements']>) => {
            const outcome = await target.recordMeasurements(...args);
            this.note(args[0].map((m) => m.testName.trim()));
            return outcome;
          };
        }
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }

  async close(): Promise<void> {
    await this.flush();
  }
}

/** Scheduled retention: cleanup with the configured ages every interval, each run logged with its counts. */
export function scheduleRetention(store: Store, config: MaintenanceConfig, log: BackgroundLog): { stop(): void } {
  if (config.retentionIntervalMinutes === 0) return { stop: () => {} };
  const timer = setInterval(() => {
    store.cleanup(config.retention, new Date()).then(
      (deleted) => log.info({ deleted }, 'retention cleanup'),
      (error: unknown) => log.error({ err: error }, 'retention cleanup failed'),
    );
  }, config.retentionIntervalMinutes * 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/**
 * Storage readied for the coming writes every few hours (partitions ahead of time), so a server
 * that runs for months never writes past the periods it made on start.
 */
export function scheduleStorageMaintenance(store: Store, log: BackgroundLog, intervalMs = 6 * 3_600_000): { stop(): void } {
  const timer = setInterval(() => {
    store.maintainStorage(new Date()).then(
      (made) => made.length > 0 && log.info({ partitions: made }, 'partitions made ahead'),
      (error: unknown) => log.error({ err: error }, 'storage maintenance failed'),
    );
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
