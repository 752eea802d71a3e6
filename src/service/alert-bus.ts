import { EventEmitter } from 'node:events';
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

/** A subscriber let more alerts pile up unread than a subscriber may hold; it was ended. */
export class SubscriberTooSlowError extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} alerts waited unread for this subscriber`);
    this.name = 'SubscriberTooSlowError';
  }
}

/** How many alerts may wait for one subscriber that is not reading (a stalled client, a full socket). */
export const maxQueuedAlerts = 1000;

/**
 * The alerts an emitter emits as 'alert', until the subscriber's signal or the bus's own ends.
 * Each subscriber holds at most `limit` unread alerts: past that it is ended with
 * SubscriberTooSlowError (its client reconnects and catches up from the API) rather than buffering
 * without bound. Publishing only appends to a short array, so one slow reader never holds up others.
 * The overflow lets go at once (queue emptied, listener removed): a transport stuck on a full
 * socket may not ask for the next alert, and so see the error, for a long time.
 */
export async function* alertsFrom(emitter: EventEmitter, closed: AbortSignal, signal?: AbortSignal, limit = maxQueuedAlerts): AsyncIterable<DriftAlert> {
  const stop = signal ? AbortSignal.any([signal, closed]) : closed;
  const queue: DriftAlert[] = [];
  let overflowed = false;
  let wake: (() => void) | null = null;
  const onAlert = (alert: DriftAlert) => {
    if (queue.length < limit) queue.push(alert);
    else {
      overflowed = true;
      queue.length = 0;
      emitter.off('alert', onAlert);
    }
    wake?.();
  };
  const onStop = () => wake?.();
  emitter.on('alert', onAlert);
  stop.addEventListener('abort', onStop);
  try {
    while (!stop.aborted) {
      if (overflowed) throw new SubscriberTooSlowError(limit);
      const next = queue.shift();
      if (next) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    emitter.off('alert', onAlert);
    stop.removeEventListener('abort', onStop);
  }
}
