// Dialect-free pieces both stores build their queries from: filters, keyset conditions,
// orderings, page slicing and row parsing. Drizzle's operators render per dialect, so the
// same expression serves PostgreSQL and SQLite.
import { and, asc, desc, eq, getTableColumns, gt, gte, ilike, inArray, lt, lte, or, sql, type SQL, type Column, type Table } from 'drizzle-orm';
import { toSnakeCase } from 'drizzle-orm/casing';
import type * as pg from '../db/pg/schema.js';
import { z } from 'zod';
import {
  defaultPageSize,
  directions,
  driftKinds,
  severities,
  severitiesAtLeast,
  trends,
  type AlertFilter,
  type AnalysisFilter,
  type DriftAlert,
  type DriftAnalysis,
  type MeasurementFilter,
  type Page,
  type PageRequest,
  type Severity,
  type StorageBackend,
  type TestFilter,
  type TimeCursor,
  type TrackedTest,
} from './store.js';

// Column bags rather than table types, so an alias of a table (for correlated subqueries) fits too.
interface MeasurementColumns {
  testName: Column;
  category: Column;
  timestamp: Column;
}
interface AnalysisColumns {
  testName: Column;
  category: Column;
  severity: Column;
  analyzedAt: Column;
}
interface AlertColumns {
  testName: Column;
  severity: Column;
  acknowledged: Column;
  createdAt: Column;
}

export function measurementConditions(t: MeasurementColumns, filter: MeasurementFilter): SQL | undefined {
  return and(
    filter.testName !== undefined ? eq(t.testName, filter.testName) : undefined,
    filter.category !== undefined ? eq(t.category, filter.category) : undefined,
    filter.since !== undefined ? gte(t.timestamp, filter.since) : undefined,
    filter.until !== undefined ? lte(t.timestamp, filter.until) : undefined,
  );
}

/** `%`, `_` and `\` in a search are literal characters, not wildcards. */
function containsPattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function testConditions(t: MeasurementColumns, filter: TestFilter, backend: StorageBackend): SQL | undefined {
  const search =
    filter.search === undefined
      ? undefined
      : backend === 'postgres'
        ? ilike(t.testName, containsPattern(filter.search))
        : // SQLite's LIKE folds ASCII case only; lower() on both sides keeps the pair consistent.
          sql`lower(${t.testName}) like lower(${containsPattern(filter.search)}) escape '\\'`;
  return and(filter.category !== undefined ? eq(t.category, filter.category) : undefined, search);
}

export function analysisConditions(t: AnalysisColumns, filter: AnalysisFilter): SQL | undefined {
  return and(
    filter.testName !== undefined ? eq(t.testName, filter.testName) : undefined,
    filter.category !== undefined ? eq(t.category, filter.category) : undefined,
    filter.minSeverity !== undefined ? inArray(t.severity, severitiesAtLeast(filter.minSeverity)) : undefined,
    filter.since !== undefined ? gte(t.analyzedAt, filter.since) : undefined,
  );
}

export function alertConditions(t: AlertColumns, filter: AlertFilter): SQL | undefined {
  return and(
    filter.testName !== undefined ? eq(t.testName, filter.testName) : undefined,
    filter.minSeverity !== undefined ? inArray(t.severity, severitiesAtLeast(filter.minSeverity)) : undefined,
    filter.acknowledged !== undefined ? eq(t.acknowledged, filter.acknowledged) : undefined,
    filter.since !== undefined ? gte(t.createdAt, filter.since) : undefined,
  );
}

/** How to read one page of a newest-first listing keyed by (time, id). */
export interface KeysetPlan {
  where: SQL | undefined;
  orderBy: SQL[];
  limit: number;
  /** Rows come back oldest first for `last`/`before` and must be reversed. */
  backwards: boolean;
  size: number;
}

export function keysetPlan(time: Column, id: Column, request: PageRequest<TimeCursor>): KeysetPlan {
  const backwards = request.last !== undefined && request.first === undefined;
  const size = (backwards ? request.last : request.first) ?? defaultPageSize;
  const cursor = backwards ? request.before : request.after;
  // The redundant bound on `time` alone lets the planner range-scan the (time, id) index.
  const where =
    cursor === undefined
      ? undefined
      : backwards
        ? and(gte(time, cursor.at), or(gt(time, cursor.at), gt(id, cursor.id)))
        : and(lte(time, cursor.at), or(lt(time, cursor.at), lt(id, cursor.id)));
  const orderBy = backwards ? [asc(time), asc(id)] : [desc(time), desc(id)];
  return { where, orderBy, limit: size + 1, backwards, size };
}

/**
 * Cuts the extra look-ahead row and sets the page flags. The flag on the side the cursor came from
 * is true whenever a cursor was given: the row it points at existed (Relay allows this shortcut).
 */
export function toPage<T>(rows: T[], plan: Pick<KeysetPlan, 'backwards' | 'size'>, hadCursor: boolean): Page<T> {
  const more = rows.length > plan.size;
  const items = rows.slice(0, plan.size);
  if (plan.backwards) {
    items.reverse();
    return { items, hasNextPage: hadCursor, hasPreviousPage: more };
  }
  return { items, hasNextPage: more, hasPreviousPage: hadCursor };
}

export function hadCursor(request: PageRequest<unknown>): boolean {
  const backwards = request.last !== undefined && request.first === undefined;
  return (backwards ? request.before : request.after) !== undefined;
}

// The dialects' rows have one type (test/db/schema-parity.test.ts).
type AnalysisRow = typeof pg.driftAnalysis.$inferSelect;
type AlertRow = typeof pg.driftAlerts.$inferSelect;

// Severity and direction are TEXT columns; rows are parsed here, at the store's edge.
const severityText = z.enum(severities);
const directionText = z.enum(directions);
const trendText = z.enum(trends);
const kindText = z.enum(driftKinds).nullable();

export function parseSeverity(text: string): Severity {
  return severityText.parse(text);
}

export function toAnalysis(row: AnalysisRow): DriftAnalysis {
  return {
    ...row,
    severity: severityText.parse(row.severity),
    direction: directionText.parse(row.direction),
    trend: trendText.parse(row.trend),
    kind: kindText.parse(row.kind),
  };
}

export function toAlert(row: AlertRow): DriftAlert {
  return { ...row, severity: severityText.parse(row.severity) };
}

/** A tracked test's aggregates; a group always has a row, so the nullable aggregates are not null. */
export function toTrackedTest(row: {
  testName: string;
  category: string | null;
  measurementsCount: number;
  firstSeen: Date | null;
  lastSeen: Date | null;
  latestConfidence: number | null;
  averageConfidence: number | null;
}): TrackedTest {
  const { firstSeen, lastSeen, latestConfidence, averageConfidence } = row;
  if (firstSeen === null || lastSeen === null || latestConfidence === null || averageConfidence === null) {
    throw new Error(`aggregates of test ${row.testName} came back empty`);
  }
  return { ...row, firstSeen, lastSeen, latestConfidence: Number(latestConfidence), averageConfidence };
}

/** The columns a recording replaces when its test and instant are stored already: all but the key. */
export function replacedColumns(table: Table, key: readonly string[] = ['id', 'testName', 'timestamp']): Record<string, SQL> {
  const replaced = Object.keys(getTableColumns(table)).filter((column) => !key.includes(column));
  return Object.fromEntries(replaced.map((key) => [key, sql`excluded.${sql.identifier(toSnakeCase(key))}`]));
}

/** One row per test and instant, the later of a batch's rows winning: a statement may not touch a row twice. */
export function latestPerTestAndInstant<R extends { testName: string; timestamp: Date }>(rows: readonly R[]): R[] {
  const latest = new Map<string, R>();
  for (const row of rows) latest.set(`${row.testName}\u0000${row.timestamp.getTime()}`, row);
  return latest.size === rows.length ? [...rows] : [...latest.values()];
}

/** Puts rows fetched by id back in the order the ids were asked for, for DataLoader. */
export function inIdOrder<T extends { id: number }>(ids: readonly number[], rows: T[]): T[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}
