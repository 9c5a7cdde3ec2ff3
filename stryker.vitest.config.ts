import { defineConfig } from 'vitest/config';

// The tests Stryker runs against each mutant (stryker.config.mjs): the unit tests of the files it
// mutates, in one node project (the renderer, namespace and browser tests can't reach them).
export default defineConfig({
  test: {
    include: ['test/engine/**/*.test.ts', 'test/host/**/*.test.ts', 'test/ledger/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/support/labOnly.ts'],
    testTimeout: 20_000,
  },
});
