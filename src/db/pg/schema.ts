import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  index,
  uniqueIndex,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
} from 'drizzle-orm/pg-core';
import { instantColumn } from './instant.js';

// Tables carry no schema: the configured one is put on each connection's search_path,
// so one set of migrations serves every tenant schema (see db/pg/connect.ts).
// Column names come from `casing: 'snake_case'`; keep keys identical to db/sqlite/schema.ts.

const id = () => bigint({ mode: 'number' }).primaryKey().generatedByDefaultAsIdentity();
const instant = () => instantColumn();

export const confidenceMeasurements = pgTable(
  'confidence_measurements',
  {
    id: id(),
    testName: text().notNull(),
    confidence: doublePrecision().notNull(),
    category: text(),
    timestamp: instant().notNull(),
    failureId: text(),
    ruleScore: doublePrecision(),
    signalScore: doublePrecision(),
    createdAt: instant().notNull().default(sql`now()`),
  },
  (t) => [
    // One value per test and instant: recording the pair again replaces it (the original's rule), so a
    // client's retry after an unknown outcome cannot store a measurement twice.
    // Also carries confidence (INCLUDE, migration 0007, which Drizzle cannot declare), so analysis reads
    // a test's series from the index alone.
    uniqueIndex('uq_measurements_test_name_timestamp').on(t.testName, t.timestamp),
    index('idx_measurements_category').on(t.category),
    index('idx_measurements_timestamp').on(t.timestamp, t.id),
    check('measurements_confidence_range', sql`${t.confidence} >= 0 and ${t.confidence} <= 1`),
  ],
);

export const driftAnalysis = pgTable(
  'drift_analysis',
  {
    id: id(),
    testName: text().notNull(),
    category: text(),
    baselineConfidence: doublePrecision().notNull(),
    currentConfidence: doublePrecision().notNull(),
    driftPercentage: doublePrecision().notNull(),
    driftAbsolute: doublePrecision().notNull(),
    severity: text().notNull(),
    direction: text().notNull(),
    trend: text().notNull(),
    measurementsCount: integer().notNull(),
    timeSpanSeconds: doublePrecision().notNull(),
    recommendations: jsonb().$type<string[]>().notNull(),
    pValue: doublePrecision(),
    changePointAt: instant(),
    analyzedAt: instant().notNull(),
    kind: text(),
  },
  (t) => [
    index('idx_analysis_test_name_analyzed_at').on(t.testName, t.analyzedAt, t.id),
    index('idx_analysis_severity').on(t.severity),
    index('idx_analysis_analyzed_at').on(t.analyzedAt, t.id),
  ],
);

export const driftAlerts = pgTable(
  'drift_alerts',
  {
    id: id(),
    testName: text().notNull(),
    category: text(),
    severity: text().notNull(),
    driftPercentage: doublePrecision().notNull(),
    message: text().notNull(),
    recommendations: jsonb().$type<string[]>().notNull(),
    createdAt: instant().notNull(),
    acknowledged: boolean().notNull().default(false),
    acknowledgedAt: instant(),
    acknowledgedBy: text(),
  },
  (t) => [
    index('idx_alerts_test_name_created_at').on(t.testName, t.createdAt, t.id),
    index('idx_alerts_severity').on(t.severity),
    index('idx_alerts_created_at').on(t.createdAt, t.id),
    index('idx_alerts_acknowledged').on(t.acknowledged),
  ],
);

// Summaries of confidence_measurements, kept current in the same transaction as every write to it
// (store/summaries.ts), so overview questions read a row per test or per hour instead of every
// measurement. A measurement without a category counts under the key '' (no stored category is empty).
// A test's summary is a row per category and UTC month, so retention drops whole months of them.
// test_summaries is stored with fillfactor 50 (migration 0006, a storage parameter Drizzle's tables
// cannot declare), so every batch's update of a test's row stays on its page as a HOT update.

export const testSummaries = pgTable(
  'test_summaries',
  {
    testName: text().notNull(),
    categoryKey: text().notNull(),
    /** The UTC month the row summarises (store/summaries.ts periodOf). */
    period: instant().notNull(),
    measurementsCount: bigint({ mode: 'number' }).notNull(),
    confidenceSum: doublePrecision().notNull(),
    minConfidence: doublePrecision().notNull(),
    maxConfidence: doublePrecision().notNull(),
    firstSeen: instant().notNull(),
    lastSeen: instant().notNull(),
    /** The confidence measured at lastSeen. */
    latestConfidence: doublePrecision().notNull(),
    /** Counts the writes that changed this row; analysis notes the one it read in test_analysis_marks. */
    revision: bigint({ mode: 'number' }).notNull().default(1),
  },
  (t) => [primaryKey({ name: 'pk_test_summaries', columns: [t.testName, t.categoryKey, t.period] })],
);

// Apart from the summaries, so that marking a whole pass analysed rewrites none of the rows the
// overview reads (their index-only scans stay so until the next vacuum).
export const testAnalysisMarks = pgTable(
  'test_analysis_marks',
  {
    testName: text().notNull(),
    categoryKey: text().notNull(),
    period: instant().notNull(),
    analyzedRevision: bigint({ mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ name: 'pk_test_analysis_marks', columns: [t.testName, t.categoryKey, t.period] })],
);

/** An hour's summary of a category's measurements: hourly_confidence and its history share it, column for column. */
const hourColumns = () => ({
  categoryKey: text().notNull(),
  hour: instant().notNull(),
  measurementsCount: bigint({ mode: 'number' }).notNull(),
  confidenceSum: doublePrecision().notNull(),
  minConfidence: doublePrecision().notNull(),
  maxConfidence: doublePrecision().notNull(),
});

export const hourlyConfidence = pgTable(
  'hourly_confidence',
  hourColumns(),
  (t) => [primaryKey({ name: 'pk_hourly_confidence', columns: [t.hour, t.categoryKey] })],
);

// What retention took away, per UTC hour and category: the hours of hourly_confidence, and the part
// of the hour a cutoff falls in, as they stood when their measurements were deleted. So the long-run
// history outlives the measurements (hourly_confidence and this table together cover every
// measurement ever kept); nothing reads it for the overview, which answers for the measurements kept.
export const hourlyConfidenceHistory = pgTable(
  'hourly_confidence_history',
  hourColumns(),
  (t) => [primaryKey({ name: 'pk_hourly_confidence_history', columns: [t.hour, t.categoryKey] })],
);

// The sequential detector's state per test (src/drift/sequential.ts), so every instance and every
// restart continues one fold instead of keeping its own in memory.
export const driftDetectorState = pgTable('drift_detector_state', {
  testName: text().primaryKey(),
  state: jsonb().notNull(),
  pointsSeen: integer().notNull(),
  lastTimestamp: instant(),
  updatedAt: instant().notNull(),
});
