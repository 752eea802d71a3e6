import type http from 'node:http';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { ApiKey } from '../config.js';
import { authenticate } from '../graphql/authentication.js';
import type { DriftYoga } from './yoga.js';

interface EnvelopedExecution {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/**
 * GraphQL over WebSocket (graphql-ws) on the same port and path as HTTP, running every operation
 * through yoga's envelope: the same schema, plugins, limits and authentication. A browser cannot
 * set headers on a WebSocket, so the API key may also come as `connectionParams.authorization`.
 */
export function attachWebSocketSubscriptions(
  server: http.Server,
  yoga: DriftYoga,
  options: { keys: readonly ApiKey[]; maxConnections: number; maxMessageBytes: number },
): { close(): Promise<void> } {
  const sockets = new WebSocketServer({
    server,
    path: yoga.graphqlEndpoint,
    // Refused at the upgrade, before a socket is held: idle connections must not use up the
    // process's file descriptors and shut out /health and keyed clients.
    verifyClient: (_info, accept) => accept(sockets.clients.size < options.maxConnections, 503, 'Too many WebSocket connections'),
    // A message is a request like any body: no larger (ws would take 100 MiB and graphql-ws parse
    // it, connection_init included, before any key is checked). Past it ws closes with 1009.
    maxPayload: options.maxMessageBytes,
  });
  const authorizationOf = (ctx: { connectionParams?: Readonly<Record<string, unknown>> | undefined; extra: { request: http.IncomingMessage } }) => {
    const fromParams = ctx.connectionParams?.authorization;
    return typeof fromParams === 'string' ? fromParams : (ctx.extra.request.headers.authorization ?? null);
  };
  const disposable = useServer(
    {
      // A connection that never says who it is gets closed (graphql-ws: 4408), and one whose key
      // is wrong is refused at connection_init (4403) instead of being acknowledged and held.
      connectionInitWaitTimeout: 3_000,
      onConnect: (ctx) => options.keys.length === 0 || authenticate(options.keys, authorizationOf(ctx)) !== null,
      execute: (args) => (args.rootValue as EnvelopedExecution).execute(args as ExecutionArgs) as never,
      subscribe: (args) => (args.rootValue as EnvelopedExecution).subscribe(args as ExecutionArgs) as never,
      onSubscribe: async (ctx, _id, params) => {
        const headers = new Headers();
        const authorization = authorizationOf(ctx);
        if (authorization) headers.set('authorization', authorization);
        const request = new Request(`http://localhost${yoga.graphqlEndpoint}`, { headers, method: 'POST' });
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({ ...ctx, request, params });
        let document;
        try {
          document = parse(params.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        try {
          return {
            schema,
            operationName: params.operationName,
            document,
            variableValues: params.variables,
            contextValue: await contextFactory(),
            rootValue: { execute, subscribe },
          };
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('Could not start the operation')];
        }
      },
    },
    sockets,
  );
  return {
    close: async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    },
  };
}
