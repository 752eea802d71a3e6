import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, findBreakingChanges } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printedSchema } from '../../src/graphql/print-schema.js';
import { schema } from '../../src/graphql/schema/index.js';

// The public contract, committed so a clone tests without ../shared; checked against the shared
// original wherever that sits beside the clone.
const contractCopy = 'test/fixtures/contract.graphql';
const sharedContract = path.resolve('..', 'shared', 'CONTRACT.graphql');

describe('the GraphQL schema', () => {
  it('matches the committed schema.graphql (run `npm run schema:print` after changing the API)', () => {
    expect(printedSchema()).toBe(fs.readFileSync('schema.graphql', 'utf8'));
  });

  it('is a compatible superset of the public contract', () => {
    const contract = buildSchema(fs.readFileSync(contractCopy, 'utf8'));
    expect(findBreakingChanges(contract, schema)).toStrictEqual([]);
    // findBreakingChanges does not look at a type's interfaces of its own accord
    for (const name of ['Measurement', 'DriftAnalysis', 'DriftAlert']) {
      expect(schema.getImplementations(schema.getType('Node') as never).objects.map((o) => o.name)).toContain(name);
    }
  });

  it.runIf(fs.existsSync(sharedContract))('tests against the current shared contract (copy it to test/fixtures when it changes)', () => {
    expect(fs.readFileSync(contractCopy, 'utf8')).toBe(fs.readFileSync(sharedContract, 'utf8'));
  });
});
