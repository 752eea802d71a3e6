// Flag values read the same way by every command; each error names the flag it came from.
import { z } from 'zod';
import type { Severity } from '../store/store.js';
import { readIsoInstant } from '../store/validation.js';
import { readSeverity } from '../transfer/crossbridge-vocabulary.js';
import { UsageError } from './run-command.js';

/**
 * An ISO-8601 instant for the named flag (`--since`, `--timestamp`, ...), by the API's rules; a date
 * alone is its midnight, and a time without an offset is UTC, as the original CLI read them.
 */
export function parseTime(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = readIsoInstant(/^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? `${value.trim()}T00:00:00Z` : value, 'utc');
  if (date === null) {
    throw new UsageError(`${flag}: "${value}" is not a date in years 1 to 9999 (use ISO-8601, e.g. 2026-11-01T00:00:00Z)`);
  }
  return date;
}

/** A whole number from min to max for the named flag. */
export function parseWhole(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = z.coerce.number().int().min(min).max(max).safeParse(value);
  if (!parsed.success || value.trim() === '') throw new UsageError(`${flag}: "${value}" is not a whole number from ${min} to ${max}`);
  return parsed.data;
}

/** A severity in our words (NONE..CRITICAL) or the original CrossBridge CLI's (`moderate` is MEDIUM), any case. */
export function parseSeverity(flag: string, value: string | undefined): Severity | undefined {
  if (value === undefined) return undefined;
  const severity = readSeverity(value);
  if (severity === null) throw new UsageError(`${flag}: "${value}" is not a severity (low, medium or moderate, high, critical)`);
  return severity;
}

/** The moment `amount` units before now, for the original CLI's relative windows. */
export function before(now: Date, amount: number | undefined, unitMs: number): Date | undefined {
  return amount === undefined ? undefined : new Date(now.getTime() - amount * unitMs);
}

export const hourMs = 3_600_000;
export const dayMs = 86_400_000;
