import { z } from 'zod';
import type { confidenceMeasurements } from '../db/pg/schema.js';
import { InvalidInputError } from './errors.js';
import type { NewMeasurement } from './store.js';

export const maxTestNameLength = 512;
export const maxLabelLength = 256;

const score = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');
const label = z.string().trim().min(1, 'must not be empty').max(maxLabelLength, `must be at most ${maxLabelLength} characters`);

export const newMeasurementSchema = z.object({
  testName: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(maxTestNameLength, `must be at most ${maxTestNameLength} characters`),
  // z.number() already refuses NaN and the infinities.
  confidence: score,
  category: label.nullish(),
  timestamp: z
    .date()
    .refine((d) => !Number.isNaN(d.getTime()), 'must be a valid date')
    .nullish(),
  failureId: label.nullish(),
  ruleScore: score.nullish(),
  signalScore: score.nullish(),
});

/** A measurement ready to insert: every column but the id, trimmed, timestamped, absent fields as null. */
export type MeasurementValues = Required<Omit<typeof confidenceMeasurements.$inferInsert, 'id'>>;

/** Validates a whole batch before anything is written; one bad row rejects all, naming each problem. */
export function toMeasurementValues(inputs: readonly NewMeasurement[], now: Date): MeasurementValues[] {
  const parsed = z.array(newMeasurementSchema).safeParse(inputs);
  if (!parsed.success) {
    throw new InvalidInputError(
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  return parsed.data.map((m) => ({
    testName: m.testName,
    confidence: m.confidence,
    category: m.category ?? null,
    timestamp: m.timestamp ?? now,
    failureId: m.failureId ?? null,
    ruleScore: m.ruleScore ?? null,
    signalScore: m.signalScore ?? null,
    createdAt: now,
  }));
}
