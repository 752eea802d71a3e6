import type http from 'node:http';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
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
export function attachWebSocketSubscriptions(server: http.Server, yoga: DriftYoga): { close(): Promise<void> } {
  const sockets = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedExecution).execute(args as ExecutionArgs) as never,
      subscribe: (args) => (args.rootValue as EnvelopedExecution).subscribe(args as ExecutionArgs) as never,
      onSubscribe: async (ctx, _id, params) => {
        const headers = new Headers();
        const fromParams = ctx.connectionParams?.authorization;
        const authorization = typeof fromParams === 'string' ? fromParams : ctx.extra.request.headers.authorization;
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
