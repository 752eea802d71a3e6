// The domain types and the Store interface every backend implements.
// Nothing here depends on a dialect (a measurement's row type is the same in both: test/db/schema-parity.test.ts);
// GraphQL, the CLI and the drift runner see only this.
import type { z } from 'zod';
import type { confidenceMeasurements } from '../db/pg/schema.js';
import type { newMeasurementSchema } from './validation.js';

// Ordered from harmless to worst: a severity's index is its rank.
export const severities = ['NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof severities)[number];
export const directions = ['INCREASING', 'DECREASING', 'STABLE'] as const;
export type Direction = (typeof directions)[number];
// What a confirmed drift changed: the level, the share of low (flaky) runs, or the spread.
export const driftKinds = ['MEAN_SHIFT', 'FLAKINESS', 'VARIANCE'] as const;
export type DriftKind = (typeof driftKinds)[number];
export const trends = ['improving', 'degrading', 'stable', 'volatile', 'insufficient_data'] as const;
export type Trend = (typeof trends)[number];

export function severityRank(severity: Severity): number {
  return severities.indexOf(severity);
}

export function severitiesAtLeast(minimum: Severity): Severity[] {
  return severities.slice(severityRank(minimum));
}

/** The page size of a listing that asks for none. */
export const defaultPageSize = 50;

/** A stored measurement: a row of confidence_measurements, whose columns the schemas define. */
export type Measurement = typeof confidenceMeasurements.$inferSelect;

/** What analysis reads of a measurement. */
export type SeriesPoint = Pick<Measurement, 'confidence' | 'timestamp'>;

/**
 * What analysis reads of a test: the category of its latest point, and its points, in no particular
 * order, as two columns (typed arrays pass to another thread as a copy of their bytes).
 */
export interface TestSeriesRead {
  testName: string;
  category: string | null;
  confidences: Float64Array;
  /** Epoch milliseconds, each of the confidence at the same index. */
  timestamps: Float64Array;
}

/** A measurement as a caller gives it, by the rules in validation.ts (a timestamp defaults to now). */
export type NewMeasurement = z.input<typeof newMeasurementSchema>;

/**
 * What a batch did. Each row either added a measurement or replaced the value stored for its test
 * and instant (or given by an earlier row of the same batch: the later row wins).
 */
export interface RecordOutcome {
  inserted: number;
  replaced: number;
}

export interface DriftAnalysis {
  id: number;
  testName: string;
  category: string | null;
  baselineConfidence: number;
  currentConfidence: number;
  /**
   * |current - baseline| / baseline, never negative, so the dashboard's `drift_percentage > 0.05`
   * finds drift either way; `direction` carries the sign. Against a zero baseline: driftAbsolute.
   */
  driftPercentage: number;
  /** |current - baseline| */
  driftAbsolute: number;
  severity: Severity;
  direction: Direction;
  trend: Trend;
  measurementsCount: number;
  timeSpanSeconds: number;
  recommendations: string[];
  /** What the sequential detector confirmed changed; null when no confirmed drift of LOW or worse. */
  kind: DriftKind | null;
  /** Two-sided Mann-Whitney p between the baseline and current windows (one look, for information); null below three values a side. */
  pValue: number | null;
  /** When the shift started (CUSUM), for a drift of LOW or worse; null otherwise. */
  changePointAt: Date | null;
  analyzedAt: Date;
}
export type NewDriftAnalysis = Omit<DriftAnalysis, 'id'>;

export interface DriftAlert {
  id: number;
  testName: string;
  category: string | null;
  severity: Severity;
  driftPercentage: number;
  message: string;
  recommendations: string[];
  createdAt: Date;
  acknowledged: boolean;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
}
export type NewDriftAlert = Omit<DriftAlert, 'id' | 'acknowledged' | 'acknowledgedAt' | 'acknowledgedBy'>;

export interface TrackedTest {
  testName: string;
  category: string | null;
  measurementsCount: number;
  firstSeen: Date;
  lastSeen: Date;
  latestConfidence: number;
  averageConfidence: number;
}

export interface Statistics {
  totalTests: number;
  totalMeasurements: number;
  avgConfidence: number | null;
  minConfidence: number | null;
  maxConfidence: number | null;
}

export interface MeasurementFilter {
  testName?: string | undefined;
  category?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

export interface AnalysisFilter {
  testName?: string | undefined;
  category?: string | undefined;
  minSeverity?: Severity | undefined;
  since?: Date | undefined;
}

export interface AlertFilter {
  testName?: string | undefined;
  minSeverity?: Severity | undefined;
  acknowledged?: boolean | undefined;
  since?: Date | undefined;
}

export interface TestFilter {
  category?: string | undefined;
  /** Case-insensitive substring of the test name. */
  search?: string | undefined;
}

export interface TestNameFilter {
  category?: string | undefined;
  after?: string | undefined;
  /** Without one, every name. */
  limit?: number | undefined;
  /** Only tests with measurements stored since their latest analysis read them. */
  pending?: boolean | undefined;
}

/**
 * How far a test's summary (in one category and month) had got when analysis read its measurements:
 * marking it analysed afterwards leaves the test pending if a write came in meanwhile.
 */
export interface AnalysisMark {
  testName: string;
  categoryKey: string;
  period: Date;
  revision: number;
  /** Tells a summary apart from one begun afresh since, whose revisions count from 1 again. */
  firstSeen: Date;
}

export interface StatisticsScope {
  category?: string | undefined;
  since?: Date | undefined;
}

/** Where a listing resumes: the sort key and id of the row a client last saw. */
export interface TimeCursor {
  at: Date;
  id: number;
}

/**
 * Keyset pagination. Listings run newest first; `first`/`after` walk towards older rows,
 * `last`/`before` towards newer ones. Exactly one of first/last is expected.
 */
export interface PageRequest<C> {
  first?: number | undefined;
  after?: C | undefined;
  last?: number | undefined;
  before?: C | undefined;
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface RetentionDays {
  measurementsDays: number;
  analysisDays: number;
  alertsDays: number;
}

export interface CleanupCounts {
  measurements: number;
  analyses: number;
  alerts: number;
}

export type AcknowledgeResult =
  | { status: 'acknowledged'; alert: DriftAlert }
  | { status: 'already-acknowledged'; alert: DriftAlert }
  | { status: 'not-found' };

/** What the alert policy needs to know of a test's alert history. */
export interface AlertHistory {
  lastAlert: DriftAlert | null;
  /** Severities of the analyses stored after the last alert, to tell a recovery from the same episode. */
  severitiesSinceLastAlert: Severity[];
}

/**
 * One UTC hour of one category's measurements that retention deleted, as hourly_confidence_history
 * keeps it: the long-run history that outlives the rows, which nothing could count again.
 */
export interface HistoryHour {
  hour: Date;
  category: string | null;
  measurementsCount: number;
  confidenceSum: number;
  minConfidence: number;
  maxConfidence: number;
}

/** Rows as export/import and copy move them: everything, ids included. */
export interface TableRows {
  measurements: Measurement;
  analyses: DriftAnalysis;
  alerts: DriftAlert;
  history: HistoryHour;
}
export type TableName = keyof TableRows;

/** What export and copy read a database through: its tables, counted and streamed. */
export type RowSource = Pick<Store, 'countRows' | 'streamRows'>;

/**
 * The sequential detector's state of one test, as the store keeps it. The store does not read
 * `state` (the drift engine parses it); `lastTimestamp` is the newest measurement folded into it.
 */
export interface DetectorStateRow {
  testName: string;
  state: unknown;
  pointsSeen: number;
  lastTimestamp: Date | null;
  updatedAt: Date;
}
export const tableNames: TableName[] = ['measurements', 'analyses', 'alerts', 'history'];

export type StorageBackend = 'sqlite' | 'postgres';

export interface Store {
  readonly backend: StorageBackend;
  /** The PostgreSQL schema in use; null on SQLite. */
  readonly schema: string | null;

  /** Stores a measurement, replacing the one stored for the same test and instant. */
  recordMeasurement(input: NewMeasurement): Promise<Measurement>;
  /** One transaction: every row lands or none does. Recording a test and instant again replaces its value. */
  recordMeasurements(inputs: NewMeasurement[]): Promise<RecordOutcome>;
  getMeasurements(ids: readonly number[]): Promise<Measurement[]>;
  listMeasurements(filter: MeasurementFilter, page: PageRequest<TimeCursor>): Promise<Page<Measurement>>;
  countMeasurements(filter: MeasurementFilter): Promise<number>;
  /**
   * The measurements of the named tests, optionally since a moment, ordered by test name and then
   * time (oldest first): one indexed read for a whole batch of tests.
   */
  measurementsOfTests(testNames: readonly string[], since?: Date): Promise<Measurement[]>;
  /**
   * As measurementsOfTests, with only what analysis reads, one entry per named test that has
   * measurements (in no particular order, nor are its points): a full pass reads every measurement,
   * and sorting them by name in the database cost more than the read.
   */
  seriesOfTests(testNames: readonly string[], since?: Date): Promise<TestSeriesRead[]>;

  listTests(filter: TestFilter, page: { first: number; after?: string | undefined }): Promise<Page<TrackedTest>>;
  countTests(filter: TestFilter): Promise<number>;
  getTests(testNames: readonly string[]): Promise<TrackedTest[]>;
  /** Names of tests with measurements, in name order, for batched analysis. */
  listTestNames(filter: TestNameFilter): Promise<string[]>;
  /** Where the named tests' summaries stand, read before analysing them. */
  analysisMarks(testNames: readonly string[]): Promise<AnalysisMark[]>;
  /** Notes that analysis has seen the tests as far as the marks say. */
  markAnalyzed(marks: readonly AnalysisMark[]): Promise<void>;

  saveAnalyses(analyses: NewDriftAnalysis[]): Promise<DriftAnalysis[]>;
  getAnalyses(ids: readonly number[]): Promise<DriftAnalysis[]>;
  latestAnalyses(testNames: readonly string[]): Promise<DriftAnalysis[]>;
  listAnalyses(filter: AnalysisFilter, page: PageRequest<TimeCursor>): Promise<Page<DriftAnalysis>>;
  countAnalyses(filter: AnalysisFilter): Promise<number>;

  createAlert(alert: NewDriftAlert): Promise<DriftAlert>;
  /** Inserts the alerts in one transaction, in the order given, so their ids ascend in it. */
  createAlerts(alerts: readonly NewDriftAlert[]): Promise<DriftAlert[]>;
  getAlerts(ids: readonly number[]): Promise<DriftAlert[]>;
  listAlerts(filter: AlertFilter, page: PageRequest<TimeCursor>): Promise<Page<DriftAlert>>;
  countAlerts(filter: AlertFilter): Promise<number>;
  /** The first acknowledgement wins; a second one reports the first. */
  acknowledgeAlert(id: number, by: string | null, at: Date): Promise<AcknowledgeResult>;
  alertHistory(testName: string): Promise<AlertHistory>;
  /** The alert histories of the named tests in one read: one entry per name, empty for a test never alerted on. */
  alertHistories(testNames: readonly string[]): Promise<Map<string, AlertHistory>>;

  /** The kept detector states of the named tests (tests without one are left out). */
  detectorStates(testNames: readonly string[]): Promise<DetectorStateRow[]>;
  /** Inserts or replaces each test's detector state, all in one transaction. */
  saveDetectorStates(states: DetectorStateRow[]): Promise<void>;
  /** Alerts with an id above `afterId`, oldest first: the catch-up read after a missed notification. */
  alertsAfter(afterId: number, limit: number): Promise<DriftAlert[]>;

  statistics(scope: StatisticsScope): Promise<Statistics>;
  databaseSizeBytes(): Promise<number>;
  /**
   * Deletes rows older than the given ages (relative to `now`), and the detector states of tests
   * left without measurements. Partitioned measurements lose whole periods by dropping their partitions.
   */
  cleanup(days: RetentionDays, now: Date): Promise<CleanupCounts>;
  vacuum(): Promise<void>;
  /** Readies storage for the coming writes (on partitioned PostgreSQL: the partitions ahead of `now`); names what it made. */
  maintainStorage(now: Date): Promise<string[]>;

  /** Streams a table in id order (the history by hour, then category), batch by batch, for export and copy. */
  streamRows<T extends TableName>(table: T, batchSize: number): AsyncIterable<TableRows[T][]>;
  /**
   * Inserts rows with their ids in one transaction; a row whose id, or whose test and instant (the
   * history's: hour and category), is stored already is skipped. Returns how many were inserted.
   */
  importRows<T extends TableName>(table: T, rows: TableRows[T][]): Promise<number>;
  countRows(table: TableName): Promise<number>;
  /**
   * Runs `work` on every table as it stood at one moment, whatever commits meanwhile: an export or
   * copy that spans a cleanup would otherwise find the rows the cleanup took both among the
   * measurements and, read later, in the history.
   */
  withSnapshot<T>(work: (snapshot: RowSource) => Promise<T>): Promise<T>;

  /**
   * Runs `work` while holding a lock on each of the tests that every instance sharing the database
   * respects, so two instances deciding on the same test's alert take turns instead of both raising
   * one. The locks are taken in one fixed order whatever order the names come in, so two callers
   * locking overlapping sets never wait on each other in a circle. `work` gets the store to use
   * meanwhile: on PostgreSQL it runs on the connection holding the locks, in the locks' transaction,
   * so the locked work never waits for a second connection from the pool (with a pool of one that
   * would wait forever) and commits or rolls back as one.
   */
  withTestLocks<T>(testNames: readonly string[], work: (locked: Store) => Promise<T>): Promise<T>;

  /**
   * Asks the database to answer, on a connection kept for this on PostgreSQL, so readiness is not
   * held back by a pool busy with writers or by a table someone has locked.
   */
  ping(): Promise<void>;

  /** The connection pool's state, for metrics; null where there is no pool (SQLite). */
  poolStats(): { total: number; idle: number; waiting: number } | null;

  close(): Promise<void>;
}
