import { EventEmitter, on } from 'node:events';
import type { DriftAlert } from '../store/store.js';

/** Where raised alerts go: the GraphQL subscription listens here. */
export interface AlertBus {
  publish(alert: DriftAlert): void;
  /** Every alert published from now on, until the signal aborts or the bus closes. */
  subscribe(signal?: AbortSignal): AsyncIterable<DriftAlert>;
  /** How many subscriptions are listening right now. */
  subscriberCount(): number;
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

  subscribe(signal?: AbortSignal): AsyncIterable<DriftAlert> {
    return alertsFrom(this.emitter, this.closed.signal, signal);
  }

  subscriberCount(): number {
    return this.emitter.listenerCount('alert');
  }

  async close(): Promise<void> {
    this.closed.abort();
  }
}

/** The alerts an emitter emits as 'alert', until the subscriber's signal or the bus's own ends. */
export async function* alertsFrom(emitter: EventEmitter, closed: AbortSignal, signal?: AbortSignal): AsyncIterable<DriftAlert> {
  const stop = signal ? AbortSignal.any([signal, closed]) : closed;
  try {
    for await (const [alert] of on(emitter, 'alert', { signal: stop })) yield alert as DriftAlert;
  } catch (error) {
    if (!stop.aborted) throw error;
  }
}
