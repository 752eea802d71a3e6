import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { getOperationAST, GraphQLError } from 'graphql';
import { createYoga as createYogaServer, maskError, type Plugin } from 'graphql-yoga';
import type { ApiConfig } from '../config.js';
import { createContext } from '../graphql/context.js';
import { clientErrorOf } from '../graphql/errors.js';
import { schema } from '../graphql/schema/index.js';
import type { AlertBus } from '../service/alert-bus.js';
import type { DriftService } from '../service/drift-service.js';
import type { Store } from '../store/store.js';
import { useExpandedSizeLimit } from './expanded-size-limit.js';
import { describeFault } from './fault-summary.js';
import { defaultQuery } from './graphiql-default-query.js';
import type { Logger } from './logger.js';

const csrfHeader = 'x-graphql-yoga-csrf';
// Far above what a dashboard or GraphiQL's introspection selects (a few hundred), far below what
// a document of doubling fragments expands to.
const maxExpandedFields = 5_000;

export interface YogaDeps {
  store: Store;
  drift: DriftService;
  alerts: AlertBus;
  config: ApiConfig;
  logger?: Logger;
  /** Tests turn masking off to see what went wrong; production never does. */
  maskErrors?: boolean;
  /** Server-level concerns (metrics, request logs) that the API itself does not know about. */
  plugins?: Plugin[];
}

/** The error again, with a code added where it has none (its words, place and cause kept). */
function withCode(error: GraphQLError, code: string, message = error.message): GraphQLError {
  if (error.extensions?.code && message === error.message) return error;
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code: error.extensions?.code ?? code },
  });
}

/**
 * Clients branch on `extensions.code`, and the errors graphql-js and yoga raise themselves carry
 * none. Each phase names its own failures: what parse refuses is GRAPHQL_PARSE_FAILED, what
 * validation refuses GRAPHQL_VALIDATION_FAILED, and an operation that fails before any field runs
 * (its variables do not coerce) BAD_USER_INPUT. Request-level refusals get a code by HTTP status.
 */
const useErrorCodes: Plugin = {
  onParse() {
    return ({ result, replaceParseResult }) => {
      if (!(result instanceof Error)) return;
      // A non-GraphQL error here is the parser's own failure (a document nested past its stack).
      const parseError = result instanceof GraphQLError ? result : new GraphQLError('The document could not be parsed: it is nested too deeply.');
      replaceParseResult(withCode(parseError, 'GRAPHQL_PARSE_FAILED'));
    };
  },
  onValidate() {
    return ({ valid, result, setResult }) => {
      if (!valid) setResult(result.map((error) => (error instanceof GraphQLError ? withCode(error, 'GRAPHQL_VALIDATION_FAILED') : error)));
    };
  },
  onExecute() {
    return {
      onExecuteDone({ result, setResult }) {
        if (!('errors' in result) || !result.errors || 'data' in result) return;
        setResult({ ...result, errors: result.errors.map((error) => withCode(error, 'BAD_USER_INPUT')) });
      },
    };
  },
  onResultProcess({ result }) {
    for (const single of Array.isArray(result) ? result : [result]) {
      const withErrors = single as { errors?: readonly unknown[] };
      if (!withErrors.errors) continue;
      withErrors.errors = withErrors.errors.map((error) => {
        if (!(error instanceof GraphQLError)) return error;
        // The compiled executor wraps a scalar's own refusal ("DateTime must be …"); keep its words and code.
        const cause = codedCause(error);
        if (cause) return withCode(error, cause.extensions.code as string, error.message.includes(cause.message) ? error.message : `${error.message} ${cause.message}`);
        return withCode(error, codeForStatus(error));
      });
    }
  },
};

/** The first error down the originalError chain that already carries a code, if any. */
function codedCause(error: GraphQLError): GraphQLError | null {
  let current: unknown = error.originalError;
  for (let depth = 0; current && depth < 4; depth++) {
    if (current instanceof GraphQLError && current.extensions?.code) return current;
    current = (current as { originalError?: unknown }).originalError;
  }
  return null;
}

/** Yoga's own request-level refusals (CSRF, a body that is not GraphQL) carry an HTTP status. */
function codeForStatus(error: GraphQLError): string {
  const status = (error.extensions?.http as { status?: number } | undefined)?.status;
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status !== undefined && status >= 400 && status < 500) return 'BAD_REQUEST';
  return 'INTERNAL_SERVER_ERROR';
}

/**
 * Yoga's log calls, at warn and above, without their arguments' messages (they may quote SQL).
 * The GraphQL errors it reports are answers the request log already names by code, and the
 * faults among them were logged by maskError: only its other errors are logged again here.
 */
function yogaLogger(logger: Logger) {
  const faults = (args: unknown[]) => args.filter((a) => a instanceof Error && !(a instanceof GraphQLError)).map(describeFault);
  const at = (level: 'warn' | 'error') => (...args: unknown[]) => {
    const found = faults(args);
    if (found.length > 0 || !args.some((a) => a instanceof GraphQLError)) logger[level]({ faults: found }, typeof args[0] === 'string' ? args[0] : `graphql-yoga ${level}`);
  };
  return { debug: () => {}, info: () => {}, warn: at('warn'), error: at('error') };
}

export function createYoga(deps: YogaDeps) {
  const { store, drift, alerts, config } = deps;
  return createYogaServer({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: {
      title: 'Driftwatch',
      defaultQuery,
      headers: config.keys.length > 0 ? '{"Authorization": "Bearer <your key>"}' : undefined,
      // GraphiQL's subscriptions are GETs (SSE); the page is same-origin script, so it may name
      // the CSRF header that cross-site forms and images cannot send.
      additionalHeaders: { [csrfHeader]: 'graphiql' },
    },
    // Bundled from an installed package: the page works without internet access.
    renderGraphiQL,
    batching: false,
    context: ({ request }) =>
      createContext({ store, drift, alerts, api: config }, { authorization: request.headers.get('authorization'), signal: request.signal }),
    maskedErrors: {
      isDev: deps.maskErrors === false,
      maskError: (error, message, isDev) => {
        const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
        const client = clientErrorOf(original);
        if (client) {
          // Keep where it happened (path, locations); replace only what is said and the code.
          return error instanceof GraphQLError
            ? new GraphQLError(client.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions: client.extensions })
            : client;
        }
        // A coded error is an expected answer (the request log names its code); anything else is a fault.
        const expected = original instanceof GraphQLError && original.extensions?.code !== undefined;
        if (!expected && !(error instanceof GraphQLError && error.originalError === undefined)) {
          deps.logger?.error({ fault: describeFault(original) }, 'unexpected error while executing an operation');
        }
        return maskError(error, message, isDev);
      },
    },
    // Yoga's own messages as JSON lines through the same logger (its default prints coloured text).
    logging: deps.logger ? yogaLogger(deps.logger) : false,
    plugins: [
      useCSRFPrevention({ requestHeaders: [csrfHeader, 'apollo-require-preflight'] }),
      maxAliasesPlugin({ n: 30, exposeLimits: true }),
      maxTokensPlugin({ n: 20_000, exposeLimits: true }),
      // Before validation: the complexity calculation re-expands every fragment spread.
      useExpandedSizeLimit(maxExpandedFields),
      useErrorCodes,
      // Compiled execution for queries and mutations only: graphql-jit's subscribe path drops the
      // subscription field's arguments, so every filter of alertCreated would be ignored.
      useGraphQlJit({}, { enableIf: ({ document, operationName }) => getOperationAST(document, operationName)?.operation !== 'subscription' }),
      ...(deps.plugins ?? []),
    ],
  });
}

export type DriftYoga = ReturnType<typeof createYoga>;
