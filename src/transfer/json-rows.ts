// The seed's JSON layout: one object with an array per table, rows keyed by column name
// (snake_case, as Grafana users know them), instants as ISO-8601 UTC strings.
import { z } from 'zod';
import { maxLabelLength, maxTestNameLength } from '../store/validation.js';
import { directions, severities, type TableName, type TableRows } from '../store/store.js';

const id = z.number().int().positive();
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const score = z.number().min(0).max(1);
const name = z.string().min(1).max(maxTestNameLength);
const label = z.string().min(1).max(maxLabelLength).nullable();
const strings = z.array(z.string());

const measurementRow = z
  .object({
    id,
    test_name: name,
    confidence: score,
    category: label,
    timestamp: instant,
    failure_id: label,
    rule_score: score.nullable(),
    signal_score: score.nullable(),
    created_at: instant,
  })
  .strict()
  .transform((r) => ({
    id: r.id,
    testName: r.test_name,
    confidence: r.confidence,
    category: r.category,
    timestamp: r.timestamp,
    failureId: r.failure_id,
    ruleScore: r.rule_score,
    signalScore: r.signal_score,
    createdAt: r.created_at,
  }));

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
    severity: z.enum(severities),
    direction: z.enum(directions),
    trend: z.string().min(1),
    measurements_count: z.number().int().min(0),
    time_span_seconds: finite,
    recommendations: strings,
    p_value: finite.nullable(),
    change_point_at: instant.nullable(),
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
    pValue: r.p_value,
    changePointAt: r.change_point_at,
    analyzedAt: r.analyzed_at,
  }));

const alertRow = z
  .object({
    id,
    test_name: name,
    category: label,
    severity: z.enum(severities),
    drift_percentage: finite,
    message: z.string(),
    recommendations: strings,
    created_at: instant,
    acknowledged: z.boolean(),
    acknowledged_at: instant.nullable(),
    acknowledged_by: z.string().nullable(),
  })
  .strict()
  .transform((r) => ({
    id: r.id,
    testName: r.test_name,
    category: r.category,
    severity: r.severity,
    driftPercentage: r.drift_percentage,
    message: r.message,
    recommendations: r.recommendations,
    createdAt: r.created_at,
    acknowledged: r.acknowledged,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
  }));

export const jsonRowSchemas: { [T in TableName]: z.ZodType<TableRows[T], unknown> } = {
  measurements: measurementRow,
  analyses: analysisRow,
  alerts: alertRow,
};

const snakeKey = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A domain row as it stands in the file: snake_case keys, instants as ISO strings. */
export function toJsonRow(row: TableRows[TableName]): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [snakeKey(key), value instanceof Date ? value.toISOString() : value]),
  );
}
