import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { alertChannel } from '../store/pg-store.js';
import type { Store } from '../store/store.js';
import { StoredAlertBus, type AlertWaker } from './stored-alert-bus.js';

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
 * raised it; each instance LISTENs and reads the table from the last id it delivered. Alerts raised
 * while the listener was away are read on reconnect.
 */
export function startPgAlertBus(options: PgAlertBusOptions): Promise<StoredAlertBus> {
  const onError = (error: unknown) => options.onError?.(error);
  return StoredAlertBus.start(options.store, onError, async (readNew) => {
    const listener = new PgAlertListener(options, readNew, onError);
    await listener.connect();
    return listener;
  });
}

/** One LISTEN connection that wakes the bus on every notification and on every (re)connect. */
class PgAlertListener implements AlertWaker {
  private readonly closed = new AbortController();
  private client: pg.Client | null = null;
  private delay: number;

  constructor(
    private readonly options: PgAlertBusOptions,
    private readonly readNew: () => void,
    private readonly onError: (error: unknown) => void,
  ) {
    this.delay = options.minDelayMs ?? 100;
  }

  async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.url, application_name: this.options.applicationName ?? 'driftwatch-alerts' });
    client.on('notification', () => this.readNew());
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('listener connection ended')));
    await client.connect();
    await drizzle({ client }).execute(sql`listen ${sql.identifier(alertChannel(this.options.schema))}`);
    this.client = client;
    this.delay = this.options.minDelayMs ?? 100;
    // Whatever was raised while no one listened is in the table: read it now.
    this.readNew();
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.client !== client || this.closed.signal.aborted) return;
    this.client = null;
    client.removeAllListeners('notification');
    this.onError(error);
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
        this.onError(error);
      }
    }
  }

  async close(): Promise<void> {
    this.closed.abort();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }
}
