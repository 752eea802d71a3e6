import type { DriftAlert, Store } from '../store/store.js';
import { InProcessAlertBus, type AlertBus } from './alert-bus.js';

// Well under a subscriber's queue (maxQueuedAlerts), so one read never overflows a subscriber that reads.
const readBatch = 200;

/** Whatever tells a bus that new alerts may be in the table: a LISTEN connection, a timer. */
export interface AlertWaker {
  close(): Promise<void>;
}

/**
 * The alerts table read as a stream: every alert with an id above the last one delivered, once,
 * in id order, whoever raised it (this process, another instance, the CLI). A waker says when to
 * read; reads queue behind each other, so the cursor only moves forward. Correct as long as alert
 * ids become visible in id order, which both stores guarantee (SQLite has one writer; PostgreSQL
 * raisers take an ordering lock).
 */
export class StoredAlertBus implements AlertBus {
  private readonly fanOut = new InProcessAlertBus();
  private reading: Promise<void> = Promise.resolve();
  private waker: AlertWaker | null = null;

  private constructor(
    private readonly store: Store,
    private lastDeliveredId: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Starts after the newest alert that exists now: subscribers get what is raised from here on. */
  static async start(store: Store, onError: (error: unknown) => void, wake: (readNew: () => void) => Promise<AlertWaker>): Promise<StoredAlertBus> {
    const [newest] = (await store.listAlerts({}, { first: 1 })).items;
    const bus = new StoredAlertBus(store, newest?.id ?? 0, onError);
    bus.waker = await wake(() => bus.readNew());
    return bus;
  }

  private readNew(): void {
    this.reading = this.reading.then(async () => {
      try {
        for (;;) {
          const alerts = await this.store.alertsAfter(this.lastDeliveredId, readBatch);
          for (const alert of alerts) {
            this.lastDeliveredId = alert.id;
            this.fanOut.publish(alert);
          }
          if (alerts.length < readBatch) return;
          // Let subscribers send what they were given before the next batch arrives.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } catch (error) {
        this.onError(error);
      }
    });
  }

  /** The alert is in the table already; reading now only spares this process the wait for its waker. */
  publish(_alert: DriftAlert): void {
    this.readNew();
  }

  subscribe(signal?: AbortSignal): AsyncIterable<DriftAlert> {
    return this.fanOut.subscribe(signal);
  }

  subscriberCount(): number {
    return this.fanOut.subscriberCount();
  }

  async close(): Promise<void> {
    await this.waker?.close();
    await this.reading;
    await this.fanOut.close();
  }
}

/**
 * SQLite has no notifications: the table is read by id on a short interval, so alerts that another
 * process (the CLI, a second server on the same file) raises arrive within `intervalMs`. Each read
 * is one indexed lookup that usually finds nothing.
 */
export function startPolledAlertBus(store: Store, options: { intervalMs?: number; onError?: (error: unknown) => void } = {}): Promise<StoredAlertBus> {
  return StoredAlertBus.start(
    store,
    (error) => options.onError?.(error),
    async (readNew) => {
      const timer = setInterval(readNew, options.intervalMs ?? 500).unref();
      return { close: async () => clearInterval(timer) };
    },
  );
}
