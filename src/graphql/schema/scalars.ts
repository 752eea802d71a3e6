import { Kind } from 'graphql';
import { directions, driftKinds, severities } from '../../store/store.js';
import { readIsoInstant } from '../../store/validation.js';
import { builder } from '../builder.js';
import { badUserInput } from '../errors.js';

// ISO-8601 with a date, a time and an offset (Z or ±hh:mm): an instant, never a local time; a real
// calendar date, in years 1 to 9999, so that either backend stores it.
function parseInstant(value: unknown): Date {
  const date = typeof value === 'string' ? readIsoInstant(value, 'refuse') : null;
  if (date) return date;
  throw badUserInput(
    `DateTime must be an ISO-8601 time with an offset on a real calendar date in years 1 to 9999, e.g. 2026-11-24T09:30:00Z; got ${JSON.stringify(value)?.slice(0, 60)}`,
  );
}

export const DateTime = builder.scalarType('DateTime', {
  description: 'An instant as ISO-8601 with an offset; always returned in UTC.',
  serialize: (value) => value.toISOString(),
  parseValue: parseInstant,
  parseLiteral: (ast) => parseInstant(ast.kind === Kind.STRING ? ast.value : undefined),
});

export const DriftSeverity = builder.enumType('DriftSeverity', { values: severities });
export const DriftDirection = builder.enumType('DriftDirection', { values: directions });
export const DriftKind = builder.enumType('DriftKind', {
  values: driftKinds,
  description: 'What a confirmed drift changed: the level (MEAN_SHIFT), the share of low runs (FLAKINESS) or the spread (VARIANCE)',
});
export const StorageBackend = builder.enumType('StorageBackend', {
  values: { SQLITE: { value: 'sqlite' }, POSTGRES: { value: 'postgres' } } as const,
});
