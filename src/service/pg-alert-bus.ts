import { EventEmitter } from 'node:events';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { DriftAlert, Store } from '../store/store.js';
import { alertsFrom, type AlertBus } from './alert-bus.js';

export interface PgAlertBusOptions {
  url: string;
  schema: string;
  store: Store;
  /** Reconnect delays grow from `minDelayMs`, doubling, up to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Alerts across instances through PostgreSQL itself. A NOTIFY carries only the new alert's id;
 * every instance LISTENs and then reads the alerts table from the last id it delivered. The table
 * is the truth: alerts raised while the listener was away are read on reconnect, in id order, and
 * an alert is delivered once however many notifications mention it.
 */
export class PgAlertBus implements AlertBus {
  private readonly emitter = new EventEmitter();
  private readonly closed = new AbortController();
  private readonly channel: string;
  private client: pg.Client | null = null;
  private lastDeliveredId = 0;
  private catchingUp: Promise<void> = Promise.resolve();
  private delay: number;

  private constructor(private readonly options: PgAlertBusOptions) {
    this.emitter.setMaxListeners(0);
    this.channel = `driftwatch_alerts_${options.schema}`;
    this.delay = options.minDelayMs ?? 100;
  }

  /** Starts listening from the newest alert that exists now. */
  static async start(options: PgAlertBusOptions): Promise<PgAlertBus> {
    const bus = new PgAlertBus(options);
    bus.lastDeliveredId = await newestAlertId(options.store);
    await bus.connect();
    return bus;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.url, application_name: 'driftwatch-alerts' });
    client.on('notification', () => this.catchUp());
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('listener connection ended')));
    await client.connect();
    await drizzle({ client }).execute(sql`listen ${sql.identifier(this.channel)}`);
    this.client = client;
    this.delay = this.options.minDelayMs ?? 100;
    // Whatever was raised while no one listened is in the table: read it now.
    this.catchUp();
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.client !== client || this.closed.signal.aborted) return;
    this.client = null;
    client.removeAllListeners('notification');
    this.options.onError?.(error);
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    while (!this.closed.signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, this.delay));
      this.delay = Math.min(this.delay * 2, this.options.maxDelayMs ?? 5000);
      if (this.closed.signal.aborted) return;
      try {
        await this.connect();
        return;
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }

  /** Reads and emits the alerts after the last delivered id; calls queue, so order holds. */
  private catchUp(): void {
    this.catchingUp = this.catchingUp.then(async () => {
      try {
        for (;;) {
          const alerts = await this.options.store.alertsAfter(this.lastDeliveredId, 500);
          for (const alert of alerts) {
            this.lastDeliveredId = alert.id;
            this.emitter.emit('alert', alert);
          }
          if (alerts.length < 500) return;
        }
      } catch (error) {
        this.options.onError?.(error);
      }
    });
  }

  publish(alert: DriftAlert): void {
    // Delivery, here too, comes back through LISTEN, so each instance emits every alert exactly once.
    const client = this.client;
    if (!client) return this.catchUp();
    drizzle({ client })
      .execute(sql`select pg_notify(${this.channel}, ${String(alert.id)})`)
      .catch((error: unknown) => {
        this.options.onError?.(error);
        this.catchUp();
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
    const client = this.client;
    this.client = null;
    await this.catchingUp;
    await client?.end().catch(() => {});
  }
}

async function newestAlertId(store: Store): Promise<number> {
  const [newest] = (await store.listAlerts({}, { first: 1 })).items;
  return newest?.id ?? 0;
}
