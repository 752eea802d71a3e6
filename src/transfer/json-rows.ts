// The JSON layout: one object with an array per table, rows keyed by column name (snake_case, as
// Grafana users know them). Driftwatch's export writes every column and ISO-8601 UTC instants; the
// original CrossBridge export and the seed's minimal layout leave out ids and optional columns, write
// naive UTC instants and their own severity words, all of which are read here.
import { z } from 'zod';
import { maxLabelLength, maxTestNameLength, storableText } from '../store/validation.js';
import { driftKinds, type HistoryHour, type Measurement, type TableName, type TableRows } from '../store/store.js';
import { readDirection, readInstant, readSeverity, readTrend } from './crossbridge-vocabulary.js';

const id = z.number().int().positive();
/** A string read by one of the vocabulary's readers; null from the reader is the row's mistake. */
const readWith = <T>(read: (value: string) => T | null, message: string) =>
  z.string().transform((value, ctx) => {
    const parsed = read(value);
    if (parsed === null) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return parsed;
  });
const instant = readWith(readInstant, 'must be an ISO-8601 instant (a time without an offset is read as UTC)');
const severity = readWith(readSeverity, 'must be a severity: NONE, LOW, MEDIUM (or moderate), HIGH or CRITICAL');
const direction = readWith(readDirection, 'must be INCREASING, DECREASING, STABLE or volatile');
const trend = readWith(readTrend, 'must be improving, degrading, stable, volatile, insufficient_data or a CrossBridge trend');
// Caps keep one row from making later reads fail (a 50 MB message breaks `alerts { message }`).
export const maxMessageLength = 10_000;
export const maxRecommendationLength = 2_000;
export const maxRecommendations = 100;
const score = z.number().min(0).max(1);
const name = storableText(maxTestNameLength).min(1);
const label = storableText(maxLabelLength).min(1).nullable();
const strings = z.array(storableText(maxRecommendationLength)).max(maxRecommendations);
const flag = z.union([z.boolean(), z.literal(0).transform(() => false), z.literal(1).transform(() => true)]);

/** A measurement as a file may hold it: without an id (the database gives one) or created_at. */
export type ImportedMeasurement = Omit<Measurement, 'id' | 'createdAt'> & { id: number | null; createdAt: Date | null };
export interface ImportedRows {
  measurements: ImportedMeasurement;
  analyses: TableRows['analyses'];
  alerts: TableRows['alerts'];
  history: HistoryHour;
}

const measurementRow = z
  .object({
    id: id.optional(),
    test_name: name,
    confidence: score,
    category: label.optional(),
    timestamp: instant,
    failure_id: label.optional(),
    rule_score: score.nullable().optional(),
    signal_score: score.nullable().optional(),
    created_at: instant.optional(),
  })
  .strict()
  .transform(
    (r): ImportedMeasurement => ({
      id: r.id ?? null,
      testName: r.test_name,
      confidence: r.confidence,
      category: r.category ?? null,
      timestamp: r.timestamp,
      failureId: r.failure_id ?? null,
      ruleScore: r.rule_score ?? null,
      signalScore: r.signal_score ?? null,
      createdAt: r.created_at ?? null,
    }),
  );

const finite = z.number();

const analysisRow = z
  .object({
    id,
    test_name: name,
    category: label,
    baseline_confidence: finite,
    current_confidence: finite,
    drift_percentage: finite,
    drift_absolute: finite,
    severity,
    direction,
    trend,
    measurements_count: z.number().int().min(0),
    time_span_seconds: finite,
    recommendations: strings,
    p_value: finite.nullable().optional(),
    change_point_at: instant.nullable().optional(),
    kind: z.enum(driftKinds).nullable().optional(),
    analyzed_at: instant,
  })
  .strict()
  .transform((r) => ({
    id: r.id,
    testName: r.test_name,
    category: r.category,
    baselineConfidence: r.baseline_confidence,
    currentConfidence: r.current_confidence,
    driftPercentage: r.drift_percentage,
    driftAbsolute: r.drift_absolute,
    severity: r.severity,
    direction: r.direction,
    trend: r.trend,
    measurementsCount: r.measurements_count,
    timeSpanSeconds: r.time_span_seconds,
    recommendations: r.recommendations,
    pValue: r.p_value ?? null,
    changePointAt: r.change_point_at ?? null,
    analyzedAt: r.analyzed_at,
    // Last, as in the table: copy's checksum hashes rows as JSON, so key order matters.
    kind: r.kind ?? null,
  }));

const alertRow = z
  .object({
    id,
    test_name: name,
    category: label.optional(),
    severity,
    drift_percentage: finite,
    message: storableText(maxMessageLength),
    recommendations: strings,
    created_at: instant,
    acknowledged: flag,
    acknowledged_at: instant.nullable().optional(),
    acknowledged_by: storableText(maxLabelLength).nullable().optional(),
  })
  .strict()
  .transform((r) => ({
    id: r.id,
    testName: r.test_name,
    category: r.category ?? null,
    severity: r.severity,
    driftPercentage: r.drift_percentage,
    message: r.message,
    recommendations: r.recommendations,
    createdAt: r.created_at,
    acknowledged: r.acknowledged,
    acknowledgedAt: r.acknowledged_at ?? null,
    acknowledgedBy: r.acknowledged_by ?? null,
  }));

const hourMs = 3_600_000;

// An hour of hourly_confidence_history: what held for its rows holds for their summary.
const historyRow = z
  .object({
    hour: instant.refine((at) => at.getTime() % hourMs === 0, 'must be the start of a UTC hour'),
    category: label,
    measurements_count: z.number().int().positive(),
    confidence_sum: z.number().min(0),
    min_confidence: score,
    max_confidence: score,
  })
  .strict()
  .refine((r) => r.min_confidence <= r.max_confidence, { message: 'must not exceed max_confidence', path: ['min_confidence'] })
  // Each row's confidence lies between the extremes, so the sum does too, give or take its rounding:
  // n additions of values up to 1 err by less than n² x 1.1e-16, within 1e-9 x n up to 9 million rows.
  .refine((r) => Math.abs(r.confidence_sum - clampTo(r.confidence_sum, r.measurements_count * r.min_confidence, r.measurements_count * r.max_confidence)) <= 1e-9 * r.measurements_count, {
    message: 'must lie between measurements_count times min_confidence and times max_confidence',
    path: ['confidence_sum'],
  })
  .transform(
    (r): HistoryHour => ({
      hour: r.hour,
      category: r.category,
      measurementsCount: r.measurements_count,
      confidenceSum: r.confidence_sum,
      minConfidence: r.min_confidence,
      maxConfidence: r.max_confidence,
    }),
  );

export const jsonRowSchemas: { [T in TableName]: z.ZodType<ImportedRows[T], unknown> } = {
  measurements: measurementRow,
  analyses: analysisRow,
  alerts: alertRow,
  history: historyRow,
};

function clampTo(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

/** What identifies a row among its table's: its id (null: the database will give one), or the history's hour and category. */
export function rowKey(table: TableName, row: ImportedRows[TableName]): string | null {
  if (table !== 'history') return (row as { id: number | null }).id === null ? null : String((row as { id: number }).id);
  const { hour, category } = row as HistoryHour;
  return JSON.stringify([hour.getTime(), category]);
}

/** A row in a message, by what identifies it but no stored text: a history hour's category is left out. */
export function rowLabel(table: TableName, row: TableRows[TableName]): string {
  return table === 'history' ? `hour ${(row as HistoryHour).hour.toISOString()}` : `id ${(row as { id: number }).id}`;
}

const snakeKey = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A domain row as it stands in the file: snake_case keys, instants as ISO strings. */
export function toJsonRow(row: TableRows[TableName]): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [snakeKey(key), value instanceof Date ? value.toISOString() : value]),
  );
}
