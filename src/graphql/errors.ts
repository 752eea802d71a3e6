import { GraphQLError } from 'graphql';
import { InvalidInputError, isDatabaseUnavailable } from '../store/errors.js';

export function badUserInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

/** Failures a client can act on: its own mistakes (say what was wrong) and a database that is away (retry). */
export function clientErrorOf(error: unknown): GraphQLError | null {
  if (error instanceof InvalidInputError) {
    return new GraphQLError(`Invalid input: ${error.message}`, {
      extensions: { code: 'BAD_USER_INPUT', issues: error.issues },
    });
  }
  if (isDatabaseUnavailable(error)) {
    // A connection lost during COMMIT leaves a write's outcome unknown; the (test, instant) rule makes
    // the retry that answer invites safe.
    const message =
      'The database is unavailable right now; try again shortly. A write under way may or may not have been stored: ' +
      'recording the same measurements again is safe (each test and instant is stored once).';
    return new GraphQLError(message, {
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
  }
  return null;
}
