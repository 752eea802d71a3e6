import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { AuthScopeFailureType, type AuthFailure } from '@pothos/plugin-scope-auth';
import ZodPlugin from '@pothos/plugin-zod';
import type { ApiScope } from '../config.js';
import { hasScope, type Context } from './context.js';
import { badUserInput, forbidden } from './errors.js';
import { globalIds } from './global-ids.js';

/** The scopes an authorization failure asked for, in the words of DRIFT_API_KEYS. */
function scopesIn(failure: AuthFailure): string[] {
  if (failure.kind === AuthScopeFailureType.AuthScope || failure.kind === AuthScopeFailureType.GrantedScope) return [failure.scope];
  if (failure.kind === AuthScopeFailureType.AnyAuthScopes || failure.kind === AuthScopeFailureType.AllAuthScopes) return failure.failures.flatMap(scopesIn);
  return ['required'];
}

export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: { DateTime: { Input: Date; Output: Date } };
  AuthScopes: Record<ApiScope, boolean>;
  Connection: { totalCount: () => Promise<number> };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  // Non-null unless a field says otherwise, as the contract is written.
  defaultFieldNullability: false,
  // Relay first so scope checks see parsed ids; scope-auth before the resolver-wrapping plugins.
  plugins: [RelayPlugin, ScopeAuthPlugin, DataloaderPlugin, ZodPlugin, ComplexityPlugin],
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    encodeGlobalID: globalIds.encode,
    decodeGlobalID: globalIds.decode,
  },
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (context) => ({
      read: hasScope(context, 'read'),
      write: hasScope(context, 'write'),
      admin: hasScope(context, 'admin'),
    }),
    unauthorizedError: (_parent, _context, info, result) =>
      forbidden(`${info.parentType.name}.${info.fieldName} needs the ${scopesIn(result.failure).join(' or ')} scope; this key does not have it`),
  },
  zod: {
    validationError: (error) =>
      badUserInput(error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')),
  },
  complexity: {
    // Connections carry their own multiplier (their page size); plain lists count once.
    defaultListMultiplier: 1,
    limit: { complexity: 25_000, depth: 12, breadth: 250 },
    complexityError: (kind, result) => {
      const measure = kind.toLowerCase() as 'complexity' | 'depth' | 'breadth';
      const limit = result[`max${kind}` as 'maxComplexity' | 'maxDepth' | 'maxBreadth'];
      return badUserInput(`Query ${measure} ${result[measure]} exceeds the limit of ${limit}`);
    },
  },
});
