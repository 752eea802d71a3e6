import { GraphQLError } from 'graphql';
import { InvalidInputError, databaseBusy, type DatabaseBusy } from '../store/errors.js';

export function badUserInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

const busyMessages: Record<DatabaseBusy, string> = {
  // A connection lost during COMMIT leaves a write's outcome unknown; the (test, instant) rule makes
  // the retry that answer invites safe.
  unavailable:
    'The database is unavailable right now; try again shortly. A write under way may or may not have been stored: ' +
    'recording the same measurements again is safe (each test and instant is stored once).',
  locked: 'Another database session holds a lock this request needs; nothing was written. Try again shortly.',
  'too-slow': 'The database did not finish in time (statement timeout); nothing was written. Try again, or ask for less.',
  'disk-full': "The database's disk is full: writes fail until space is freed; nothing was written. Reads still work.",
};

/** Failures a client can act on: its own mistakes (say what was wrong) and a database that is away (retry). */
export function clientErrorOf(error: unknown): GraphQLError | null {
  if (error instanceof InvalidInputError) {
    return new GraphQLError(`Invalid input: ${error.message}`, {
      extensions: { code: 'BAD_USER_INPUT', issues: error.issues },
    });
  }
  const busy = databaseBusy(error);
  if (busy) return new GraphQLError(busyMessages[busy], { extensions: { code: 'SERVICE_UNAVAILABLE', reason: busy } });
  return null;
}
