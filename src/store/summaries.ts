// How the summary tables (test_summaries, hourly_confidence) follow the measurements: what a batch
// adds to them, and how a stored summary merges with an addition. Dialect-free: the expressions are
// CASE and arithmetic, which render the same on PostgreSQL and SQLite.
import { type Column, type SQL, getTableName, sql } from 'drizzle-orm';
import { toSnakeCase } from 'drizzle-orm/casing';
import { nextPeriod, periodStart } from '../db/pg/partition-periods.js';

/** The key a measurement's category is summarised under: a category is never empty, so '' means none. */
export function categoryKey(category: string | null): string {
  return category ?? '';
}

export function categoryOfKey(key: string): string | null {
  return key === '' ? null : key;
}

/** The summaries of category X: '' asks for a category no measurement has, not for the uncategorised. */
export function categoryKeyIs(column: Column | SQL, category: string): SQL {
  return category === '' ? sql`1 = 0` : sql`${column} = ${category}`;
}

const hourMs = 3_600_000;

/** The start of the UTC hour holding an instant (floored, so instants before 1970 bin correctly too). */
export function hourOf(instant: Date): Date {
  const time = instant.getTime();
  return new Date(time - (((time % hourMs) + hourMs) % hourMs));
}

/**
 * The UTC month holding an instant: test_summaries keeps a row per test, category and month, so
 * retention drops a whole month's summaries with its measurements instead of recounting the rest.
 */
export function periodOf(instant: Date): Date {
  return periodStart(instant, 'month');
}

/** The period after the one starting at `period`. */
export function periodAfter(period: Date): Date {
  return nextPeriod(period, 'month');
}

/** The first hour boundary at or after an instant: where whole hours of a range begin. */
export function nextHourFrom(instant: Date): Date {
  const start = hourOf(instant);
  return start.getTime() === instant.getTime() ? start : new Date(start.getTime() + hourMs);
}

export interface SummarisedRow {
  testName: string;
  category: string | null;
  confidence: number;
  timestamp: Date;
}

interface Aggregate {
  measurementsCount: number;
  confidenceSum: number;
  minConfidence: number;
  maxConfidence: number;
}

export interface TestSummaryAddition extends Aggregate {
  testName: string;
  categoryKey: string;
  period: Date;
  firstSeen: Date;
  lastSeen: Date;
  latestConfidence: number;
}

export interface HourAddition extends Aggregate {
  categoryKey: string;
  hour: Date;
}

/** What new measurements (one per test and instant) add, per test, category and period, and per hour and category. */
export function summaryAdditions(rows: readonly SummarisedRow[]): { tests: TestSummaryAddition[]; hours: HourAddition[] } {
  const tests = new Map<string, TestSummaryAddition>();
  const hours = new Map<string, HourAddition>();
  for (const row of rows) {
    const key = categoryKey(row.category);
    const period = periodOf(row.timestamp);
    const testKey = `${row.testName}\u0000${key}\u0000${period.getTime()}`;
    const test = tests.get(testKey);
    if (test === undefined) {
      tests.set(testKey, {
        testName: row.testName,
        categoryKey: key,
        period,
        ...single(row.confidence),
        firstSeen: row.timestamp,
        lastSeen: row.timestamp,
        latestConfidence: row.confidence,
      });
    } else {
      add(test, row.confidence);
      if (row.timestamp < test.firstSeen) test.firstSeen = row.timestamp;
      if (row.timestamp > test.lastSeen) {
        test.lastSeen = row.timestamp;
        test.latestConfidence = row.confidence;
      }
    }
    const hour = hourOf(row.timestamp);
    const bucket = hours.get(`${hour.getTime()}\u0000${key}`);
    if (bucket === undefined) hours.set(`${hour.getTime()}\u0000${key}`, { categoryKey: key, hour, ...single(row.confidence) });
    else add(bucket, row.confidence);
  }
  return { tests: [...tests.values()], hours: [...hours.values()] };
}

function single(confidence: number): Aggregate {
  return { measurementsCount: 1, confidenceSum: confidence, minConfidence: confidence, maxConfidence: confidence };
}

function add(into: Aggregate, confidence: number): void {
  into.measurementsCount++;
  into.confidenceSum += confidence;
  if (confidence < into.minConfidence) into.minConfidence = confidence;
  if (confidence > into.maxConfidence) into.maxConfidence = confidence;
}

/** In a conflict's clauses, the value that would have been inserted. */
export const excludedValue = (column: Column) => sql`excluded.${sql.identifier(toSnakeCase(column.name))}`;
// Qualified by its table: PostgreSQL finds a bare column name ambiguous beside `excluded`.
const stored = (column: Column) => sql`${sql.identifier(getTableName(column.table))}.${sql.identifier(toSnakeCase(column.name))}`;
const lesser = (column: Column) => sql`case when ${excludedValue(column)} < ${stored(column)} then ${excludedValue(column)} else ${stored(column)} end`;
/** In a conflict's WHERE, whether the value that would have been inserted is greater than the stored one. */
export const exceedsStored = (column: Column) => sql`${excludedValue(column)} > ${stored(column)}`;
const greaterOfBoth = (column: Column) => sql`case when ${exceedsStored(column)} then ${excludedValue(column)} else ${stored(column)} end`;
const plus = (column: Column) => sql`${stored(column)} + ${excludedValue(column)}`;

/** How an addition merges into a stored aggregate (the conflict's SET clause). */
export function mergeAggregate(table: Record<keyof Aggregate, Column>): Record<keyof Aggregate, SQL> {
  return {
    measurementsCount: plus(table.measurementsCount),
    confidenceSum: plus(table.confidenceSum),
    minConfidence: lesser(table.minConfidence),
    maxConfidence: greaterOfBoth(table.maxConfidence),
  };
}

/** As mergeAggregate, plus the span and the latest value, and one more revision for analysis to notice. */
export function mergeTestSummary(table: Record<keyof TestSummaryAddition | 'revision', Column>): Record<string, SQL> {
  return {
    ...mergeAggregate(table),
    firstSeen: lesser(table.firstSeen),
    lastSeen: greaterOfBoth(table.lastSeen),
    // Every SET expression reads the row as it was, so last_seen here is still the stored one.
    latestConfidence: sql`case when ${exceedsStored(table.lastSeen)} then ${excludedValue(table.latestConfidence)} else ${stored(table.latestConfidence)} end`,
    revision: sql`${stored(table.revision)} + 1`,
  };
}
