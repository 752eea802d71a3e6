import { EventEmitter, on } from 'node:events';
import type { DriftAlert } from '../store/store.js';

/** Where raised alerts go: the GraphQL subscription listens here. */
export interface AlertBus {
  publish(alert: DriftAlert): void;
  /** Every alert published from now on, until the signal aborts or the bus closes. */
  subscribe(signal?: AbortSignal): AsyncIterable<DriftAlert>;
  close(): Promise<void>;
}

/** One process, no infrastructure: SQLite deployments and tests. */
export class InProcessAlertBus implements AlertBus {
  private readonly emitter = new EventEmitter();
  private readonly closed = new AbortController();

  constructor() {
    // Each subscriber is a listener; a dashboard fleet easily passes the default warning threshold of 10.
    this.emitter.setMaxListeners(0);
  }

  publish(alert: DriftAlert): void {
    this.emitter.emit('alert', alert);
  }

  async *subscribe(signal?: AbortSignal): AsyncIterable<DriftAlert> {
    const stop = signal ? AbortSignal.any([signal, this.closed.signal]) : this.closed.signal;
    try {
      for await (const [alert] of on(this.emitter, 'alert', { signal: stop })) yield alert as DriftAlert;
    } catch (error) {
      if (!stop.aborted) throw error;
    }
  }

  async close(): Promise<void> {
    this.closed.abort();
  }
}
