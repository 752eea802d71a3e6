import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { alertChannel } from '../store/pg-store.js';
import type { DriftAlert, Store } from '../store/store.js';
import type { AlertBus } from './alert-bus.js';
import { StoredAlertStream } from './stored-alert-stream.js';

export interface PgAlertBusOptions {
  url: string;
  schema: string;
  store: Store;
  /** Names the listener connection in pg_stat_activity. */
  applicationName?: string;
  /** Reconnect delays grow from `minDelayMs`, doubling, up to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Alerts across instances through PostgreSQL itself. The store NOTIFYs inside the transaction that
 * inserts an alert, so the notification arrives when the alert is committed, whichever process
 * raised it. Every instance LISTENs and then reads the alerts table from the last id it delivered:
 * the table is the truth, alerts raised while the listener was away are read on reconnect, and an
 * alert is delivered once however many notifications mention it.
 */
export class PgAlertBus implements AlertBus {
  private readonly closed = new AbortController();
  private readonly channel: string;
  private client: pg.Client | null = null;
  private delay: number;

  private constructor(
    private readonly options: PgAlertBusOptions,
    private readonly stream: StoredAlertStream,
  ) {
    this.channel = alertChannel(options.schema);
    this.delay = options.minDelayMs ?? 100;
  }

  /** Starts listening from the newest alert that exists now. */
  static async start(options: PgAlertBusOptions): Promise<PgAlertBus> {
    const stream = await StoredAlertStream.start(options.store, (error) => options.onError?.(error));
    const bus = new PgAlertBus(options, stream);
    await bus.connect();
    return bus;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.url, application_name: this.options.applicationName ?? 'driftwatch-alerts' });
    client.on('notification', () => this.stream.readNew());
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('listener connection ended')));
    await client.connect();
    await drizzle({ client }).execute(sql`listen ${sql.identifier(this.channel)}`);
    this.client = client;
    this.delay = this.options.minDelayMs ?? 100;
    // Whatever was raised while no one listened is in the table: read it now.
    this.stream.readNew();
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

  /** The store already notified every instance; reading now only saves this one the round trip. */
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
    this.closed.abort();
    const client = this.client;
    this.client = null;
    await this.stream.close();
    await client?.end().catch(() => {});
  }
}
