import type { DriftAlert, Store } from '../store/store.js';
import type { AlertBus } from './alert-bus.js';
import { StoredAlertStream } from './stored-alert-stream.js';

/**
 * SQLite has no notifications: the alerts table is read by id on a short interval, so alerts that
 * another process (the CLI, a second server on the same file) raises reach this server's
 * subscribers within `intervalMs`. Each read is one indexed lookup that usually finds nothing.
 */
export class PolledAlertBus implements AlertBus {
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly stream: StoredAlertStream,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => stream.readNew(), intervalMs).unref();
  }

  static async start(store: Store, options: { intervalMs?: number; onError?: (error: unknown) => void } = {}): Promise<PolledAlertBus> {
    const stream = await StoredAlertStream.start(store, (error) => options.onError?.(error));
    return new PolledAlertBus(stream, options.intervalMs ?? 500);
  }

  /** Delivers this process's own alerts at once instead of at the next poll. */
  publish(_alert: DriftAlert): void {
    this.stream.readNew();
  }

  subscribe(signal?: AbortSignal): AsyncIterable<DriftAlert> {
    return this.stream.subscribe(signal);
  }

  subscriberCount(): number {
    return this.stream.subscriberCount();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.stream.close();
  }
}
