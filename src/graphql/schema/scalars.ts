import { Kind } from 'graphql';
import { directions, severities } from '../../store/store.js';
import { builder } from '../builder.js';
import { badUserInput } from '../errors.js';

// ISO-8601 with a date, a time and an offset (Z or ±hh:mm): an instant, never a local time.
const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseInstant(value: unknown): Date {
  if (typeof value === 'string' && isoInstant.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw badUserInput(`DateTime must be an ISO-8601 time with an offset, e.g. 2026-11-24T09:30:00Z; got ${JSON.stringify(value)?.slice(0, 60)}`);
}

export const DateTime = builder.scalarType('DateTime', {
  description: 'An instant as ISO-8601 with an offset; always returned in UTC.',
  serialize: (value) => value.toISOString(),
  parseValue: parseInstant,
  parseLiteral: (ast) => parseInstant(ast.kind === Kind.STRING ? ast.value : undefined),
});

export const DriftSeverity = builder.enumType('DriftSeverity', { values: severities });
export const DriftDirection = builder.enumType('DriftDirection', { values: directions });
export const StorageBackend = builder.enumType('StorageBackend', {
  values: { SQLITE: { value: 'sqlite' }, POSTGRES: { value: 'postgres' } } as const,
});
