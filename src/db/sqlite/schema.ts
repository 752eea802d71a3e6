import { sql } from 'drizzle-orm';
import { check, index, uniqueIndex, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

// Twin of db/pg/schema.ts: same table, key and index names (a parity test holds them together).
// Instants are epoch milliseconds in an INTEGER, so range filters and ordering compare numbers
// and use the indexes; booleans are 0/1 and JSON arrays are TEXT.

const id = () => integer().primaryKey({ autoIncrement: true });
const instant = () => integer({ mode: 'timestamp_ms' });
const stringArray = () => text({ mode: 'json' }).$type<string[]>();

export const confidenceMeasurements = sqliteTable(
  'confidence_measurements',
  {
    id: id(),
    testName: text().notNull(),
    confidence: real().notNull(),
    category: text(),
    timestamp: instant().notNull(),
    failureId: text(),
    ruleScore: real(),
    signalScore: real(),
    createdAt: instant()
      .notNull()
      .$defaultFn(() => new Date()),
  },
  (t) => [
    // One value per test and instant: recording the pair again replaces it (the original's rule), so a
    // client's retry after an unknown outcome cannot store a measurement twice.
    uniqueIndex('uq_measurements_test_name_timestamp').on(t.testName, t.timestamp),
    index('idx_measurements_category').on(t.category),
    index('idx_measurements_timestamp').on(t.timestamp, t.id),
    check('measurements_confidence_range', sql`${t.confidence} >= 0 and ${t.confidence} <= 1`),
  ],
);

export const driftAnalysis = sqliteTable(
  'drift_analysis',
  {
    id: id(),
    testName: text().notNull(),
    category: text(),
    baselineConfidence: real().notNull(),
    currentConfidence: real().notNull(),
    driftPercentage: real().notNull(),
    driftAbsolute: real().notNull(),
    severity: text().notNull(),
    direction: text().notNull(),
    trend: text().notNull(),
    measurementsCount: integer().notNull(),
    timeSpanSeconds: real().notNull(),
    recommendations: stringArray().notNull(),
    pValue: real(),
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

export const driftAlerts = sqliteTable(
  'drift_alerts',
  {
    id: id(),
    testName: text().notNull(),
    category: text(),
    severity: text().notNull(),
    driftPercentage: real().notNull(),
    message: text().notNull(),
    recommendations: stringArray().notNull(),
    createdAt: instant().notNull(),
    acknowledged: integer({ mode: 'boolean' }).notNull().default(false),
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

export const testSummaries = sqliteTable(
  'test_summaries',
  {
    testName: text().notNull(),
    categoryKey: text().notNull(),
    /** The UTC month the row summarises (store/summaries.ts periodOf). */
    period: instant().notNull(),
    measurementsCount: integer().notNull(),
    confidenceSum: real().notNull(),
    minConfidence: real().notNull(),
    maxConfidence: real().notNull(),
    firstSeen: instant().notNull(),
    lastSeen: instant().notNull(),
    latestConfidence: real().notNull(),
    revision: integer().notNull().default(1),
  },
  (t) => [primaryKey({ name: 'pk_test_summaries', columns: [t.testName, t.categoryKey, t.period] })],
);

export const testAnalysisMarks = sqliteTable(
  'test_analysis_marks',
  {
    testName: text().notNull(),
    categoryKey: text().notNull(),
    period: instant().notNull(),
    analyzedRevision: integer().notNull(),
  },
  (t) => [primaryKey({ name: 'pk_test_analysis_marks', columns: [t.testName, t.categoryKey, t.period] })],
);

/** An hour's summary of a category's measurements: hourly_confidence and its history share it, column for column. */
const hourColumns = () => ({
  categoryKey: text().notNull(),
  hour: instant().notNull(),
  measurementsCount: integer().notNull(),
  confidenceSum: real().notNull(),
  minConfidence: real().notNull(),
  maxConfidence: real().notNull(),
});

export const hourlyConfidence = sqliteTable(
  'hourly_confidence',
  hourColumns(),
  (t) => [primaryKey({ name: 'pk_hourly_confidence', columns: [t.hour, t.categoryKey] })],
);

export const hourlyConfidenceHistory = sqliteTable(
  'hourly_confidence_history',
  hourColumns(),
  (t) => [primaryKey({ name: 'pk_hourly_confidence_history', columns: [t.hour, t.categoryKey] })],
);

// The sequential detector's state per test (src/drift/sequential.ts), so every instance and every
// restart continues one fold instead of keeping its own in memory.
export const driftDetectorState = sqliteTable('drift_detector_state', {
  testName: text().primaryKey(),
  state: text({ mode: 'json' }).notNull(),
  pointsSeen: integer().notNull(),
  lastTimestamp: instant(),
  updatedAt: instant().notNull(),
});
