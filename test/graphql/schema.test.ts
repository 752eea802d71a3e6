import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, findBreakingChanges } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printedSchema } from '../../src/graphql/print-schema.js';
import { schema } from '../../src/graphql/schema/index.js';

describe('the GraphQL schema', () => {
  it('matches the committed schema.graphql (run `npm run schema:print` after changing the API)', () => {
    expect(printedSchema()).toBe(fs.readFileSync('schema.graphql', 'utf8'));
  });

  it('is a compatible superset of the public contract', () => {
    const contract = buildSchema(fs.readFileSync(path.resolve('..', 'shared', 'CONTRACT.graphql'), 'utf8'));
    expect(findBreakingChanges(contract, schema)).toStrictEqual([]);
    // findBreakingChanges does not look at a type's interfaces of its own accord
    for (const name of ['Measurement', 'DriftAnalysis', 'DriftAlert']) {
      expect(schema.getImplementations(schema.getType('Node') as never).objects.map((o) => o.name)).toContain(name);
    }
  });
});
