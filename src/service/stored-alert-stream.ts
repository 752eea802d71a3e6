import { EventEmitter } from 'node:events';
import type { DriftAlert, Store } from '../store/store.js';
import { alertsFrom } from './alert-bus.js';

const readBatch = 500;

/**
 * The alerts table read as a stream: every alert with an id above the last one delivered, once,
 * in id order, whoever raised it (this process, another instance, the CLI). What wakes a read up
 * is the caller's business: a NOTIFY, a timer, a local publish. Reads queue behind each other, so
 * the cursor only moves forward. Correct as long as alert ids become visible in id order, which
 * both stores guarantee (SQLite has one writer; PostgreSQL raisers take an ordering lock).
 */
export class StoredAlertStream {
  private readonly emitter = new EventEmitter();
  private readonly closed = new AbortController();
  private reading: Promise<void> = Promise.resolve();

  private constructor(
    private readonly store: Store,
    private lastDeliveredId: number,
    private readonly onError: (error: unknown) => void,
  ) {
    // Each subscriber is a listener; a dashboard fleet easily passes the default warning threshold of 10.
    this.emitter.setMaxListeners(0);
  }

  /** Starts after the newest alert that exists now: subscribers get what is raised from here on. */
  static async start(store: Store, onError: (error: unknown) => void): Promise<StoredAlertStream> {
    const [newest] = (await store.listAlerts({}, { first: 1 })).items;
    return new StoredAlertStream(store, newest?.id ?? 0, onError);
  }

  /** Reads and delivers what is new since the last read. */
  readNew(): void {
    this.reading = this.reading.then(async () => {
      try {
        for (;;) {
          const alerts = await this.store.alertsAfter(this.lastDeliveredId, readBatch);
          for (const alert of alerts) {
            this.lastDeliveredId = alert.id;
            this.emitter.emit('alert', alert);
          }
          if (alerts.length < readBatch) return;
        }
      } catch (error) {
        this.onError(error);
      }
    });
  }

  subscribe(signal?: AbortSignal): AsyncIterable<DriftAlert> {
    return alertsFrom(this.emitter, this.closed.signal, signal);
  }

  subscriberCount(): number {
    return this.emitter.listenerCount('alert');
  }

  async close(): Promise<void> {
    this.closed.abort();
    await this.reading;
  }
}
