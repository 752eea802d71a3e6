import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * How many fields each operation of a document selects once every fragment spread is expanded,
 * computed in one pass over the document: each fragment's count is worked out once and reused,
 * so a chain of fragments that each spread the next twice costs linear time here even though it
 * expands exponentially. A spread inside a fragment cycle counts nothing (validation reports it).
 */
export function expandedFieldCounts(document: DocumentNode): number[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const counted = new Map<string, number>();
  const counting = new Set<string>();
  const countFragment = (name: string): number => {
    const known = counted.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (!fragment || counting.has(name)) return 0;
    counting.add(name);
    const count = countSet(fragment.selectionSet);
    counting.delete(name);
    counted.set(name, count);
    return count;
  };
  const countSet = (set: SelectionSetNode | undefined): number => {
    let count = 0;
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) count += 1 + countSet(selection.selectionSet);
      else if (selection.kind === Kind.INLINE_FRAGMENT) count += countSet(selection.selectionSet);
      else count += countFragment(selection.name.value);
      // Past any sane limit already: stop adding before the number loses precision.
      if (count > Number.MAX_SAFE_INTEGER / 4) return count;
    }
    return count;
  };
  return document.definitions.flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION ? [countSet(definition.selectionSet)] : []));
}

/**
 * Refuses, before validation and before the complexity calculation (which expands every spread
 * again), any document whose operations select more than `maxFields` fields once expanded.
 */
export function useExpandedSizeLimit(maxFields: number): Plugin {
  return {
    onValidate({ params, setResult }) {
      const largest = Math.max(0, ...expandedFieldCounts(params.documentAST));
      if (largest <= maxFields) return;
      setResult([
        new GraphQLError(`The operation selects ${largest > 1e9 ? 'over a billion' : largest.toLocaleString('en-US')} fields once its fragments are expanded; at most ${maxFields.toLocaleString('en-US')} are allowed.`, {
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      ]);
    },
  };
}
