import { GraphQLError } from 'graphql';
import type { ApiConfig, ApiScope } from '../config.js';
import type { AlertBus } from '../service/alert-bus.js';
import type { DriftService } from '../service/drift-service.js';
import type { Store } from '../store/store.js';
import { authenticate, type Principal } from './authentication.js';

/** What every request's resolvers see. GraphQL reaches the database only through `store`. */
export interface Context {
  store: Store;
  drift: DriftService;
  alerts: AlertBus;
  api: ApiConfig;
  /** The API key's holder, or null when the service runs without keys. */
  principal: Principal | null;
  /** Ends subscriptions when the request goes away. */
  signal: AbortSignal | undefined;
}

export interface ContextDeps {
  store: Store;
  drift: DriftService;
  alerts: AlertBus;
  api: ApiConfig;
}

export function createContext(deps: ContextDeps, request: { authorization: string | null; signal?: AbortSignal }): Context {
  const principal = deps.api.keys.length === 0 ? null : authenticate(deps.api.keys, request.authorization);
  if (deps.api.keys.length > 0 && principal === null) {
    throw new GraphQLError('A valid API key is required: send "Authorization: Bearer <key>".', {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
    });
  }
  return { ...deps, principal, signal: request.signal };
}

export function hasScope(context: Context, scope: ApiScope): boolean {
  return context.principal === null || context.principal.scopes.includes(scope);
}
