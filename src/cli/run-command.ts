import fs from 'node:fs';
import { ConfigError, describeDatabase, maskUrl, type Config } from '../config.js';
import { openStore } from '../store/open-store.js';
import { InvalidInputError, rootMessage } from '../store/errors.js';
import type { Store } from '../store/store.js';

/** Exit codes: 0 ok, 1 the work failed, 2 the command was used wrongly. */
export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;

export class UsageError extends Error {}

export interface StoreUse {
  /**
   * The command only reads: a SQLite file that does not exist is a mistyped path, not a database
   * to create (creating it would report an empty database as if it were the user's).
   */
  readOnly?: boolean;
}

/** Opens the configured store, runs the work, and always closes the store again. */
export async function withStore<T>(config: Config, work: (store: Store) => Promise<T>, use: StoreUse = {}): Promise<T> {
  const database = config.database;
  if (use.readOnly && database.backend === 'sqlite' && !fs.existsSync(database.path)) {
    throw new Error(`${database.path}: no such SQLite database (check --sqlite-path / --db-path; \`drift migrate\` creates a new one)`);
  }
  let store: Store;
  try {
    store = await openStore(config.database);
  } catch (error) {
    throw new Error(`cannot open ${describeDatabase(config.database)}: ${messageOf(error)}`);
  }
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

function messageOf(error: unknown): string {
  const text = rootMessage(error);
  // Driver messages may quote a connection string; never let a password through.
  return text.replace(/postgres(ql)?:\/\/[^\s'"]+/g, (url) => maskUrl(url));
}

/** One clear line on stderr and the exit code that fits, for whatever a command threw. */
export function reportFailure(error: unknown): number {
  if (error instanceof ConfigError || error instanceof UsageError) {
    process.stderr.write(`drift: ${error.message}\n`);
    return exitCodes.usage;
  }
  if (error instanceof InvalidInputError) {
    process.stderr.write(`drift: invalid input: ${error.message}\n`);
    return exitCodes.failure;
  }
  process.stderr.write(`drift: ${messageOf(error)}\n`);
  return exitCodes.failure;
}
