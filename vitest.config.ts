import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql ships CJS and ESM builds; every importer must get the same one or its type checks
    // ("from another module or realm") fail. Node itself resolves all of them to the CJS build.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Finds (or starts) the PostgreSQL server every PostgreSQL test runs against; never skips.
    globalSetup: ['test/support/postgres-server.ts'],
    // A hang guard, not a speed check: tests that run several CLI subprocesses take 10-15 s alone
    // and several times that when two suites share this 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
