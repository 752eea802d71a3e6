import { z } from 'zod';
import type { confidenceMeasurements } from '../db/pg/schema.js';
import { InvalidInputError } from './errors.js';

// The rules every way in shares (API, `record`, `import`, `copy`), so that whatever one backend
// accepts the other stores and reads back.

export const maxTestNameLength = 512;
export const maxLabelLength = 256;

/**
 * Text either backend stores as given. PostgreSQL refuses NUL in text, so it is refused everywhere;
 * other control characters are kept (the CLI shows them escaped).
 */
export function storableText(maxLength: number) {
  return z
    .string()
    .max(maxLength, `must be at most ${maxLength} characters`)
    .refine((text) => !text.includes('\u0000'), 'must not contain NUL (U+0000)');
}

// Years 1 to 9999 in UTC: PostgreSQL writes year 0 as "1 BC", which JavaScript cannot read back,
// and an offset can push 9999-12-31 into year 10000.
const earliestInstant = Date.parse('0001-01-01T00:00:00.000Z');
const latestInstant = Date.parse('9999-12-31T23:59:59.999Z');
export const instantRangeMessage = 'must be between 0001-01-01 and 9999-12-31 (UTC)';

export function isStorableInstant(date: Date): boolean {
  const time = date.getTime();
  return time >= earliestInstant && time <= latestInstant;
}

/**
 * An ISO-8601 instant (`2026-11-25T00:30:06Z`, `2026-11-25 01:30:13.807939+01:00`), or a naive one
 * read as UTC when `naive` says so (the original CrossBridge tool wrote those). Null for anything
 * that is not a real calendar instant in the storable range: JavaScript would roll 2024-02-30 over to
 * March 1st and 24:00 to the next day, so the fields are read back. Digits past the millisecond,
 * which a Date cannot hold, are dropped.
 */
export function readIsoInstant(value: string, naive: 'utc' | 'refuse'): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(value.trim());
  if (!match || (match[8] === undefined && naive === 'refuse')) return null;
  const [, y, mo, d, h, mi, s = '00', frac = '', zone = 'Z'] = match;
  const utc = zone.toUpperCase() === 'Z';
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}.${(frac + '000').slice(0, 3)}${utc ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime()) || !isStorableInstant(date)) return null;
  const offsetMinutes = utc ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const same =
    local.getUTCFullYear() === Number(y) && local.getUTCMonth() + 1 === Number(mo) && local.getUTCDate() === Number(d) && local.getUTCHours() === Number(h);
  return same ? date : null;
}

const score = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');
const label = storableText(maxLabelLength).trim().min(1, 'must not be empty');

/** Who acknowledged an alert, as given by a caller. */
export const acknowledgerSchema = storableText(maxLabelLength).nullable();

export const newMeasurementSchema = z.object({
  testName: storableText(maxTestNameLength).trim().min(1, 'must not be empty'),
  // z.number() already refuses NaN and the infinities.
  confidence: score,
  category: label.nullish(),
  timestamp: z
    .date()
    .refine((d) => !Number.isNaN(d.getTime()), 'must be a valid date')
    .refine(isStorableInstant, instantRangeMessage)
    .nullish(),
  failureId: label.nullish(),
  ruleScore: score.nullish(),
  signalScore: score.nullish(),
});

/** A measurement ready to insert: every column but the id, trimmed, timestamped, absent fields as null. */
export type MeasurementValues = Required<Omit<typeof confidenceMeasurements.$inferInsert, 'id'>>;

/** Validates a whole batch before anything is written; one bad row rejects all, naming each problem. */
export function toMeasurementValues(inputs: readonly z.input<typeof newMeasurementSchema>[], now: Date): MeasurementValues[] {
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
