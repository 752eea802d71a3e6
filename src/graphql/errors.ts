import { GraphQLError } from 'graphql';
import { InvalidInputError } from '../store/errors.js';

export function badUserInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

/** The store's own refusals are the client's mistakes: say what was wrong, keep the code. */
export function clientErrorOf(error: unknown): GraphQLError | null {
  if (error instanceof InvalidInputError) {
    return new GraphQLError(`Invalid input: ${error.message}`, {
      extensions: { code: 'BAD_USER_INPUT', issues: error.issues },
    });
  }
  return null;
}
