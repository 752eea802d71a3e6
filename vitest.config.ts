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
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
