/**
 * What a log may say about an unexpected error: its kind, the database's error code and which
 * statement failed (verb and table). Never its message: a failed query's message carries the SQL
 * with every parameter (test names, failure ids, whole batches), and a driver's may carry more.
 */
export interface FaultSummary {
  name: string;
  code?: string;
  query?: string;
}

export function describeFault(error: unknown): FaultSummary {
  if (!(error instanceof Error)) return { name: typeof error };
  const summary: FaultSummary = { name: error.name };
  const code = codeOf(error) ?? codeOf(error.cause);
  if (code) summary.code = code;
  const sql = (error as { query?: unknown }).query;
  if (typeof sql === 'string') {
    // A statement of common table expressions is named by the first one, the one doing the work.
    const first = /^\s*with\b/i.test(sql) ? sql.slice(Math.max(0, sql.search(/\b(select|insert|update|delete)\b/i))) : sql;
    const statement = /^\s*(select|insert|update|delete|with|vacuum|create|alter|drop)\b(?:[^"]*?"(\w+)")?/i.exec(first);
    summary.query = statement ? [statement[1]!.toLowerCase(), statement[2]].filter(Boolean).join(' ') : 'sql';
  }
  return summary;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
}
