/** A problem with one field of the caller's input: `path` names it, e.g. `input.3.confidence`. */
export interface InputIssue {
  path: string;
  message: string;
}

/** Input the store refuses before writing anything. */
export class InvalidInputError extends Error {
  constructor(readonly issues: InputIssue[]) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
    this.name = 'InvalidInputError';
  }
}

// Connection-level failures: the database is down, restarting, or dropped us. SQLSTATE class 08
// (connection exception) and 57P0x (operator intervention), plus the socket errors of the driver.
const unavailableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', 'SQLITE_BUSY']);
const unavailableMessages =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|not currently accepting connections|the database system is (starting up|shutting down)/i;

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current instanceof Error && chain.length < 5; current = current.cause) chain.push(current);
  return chain;
}

/** True when a failure says the database cannot be reached right now, not that the query was wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return causes(error).some((e) => {
    const code = codeOf(e);
    return (code !== undefined && (unavailableCodes.has(code) || code.startsWith('08'))) || unavailableMessages.test((e as Error).message);
  });
}

/**
 * Why the database could not do the work right now, when the fault is the database's state rather
 * than the request: away, a lock held by another session (lock_timeout), a statement over its time
 * (statement_timeout) or a full disk. Null for anything else.
 */
export type DatabaseBusy = 'unavailable' | 'locked' | 'too-slow' | 'disk-full';

// 40P01: chosen as a deadlock's victim, rolled back whole, as after a lock timeout.
const busyCodes: Record<string, DatabaseBusy> = { '55P03': 'locked', '40P01': 'locked', '57014': 'too-slow', '53100': 'disk-full', SQLITE_FULL: 'disk-full' };

export function databaseBusy(error: unknown): DatabaseBusy | null {
  for (const e of causes(error)) {
    const code = codeOf(e);
    if (code !== undefined && code in busyCodes) return busyCodes[code]!;
  }
  return isDatabaseUnavailable(error) ? 'unavailable' : null;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The driver's own words for a failed query, without the SQL and parameters Drizzle wraps it in. */
export function rootMessage(error: unknown): string {
  const chain = causes(error);
  const last = chain.at(-1);
  return last instanceof Error ? last.message : String(error);
}
