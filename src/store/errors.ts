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
    const code = (e as { code?: unknown }).code;
    return (typeof code === 'string' && (unavailableCodes.has(code) || code.startsWith('08'))) || unavailableMessages.test((e as Error).message);
  });
}

/** The driver's own words for a failed query, without the SQL and parameters Drizzle wraps it in. */
export function rootMessage(error: unknown): string {
  const chain = causes(error);
  const last = chain.at(-1);
  return last instanceof Error ? last.message : String(error);
}
